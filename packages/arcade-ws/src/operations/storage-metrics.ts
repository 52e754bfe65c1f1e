import type { ArcadeMetrics, CounterMetric, HistogramMetric } from '@arcade/core';
import type { StorageRefusal } from '../registry/storage-guard';

/** A `CacheManager` method: the bounded `operation` label of the storage metrics. */
export type StorageOperation =
  | 'init'
  | 'dispose'
  | 'get'
  | 'set'
  | 'setIfAbsent'
  | 'remove'
  | 'contains'
  | 'clear'
  | 'setAdd'
  | 'setRemove'
  | 'setMembers'
  | 'setSize'
  | 'batch'
  | 'appendToLog'
  | 'readLog'
  | 'publish'
  | 'subscribe';

/** Storage calls take a few milliseconds at most when healthy; the guard gives up at 4 s. */
const STORAGE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The metrics of the WebSocket storage (the cache given to `initializeWebSocketStorage`) for one
 * server run: each adapter call's latency and failures by operation, pub/sub messages, outages and
 * the subscriptions restored after them, and the calls the storage guard refused.
 */
export class StorageMetrics {
  /** Pub/sub messages received by this instance's subscriptions, and published by it. */
  pubSubReceived = 0;
  pubSubPublished = 0;
  readonly #durations: HistogramMetric<'operation'>;
  readonly #errors: CounterMetric<'operation' | 'code'>;
  readonly #refusals: CounterMetric<'reason'>;
  readonly #outages: CounterMetric;
  readonly #recoveries: CounterMetric;
  readonly #resubscriptions: CounterMetric;

  constructor(metrics: ArcadeMetrics, reachable: () => boolean) {
    this.#durations = metrics.histogram({
      name: 'ws_storage_call_duration_seconds',
      help: 'Time of each call to the WebSocket storage adapter, failed ones included, by operation',
      labelNames: ['operation'],
      buckets: STORAGE_BUCKETS,
    });
    this.#errors = metrics.counter({
      name: 'ws_storage_errors_total',
      help: 'Failed calls to the WebSocket storage adapter, by operation and CacheError code (OTHER for any other error)',
      labelNames: ['operation', 'code'],
    });
    this.#refusals = metrics.counter({
      name: 'ws_storage_unavailable_total',
      help: 'Storage calls that failed with StorageUnavailableError, by reason: status (known unreachable), timeout (no answer in 4 s), unavailable (the adapter said so)',
      labelNames: ['reason'],
    });
    this.#outages = metrics.counter({
      name: 'ws_storage_outages_total',
      help: 'Times the WebSocket storage became unreachable (outages entered)',
    });
    this.#recoveries = metrics.counter({
      name: 'ws_storage_recoveries_total',
      help: 'Times the WebSocket storage became reachable again (outages left)',
    });
    this.#resubscriptions = metrics.counter({
      name: 'ws_pubsub_resubscriptions_total',
      help: 'Pub/sub subscriptions the storage adapter restored after an outage',
    });
    metrics.gauge({
      name: 'ws_storage_reachable',
      help: '1 while the WebSocket storage is reachable (always with the private in-memory store), 0 during an outage',
      collect: (gauge) => gauge.set(reachable() ? 1 : 0),
    });
    metrics.counter({
      name: 'ws_pubsub_messages_total',
      help: 'Pub/sub messages received (in) and published (out) through the WebSocket storage',
      labelNames: ['direction'],
      collect: (counter) => {
        counter.reset();
        counter.inc({ direction: 'in' }, this.pubSubReceived);
        counter.inc({ direction: 'out' }, this.pubSubPublished);
      },
    });
    // Every series from the first scrape on, so that rate() and increase() see them start at 0.
    for (const reason of ['status', 'timeout', 'unavailable'] satisfies StorageRefusal[]) {
      this.#refusals.inc({ reason }, 0);
    }
  }

  /** One adapter call settled after `seconds`; `error` when it failed. */
  called(operation: StorageOperation, seconds: number, error?: unknown): void {
    this.#durations.observe({ operation }, seconds);
    if (error !== undefined) this.#errors.inc({ operation, code: errorCodeOf(error) });
  }

  /** The storage guard turned a call into StorageUnavailableError. */
  refused(reason: StorageRefusal): void {
    this.#refusals.inc({ reason });
  }

  outageStarted(): void {
    this.#outages.inc();
  }

  /** The storage is reachable again, `restored` subscriptions live again. */
  outageEnded(restored: number): void {
    this.#recoveries.inc();
    this.#resubscriptions.inc(restored);
  }
}

/** A CacheError's code (by shape: the adapter may use another copy of @arcade/cache), else OTHER. */
function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && error.name === 'CacheError' && typeof code === 'string' ? code : 'OTHER';
}
