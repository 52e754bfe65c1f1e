import { describeError, type Logger } from './logger';
import { checkEndpointPath } from './metrics';
import { settlesWithin } from './settles-within';

/** What a readiness check answers. */
export interface ReadinessCheckResult {
  readonly ready: boolean;
  /** Why not ready, in a few words an operator reads in the readiness body (`'storage is reconnecting'`). */
  readonly reason?: string;
}

/**
 * Tells whether one dependency lets this instance take traffic. Called on every readiness request:
 * keep it cheap (read a state, do not open a connection). A check that throws, or has not answered
 * within `health.checkTimeoutMs`, counts as not ready.
 */
export type ReadinessCheck = () => ReadinessCheckResult | Promise<ReadinessCheckResult>;

/** The readiness of a server, as its readiness endpoint answers it (200 when `ready`, else 503). */
export interface ReadinessReport {
  /** True when the server is not draining or closing and every check is ready. */
  readonly ready: boolean;
  /** True from `server.drain()` (or `close()`) on. */
  readonly draining: boolean;
  /** Each registered check by name (`app.addReadinessCheck`). */
  readonly checks: Readonly<Record<string, ReadinessCheckResult>>;
}

/** `runServer({ health })`: liveness and readiness endpoints for load balancers and orchestrators. */
export interface HealthOptions {
  /**
   * Answers 200 `{"status":"ok"}` while the process serves HTTP, draining included (a failing liveness
   * probe gets a process restarted: keep it independent of the storage).
   * @default '/livez'
   */
  livenessPath?: string;
  /**
   * Answers 200 with the {@link ReadinessReport} when ready, 503 with it otherwise: while draining or
   * closing, or while a check (the WebSocket storage of `@arcade/ws`, say) is not ready.
   * @default '/readyz'
   */
  readinessPath?: string;
  /**
   * How long one readiness check may take before it counts as not ready.
   * @default 2000
   */
  checkTimeoutMs?: number;
}

/** `runServer({ health })`, checked, with its defaults. */
export interface ResolvedHealthOptions {
  readonly livenessPath: string;
  readonly readinessPath: string;
  readonly checkTimeoutMs: number;
}

export const DEFAULT_LIVENESS_PATH = '/livez';
export const DEFAULT_READINESS_PATH = '/readyz';
export const DEFAULT_READINESS_CHECK_TIMEOUT_MS = 2000;

/** Checks `runServer({ health })` (the first invalid option throws a TypeError or RangeError). */
export function resolveHealthOptions(options: HealthOptions): ResolvedHealthOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('health must be an options object; `health: {}` serves /livez and /readyz');
  }
  const {
    livenessPath = DEFAULT_LIVENESS_PATH,
    readinessPath = DEFAULT_READINESS_PATH,
    checkTimeoutMs = DEFAULT_READINESS_CHECK_TIMEOUT_MS,
  } = options;
  checkEndpointPath('health.livenessPath', livenessPath);
  checkEndpointPath('health.readinessPath', readinessPath);
  if (livenessPath === readinessPath) {
    throw new RangeError(
      `health.livenessPath and health.readinessPath must differ, both are ${livenessPath}`,
    );
  }
  if (!Number.isSafeInteger(checkTimeoutMs) || checkTimeoutMs <= 0) {
    throw new RangeError(`health.checkTimeoutMs must be a positive integer, got ${String(checkTimeoutMs)}`);
  }
  return { livenessPath, readinessPath, checkTimeoutMs };
}

/** The readiness checks of an app, registered by name (plugins add theirs once, when first used). */
export class ReadinessChecks {
  readonly #checks = new Map<string, ReadinessCheck>();

  /** @throws TypeError for a check that is not a function or a name already taken */
  add(name: string, check: ReadinessCheck): void {
    if (typeof name !== 'string' || name === '')
      throw new TypeError('A readiness check needs a non-empty name');
    if (typeof check !== 'function') throw new TypeError(`Readiness check ${name} must be a function`);
    if (this.#checks.has(name)) {
      throw new TypeError(`A readiness check named ${name} is registered already: pick another name`);
    }
    this.#checks.set(name, check);
  }

  /** Runs every check concurrently, each bounded by `timeoutMs`. Never rejects. */
  async report(draining: boolean, timeoutMs: number, logger: Logger): Promise<ReadinessReport> {
    const names = [...this.#checks.keys()];
    const results = await Promise.all(
      [...this.#checks.values()].map((check, index) =>
        runCheck(names[index] ?? '', check, timeoutMs, logger),
      ),
    );
    const checks: Record<string, ReadinessCheckResult> = {};
    for (const [index, name] of names.entries()) checks[name] = results[index] as ReadinessCheckResult;
    return { ready: !draining && results.every((result) => result.ready), draining, checks };
  }
}

async function runCheck(
  name: string,
  check: ReadinessCheck,
  timeoutMs: number,
  logger: Logger,
): Promise<ReadinessCheckResult> {
  const pending = Promise.resolve().then(check);
  if (!(await settlesWithin(pending, timeoutMs))) {
    pending.catch(() => undefined);
    return { ready: false, reason: `no answer within ${timeoutMs} ms` };
  }
  let result: unknown;
  try {
    result = await pending;
  } catch (error) {
    logger.warn('A readiness check threw; reporting not ready', { check: name, ...describeError(error) });
    return { ready: false, reason: 'the check threw (see the server log)' };
  }
  const ready = (result as Partial<ReadinessCheckResult> | null)?.ready;
  if (typeof ready !== 'boolean') {
    logger.warn('A readiness check answered no { ready } object; reporting not ready', { check: name });
    return { ready: false, reason: 'the check answered no { ready } object' };
  }
  const reason = (result as ReadinessCheckResult).reason;
  return typeof reason === 'string' ? { ready, reason } : { ready };
}
