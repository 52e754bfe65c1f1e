import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRedisServer } from './find-redis-server';
import {
  delay,
  launchOnFreePort,
  launchRedis,
  RedisLaunchError,
  releaseDirectory,
  terminate,
  trackDirectory,
} from './redis-process';

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** Password the server requires (`requirepass`); it is also put in `url`. @default no password */
  password?: string;
  /** How long to wait for the server to answer PING after each start. @default 10000 */
  readyTimeoutMs?: number;
}

/** A `redis-server` child process started for a test, on 127.0.0.1 and a free port. */
export interface RedisTestServer {
  readonly host: '127.0.0.1';
  /** The port the server listens on; the same after {@link RedisTestServer.restart}. */
  readonly port: number;
  /** `redis://[:password@]127.0.0.1:<port>`, ready for `new RedisCacheManager({ url })`. */
  readonly url: string;
  /** Stops the server (SIGTERM) and removes its folder. Idempotent. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL, as in a crash; `restart()` brings it back. */
  kill(): Promise<void>;
  /** Stops the server if it runs and starts it again on the same port, empty (no persistence). */
  restart(): Promise<void>;
  /**
   * Freezes the server (SIGSTOP): connections stay open and commands get no answer, as with a hung
   * host or a network partition, which no error reveals. `resume()` thaws it with everything kept.
   */
  pause(): Promise<void>;
  /** Thaws a paused server (SIGCONT); a no-op when it is not paused. */
  resume(): Promise<void>;
}

const HOST = '127.0.0.1';
const PORT_ATTEMPTS = 5;
const RESTART_ATTEMPTS = 20;
const RESTART_RETRY_MS = 50;

/**
 * Starts a private `redis-server` (no persistence, bound to 127.0.0.1, a free port, its own temporary
 * folder) and resolves once it answers PING. It never connects to a Redis it did not start, and the
 * child is killed if the process exits without `stop()`. Honours `REDIS_SERVER_BIN`; fails with a
 * message naming the Debian package `redis-server` when the binary is missing.
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisTestServer> {
  const bin = findRedisServer();
  const { password } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'arcade-redis-'));
  trackDirectory(dir);

  let child: ChildProcess | undefined;
  let port = 0;
  try {
    ({ child, port } = await launchOnFreePort({ bin, dir, password, readyTimeoutMs }, PORT_ATTEMPTS));
  } catch (error) {
    releaseDirectory(dir);
    throw error;
  }

  let stopped = false;
  // Lifecycle calls run one after the other, so kill() during restart() cannot orphan a child.
  let queue: Promise<void> = Promise.resolve();
  const serialize = (step: () => Promise<void>): Promise<void> => {
    const next = queue.then(step);
    queue = next.catch(() => undefined);
    return next;
  };
  const halt = async (signal: 'SIGTERM' | 'SIGKILL') => {
    const running = child;
    child = undefined;
    if (!running) return;
    // A frozen process would only act on SIGTERM once thawed: thaw it first.
    running.kill('SIGCONT');
    await terminate(running, signal);
  };
  const auth = password === undefined ? '' : `:${encodeURIComponent(password)}@`;

  return {
    host: HOST,
    port,
    url: `redis://${auth}${HOST}:${port}`,
    stop: () =>
      serialize(async () => {
        if (stopped) return;
        stopped = true;
        await halt('SIGTERM');
        releaseDirectory(dir);
      }),
    kill: () => serialize(() => halt('SIGKILL')),
    pause: () =>
      serialize(async () => {
        if (!child) throw new Error('This redis-server is not running; restart() it before pausing it');
        child.kill('SIGSTOP');
      }),
    resume: () =>
      serialize(async () => {
        child?.kill('SIGCONT');
      }),
    restart: () =>
      serialize(async () => {
        if (stopped)
          throw new Error('This redis-server was stopped; start a new one with startRedisServer()');
        await halt('SIGTERM');
        for (let attempt = 1; child === undefined; attempt++) {
          try {
            child = await launchRedis({ bin, port, dir, password, readyTimeoutMs });
          } catch (error) {
            // The old socket may linger a moment; another process may also have taken the port.
            if (!(error instanceof RedisLaunchError && error.portTaken && attempt < RESTART_ATTEMPTS))
              throw error;
            await delay(RESTART_RETRY_MS);
          }
        }
      }),
  };
}
