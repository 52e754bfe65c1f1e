import { AssertionError } from 'node:assert';
import type { CacheManager } from '../cache-manager';
import type { CacheConformanceOptions } from './types';

/** The default of {@link CacheConformanceOptions.waitTimeoutMs}. */
export const DEFAULT_WAIT_TIMEOUT_MS = 2000;
/**
 * How many times the wait timeout the suite gives adapters to be `ready` again after
 * {@link CacheConformanceOptions.restart}: a server takes longer to restart than a message to arrive.
 */
export const RESTART_TIMEOUT_FACTOR = 5;
const POLL_INTERVAL_MS = 5;

/**
 * Everything one test needs: adapters in unique namespaces, a clock, and waiting on conditions.
 * It records every adapter it creates so that {@link Harness.disposeAll} leaves nothing open.
 */
export class Harness {
  /** The namespace of adapters opened without an explicit one. */
  readonly namespace: string;
  private readonly created: CacheManager[] = [];
  private otherCount = 0;

  constructor(
    private readonly options: CacheConformanceOptions,
    testToken: string,
  ) {
    this.namespace = testToken;
  }

  /** Whether TTL tests run on the adapter's fake clock. */
  get hasFakeClock(): boolean {
    return this.options.advanceTime !== undefined;
  }

  get waitTimeoutMs(): number {
    return this.options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  }

  /** How long to wait for adapters to be `ready` again after a restart. */
  get restartTimeoutMs(): number {
    return this.waitTimeoutMs * RESTART_TIMEOUT_FACTOR;
  }

  /** A namespace of this test different from {@link namespace} and from any earlier one. */
  otherNamespace(): string {
    this.otherCount += 1;
    return `${this.namespace}-o${this.otherCount}`;
  }

  /** A channel name unique to this test, so that a stray subscriber elsewhere cannot interfere. */
  channel(name: string): string {
    return `${name}.${this.namespace}`;
  }

  /** Creates an adapter without initializing it. */
  async create(namespace: string = this.namespace): Promise<CacheManager> {
    const adapter = await this.options.create({ namespace });
    this.created.push(adapter);
    return adapter;
  }

  /** Creates and initializes an adapter. */
  async open(namespace: string = this.namespace): Promise<CacheManager> {
    const adapter = await this.create(namespace);
    await adapter.init();
    return adapter;
  }

  /** Moves the adapter's clock forward; only valid when {@link hasFakeClock}. */
  async advance(ms: number): Promise<void> {
    if (!this.options.advanceTime) throw new Error('advance() needs the advanceTime option');
    await this.options.advanceTime(ms);
  }

  /** Restarts the adapters' server; only valid when the `restart` option is given. */
  async restart(): Promise<void> {
    if (!this.options.restart) throw new Error('restart() needs the restart option');
    await this.options.restart();
  }

  /** Polls `condition` until it holds; fails with `what` after `timeoutMs` (the wait timeout by default). */
  async waitFor(
    what: string,
    condition: () => boolean | Promise<boolean>,
    timeoutMs = this.waitTimeoutMs,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await condition()) return;
      if (Date.now() > deadline) {
        throw new AssertionError({ message: `Timed out after ${timeoutMs} ms waiting for ${what}` });
      }
      await delay(POLL_INTERVAL_MS);
    }
  }

  /** Disposes every adapter this harness created; the first failure is rethrown after all ran. */
  async disposeAll(): Promise<void> {
    const results = await Promise.allSettled(this.created.map((adapter) => adapter.dispose()));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw new AssertionError({ message: `dispose() rejected: ${String(failed.reason)}` });
  }
}

/** Resolves after `ms` milliseconds of real time. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
