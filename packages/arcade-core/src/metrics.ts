import { isThenable } from './is-thenable';
import { describeError, type Logger } from './logger';
import { MetricsError } from './metrics-error';
import type {
  ArcadeMetrics,
  CounterDefinition,
  CounterMetric,
  GaugeDefinition,
  GaugeMetric,
  HistogramDefinition,
  HistogramMetric,
  MetricDefinition,
  MetricsAuthorizer,
  MetricsOptions,
  MetricsRegistry,
} from './metrics-types';

/** What a prom-client metric constructor takes, as far as this module fills it in. */
interface PromMetricConfig {
  name: string;
  help: string;
  labelNames: string[];
  registers: MetricsRegistry[];
  buckets?: number[];
  collect?: (this: unknown) => void | Promise<void>;
}

/** The part of the prom-client module this module uses: typed here, so no prom-client type is needed. */
interface PromClient {
  Registry: new () => MetricsRegistry;
  Counter: new (config: PromMetricConfig) => CounterMetric<string>;
  Gauge: new (config: PromMetricConfig) => GaugeMetric<string>;
  Histogram: new (config: PromMetricConfig) => HistogramMetric<string>;
}

/** `runServer({ metrics })`, checked, with its defaults. */
export interface ResolvedMetricsOptions {
  readonly registry: MetricsRegistry | undefined;
  readonly prefix: string;
  readonly path: string | false;
  readonly authorize: MetricsAuthorizer | undefined;
  readonly httpDurationBuckets: readonly number[] | undefined;
}

/** Prometheus' metric name syntax. */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const DEFAULT_METRICS_PREFIX = 'arcade_';
export const DEFAULT_METRICS_PATH = '/metrics';

/** Checks `runServer({ metrics })` (the first invalid option throws a TypeError or RangeError). */
export function resolveMetricsOptions(options: MetricsOptions): ResolvedMetricsOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      'metrics must be an options object; `metrics: {}` turns metrics on with the defaults',
    );
  }
  const { registry, prefix = DEFAULT_METRICS_PREFIX, path = DEFAULT_METRICS_PATH, authorize } = options;
  if (
    registry !== undefined &&
    !['metrics', 'getSingleMetric', 'removeSingleMetric'].every(
      (method) => typeof (registry as unknown as Record<string, unknown>)[method] === 'function',
    )
  ) {
    throw new TypeError(
      'metrics.registry must be a prom-client Registry (`new Registry()` of prom-client 15)',
    );
  }
  if (typeof prefix !== 'string' || (prefix !== '' && !METRIC_NAME.test(prefix))) {
    throw new RangeError(
      `metrics.prefix must be '' or start a valid Prometheus name ([a-zA-Z_:][a-zA-Z0-9_:]*), got ${JSON.stringify(prefix)}`,
    );
  }
  if (path !== false) checkEndpointPath('metrics.path', path);
  if (authorize !== undefined && typeof authorize !== 'function') {
    throw new TypeError('metrics.authorize must be a function (request) => boolean | Promise<boolean>');
  }
  const buckets = options.httpDurationBuckets;
  if (
    buckets !== undefined &&
    (!Array.isArray(buckets) ||
      buckets.length === 0 ||
      buckets.some(
        (bound, index) =>
          typeof bound !== 'number' ||
          !Number.isFinite(bound) ||
          (index > 0 && bound <= (buckets[index - 1] ?? 0)),
      ))
  ) {
    throw new RangeError(
      'metrics.httpDurationBuckets must be a non-empty list of finite, increasing numbers of seconds',
    );
  }
  return { registry, prefix, path, authorize, httpDurationBuckets: buckets };
}

/** Checks a path the server answers itself (metrics, liveness, readiness). */
export function checkEndpointPath(name: string, path: unknown): void {
  if (typeof path !== 'string' || !path.startsWith('/') || /[?#\s]/.test(path)) {
    throw new RangeError(
      `${name} must be a path starting with '/' (no query, no spaces), got ${JSON.stringify(path)}`,
    );
  }
}

/**
 * Loads prom-client, only now that metrics are on: without them it is never required, and it is an
 * optional peer dependency.
 */
function loadPromClient(): PromClient {
  try {
    return require('prom-client') as PromClient;
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
      String(error).includes("'prom-client'")
    ) {
      throw new MetricsError(
        'PROM_CLIENT_MISSING',
        'runServer({ metrics }) needs prom-client, an optional peer dependency of @arcade/core: install it (`npm install prom-client@15`) or leave the metrics option out',
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * The metrics of one server run: a registry (the app's or a private one) and the metrics made on it,
 * all removed from it by {@link ServerMetrics.dispose} when the server closes.
 */
export class ServerMetrics implements ArcadeMetrics {
  readonly registry: MetricsRegistry;
  readonly prefix: string;
  /** The options it was made with (the server reads `path`, `authorize` and the HTTP buckets). */
  readonly options: ResolvedMetricsOptions;
  readonly #client: PromClient;
  readonly #logger: () => Logger;
  /** Full names of the metrics made here, to remove them at dispose. */
  readonly #names: string[] = [];

  constructor(options: ResolvedMetricsOptions, logger: () => Logger) {
    this.#client = loadPromClient();
    this.registry = options.registry ?? new this.#client.Registry();
    this.prefix = options.prefix;
    this.options = options;
    this.#logger = logger;
  }

  counter<L extends string = never>(definition: CounterDefinition<L>): CounterMetric<L> {
    return this.#make(this.#client.Counter, definition, this.#collector(definition)) as CounterMetric<L>;
  }

  gauge<L extends string = never>(definition: GaugeDefinition<L>): GaugeMetric<L> {
    return this.#make(this.#client.Gauge, definition, this.#collector(definition)) as GaugeMetric<L>;
  }

  histogram<L extends string = never>(definition: HistogramDefinition<L>): HistogramMetric<L> {
    const extra = definition.buckets === undefined ? {} : { buckets: [...definition.buckets] };
    return this.#make(this.#client.Histogram, definition, extra) as HistogramMetric<L>;
  }

  /** Removes every metric made here from the registry. Idempotent. */
  dispose(): void {
    for (const name of this.#names) this.registry.removeSingleMetric(name);
    this.#names.length = 0;
  }

  /**
   * prom-client calls `collect` with the metric as `this` before each scrape; a throw there would fail
   * the whole scrape, so it is logged and the metric keeps its value.
   */
  #collector<M>(definition: {
    readonly name: string;
    readonly collect?: (metric: M) => void | Promise<void>;
  }): Partial<PromMetricConfig> {
    const { collect, name } = definition;
    if (collect === undefined) return {};
    if (typeof collect !== 'function') {
      throw new MetricsError('INVALID_METRIC', `The collect of metric ${name} must be a function`);
    }
    const logger = this.#logger;
    const report = (error: unknown): void =>
      logger().warn('A metrics collector threw; its metric keeps its last value', {
        metric: name,
        ...describeError(error),
      });
    return {
      collect(this: unknown) {
        try {
          const pending = collect(this as M);
          if (isThenable(pending)) return Promise.resolve(pending).catch(report);
        } catch (error) {
          report(error);
        }
        return undefined;
      },
    };
  }

  #make<M>(
    Kind: new (config: PromMetricConfig) => M,
    definition: MetricDefinition<string>,
    extra: Partial<PromMetricConfig>,
  ): M {
    const name = `${this.prefix}${String(definition.name)}`;
    if (this.registry.getSingleMetric(name) !== undefined) {
      throw new MetricsError(
        'METRIC_CONFLICT',
        `The metrics registry already holds a metric named ${name}: give each server its own registry (or a distinct metrics.prefix), and close a server before running it again`,
      );
    }
    let metric: M;
    try {
      metric = new Kind({
        name,
        help: definition.help,
        labelNames: [...(definition.labelNames ?? [])],
        // Always named: prom-client would otherwise register on its global registry.
        registers: [this.registry],
        ...extra,
      });
    } catch (error) {
      throw new MetricsError(
        'INVALID_METRIC',
        `prom-client refused metric ${name}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    this.#names.push(name);
    return metric;
  }
}
