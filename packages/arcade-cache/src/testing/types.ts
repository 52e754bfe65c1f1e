import type { CacheManager } from '../cache-manager';

/**
 * The two functions of a test runner the suite needs. Jest's and Vitest's globals fit as they are
 * (`{ describe, it }`), and so do `node:test`'s. The suite asserts with `node:assert`, so it needs
 * no `expect`, and each test disposes what it created in a `finally`, so it needs no hooks.
 */
export interface ConformanceTestApi {
  /** Groups tests under a name. */
  describe(name: string, body: () => void): void;
  /** Registers one test; the body's promise rejects when the test fails. */
  it: ConformanceIt;
  /**
   * Accepted so that a runner's `{ describe, it, expect }` can be passed as it is; never called
   * (the suite asserts with `node:assert`).
   * @default undefined
   */
  expect?: unknown;
}

/** The `it` of {@link ConformanceTestApi}: Jest's, Vitest's and `node:test`'s fit as they are. */
export interface ConformanceIt {
  (name: string, body: () => Promise<void>): void;
  /**
   * Registers a test the runner reports as skipped, for a test that cannot check anything under
   * the options given (see {@link ConformanceCase.skip}). Without it, such a test is registered
   * with `it` under a title that ends in `[skipped: <why>]`, and passes.
   * @default undefined
   */
  skip?: (name: string, body: () => Promise<void>) => void;
}

/** What the suite passes to {@link CacheConformanceOptions.create}. */
export interface CacheFactoryContext {
  /**
   * A token unique to this test run and this test (letters, digits and `-`), safe inside any key.
   * Put it in the adapter's key prefix, e.g. `keyPrefix: \`test:${namespace}:\``. Adapters created
   * with the same namespace must share keys and channels (two processes on one server); adapters
   * with different namespaces must not see each other's keys or channels.
   */
  readonly namespace: string;
}

/** Options of {@link runCacheConformanceSuite} and {@link cacheConformanceCases}. */
export interface CacheConformanceOptions {
  /** The adapter's name, shown in the test titles. */
  name: string;
  /**
   * Creates a fresh adapter, not yet initialized: the suite calls `init()` and `dispose()` itself
   * and disposes every adapter it created when the test ends, whatever the outcome. It may be
   * called several times in one test (see {@link CacheFactoryContext.namespace}).
   */
  create(context: CacheFactoryContext): CacheManager | Promise<CacheManager>;
  /**
   * Moves the clock the adapter reads TTLs from forward by `ms`. When given, the TTL tests use it
   * and never wait; when omitted, they use short real TTLs (about 100 ms) and poll until expiry.
   * @default undefined (real time)
   */
  advanceTime?: (ms: number) => void | Promise<void>;
  /**
   * How long the suite waits for something that must happen (a message, an expiry, released
   * resources) before it fails the test. Keep your runner's test timeout above it.
   * @default 2000
   */
  waitTimeoutMs?: number;
  /**
   * Whether the process's active timers and sockets are compared before `create` and after
   * `dispose` (`process.getActiveResourcesInfo()`). Turn it off only when something else in the
   * same process opens or closes handles while the suite runs.
   * @default true
   */
  checkOpenHandles?: boolean;
  /**
   * Restarts the server every adapter of the suite talks to, and resolves once it accepts
   * connections again (it may come back empty). When given, the suite checks that a subscription made
   * before the restart receives again once the adapters report `ready`, without subscribing anew, and
   * that one ended before it stays ended. It waits up to five times `waitTimeoutMs` (10 s by
   * default) for both adapters to report the lost connection and then `ready`, then `waitTimeoutMs`
   * for a message: keep your runner's test timeout above the sum. When omitted, that test is reported skipped.
   * For example `restart: () => server.restart()` with `startRedisServer()` of
   * `@arcade/cache-redis/testing`.
   * @default undefined (no restart test)
   */
  restart?: () => Promise<void>;
}

/** One test of the suite, for running it by hand (e.g. to show a broken adapter fails it). */
export interface ConformanceCase {
  /** The group the test belongs to, e.g. `pub/sub`. */
  readonly group: string;
  /** The test's name, a behaviour in the present tense. */
  readonly name: string;
  /**
   * Why this test cannot check anything under the options given (e.g. `checkOpenHandles is
   * false`), or `undefined` when it applies. `run()` of such a test resolves without testing
   * anything: report it as skipped, not as passed.
   */
  readonly skip: string | undefined;
  /** Runs the test against fresh adapters; rejects with the assertion that failed. */
  run(): Promise<void>;
}
