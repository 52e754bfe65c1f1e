import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { nextMessage, spawnNode, waitForExit } from './child';
import type {
  Dialect,
  FromLoad,
  FromServer,
  LoadJob,
  LoadResult,
  Metrics,
  RoundJob,
  ToLoad,
  ToServer,
} from './protocol';

/** How the runner starts a target: its script, the dialect its clients speak, its environment. */
interface TargetSpec {
  script: string;
  dialect: Dialect;
  env: Record<string, string>;
  /** The target stores in Redis: a scenario running it starts a fresh redis-server and sets `REDIS_URL`. */
  redis?: true;
}

/** The server processes the runner can start. */
export const TARGETS = {
  // No storage call: the embedded in-memory default.
  arcade: { script: 'targets/arcade.js', dialect: 'raw', env: {} },
  // The same server, emitting with `{ history: true }`: its cost is reported against `arcade` (report.ts).
  'arcade-history': { script: 'targets/arcade.js', dialect: 'raw', env: { ARCADE_HISTORY: '1' } },
  // The same server after `initializeWebSocketStorage()`, and after `initializeWebSocketStorage(new
  // MemoryCacheManager())` (a shared store, as a custom adapter is), and on `RedisCacheManager`.
  'arcade-default': { script: 'targets/arcade.js', dialect: 'raw', env: { ARCADE_STORAGE: 'default' } },
  'arcade-memory': { script: 'targets/arcade.js', dialect: 'raw', env: { ARCADE_STORAGE: 'memory' } },
  'arcade-redis': { script: 'targets/arcade.js', dialect: 'raw', env: {}, redis: true },
  // The same server with its WebSocket routes on the events protocol (`handleEvents`): its overhead over
  // raw frames is reported against `arcade`.
  'arcade-events': { script: 'targets/arcade.js', dialect: 'events', env: { ARCADE_EVENTS: '1' } },
  // The same server with Prometheus metrics on (`runServer({ metrics: {} })`), reported against `arcade`.
  'arcade-metrics': { script: 'targets/arcade.js', dialect: 'raw', env: { ARCADE_METRICS: '1' } },
  ws: { script: 'targets/ws.js', dialect: 'raw', env: {} },
  'ws-batch': { script: 'targets/ws.js', dialect: 'raw', env: { WS_BATCH: '1' } },
  // Raw ws with hand-written Redis PUBLISH/SUBSCRIBE: the baseline of `arcade-redis`.
  'ws-redis': { script: 'targets/ws.js', dialect: 'raw', env: {}, redis: true },
  socketio: { script: 'targets/socketio.js', dialect: 'socketio', env: {} },
  fastify: { script: 'targets/fastify.js', dialect: 'raw', env: {} },
  'node-http': { script: 'targets/node-http.js', dialect: 'raw', env: {} },
} as const satisfies Record<string, TargetSpec>;
export type TargetName = keyof typeof TARGETS;

/** Whether a target stores in Redis, so that the scenario must give it a redis-server. */
export function needsRedis(target: TargetName): boolean {
  return (TARGETS[target] as TargetSpec).redis === true;
}

export const RESULTS_DIR = join(__dirname, '..', 'results');
const START_TIMEOUT_MS = 15_000;
const LOAD_TIMEOUT_MS = 90_000;

/** A running target server. */
export interface ServerHandle {
  child: ChildProcess;
  pid: number;
  port: number;
  dialect: Dialect;
  /** Processes whose CPU is reported apart from the server's (its redis-server), if any. */
  sidePids: number[];
}

/** Process-wide settings for the processes the runner starts. */
export const serverSettings = { cpuProf: false, cpuProfLoad: false };

/** `--cpu-prof` flags writing `<name>-<time>.cpuprofile` into bench/results/profiles. */
function cpuProfArgs(name: string): string[] {
  const dir = join(RESULTS_DIR, 'profiles');
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`];
}

/** How a target server is started. */
export interface ServerOptions {
  env?: Record<string, string>;
  openFiles?: number;
  /** Processes serving it whose CPU is reported apart (its redis-server). */
  sidePids?: number[];
}

/** Starts a target server and waits until it listens. */
export async function startServer(target: TargetName, extra: ServerOptions = {}): Promise<ServerHandle> {
  const spec = TARGETS[target];
  const execArgv = ['--expose-gc'];
  if (serverSettings.cpuProf) execArgv.push(...cpuProfArgs(target));
  const child = spawnNode(join(__dirname, spec.script), {
    env: { ...spec.env, ...extra.env },
    execArgv,
    ...(extra.openFiles === undefined ? {} : { openFiles: extra.openFiles }),
  });
  try {
    const ready = await nextMessage<FromServer, 'ready'>(
      child,
      'ready',
      START_TIMEOUT_MS,
      `target ${target}`,
    );
    return {
      child,
      pid: child.pid!,
      port: ready.port,
      dialect: spec.dialect,
      sidePids: extra.sidePids ?? [],
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** Sends a message to a server. */
export function tellServer(server: ServerHandle, message: ToServer): void {
  server.child.send(message);
}

/** Runs a full V8 collection in the server and returns its heap size afterwards. */
export async function collectGarbage(server: ServerHandle): Promise<number> {
  tellServer(server, { type: 'gc' });
  const done = await nextMessage<FromServer, 'gc-done'>(server.child, 'gc-done', 10_000, 'gc');
  return done.heapUsed;
}

/** Asks a server to close (so `--cpu-prof` can write its profile) and kills it if it lingers. */
export async function stopServer(server: ServerHandle): Promise<void> {
  if (server.child.connected) tellServer(server, { type: 'stop' });
  await waitForExit(server.child, 5000);
}

/** How a load-generator process is started and driven. */
export interface LoadOptions {
  openFiles?: number;
  /**
   * Called at each rung of an idle-connections job, once its connections are open; the next rung opens
   * (or, after the last, every connection closes) when it resolves.
   */
  onConnected?: (metrics: Metrics) => Promise<void>;
}

/** Runs one job in a fresh load-generator process and returns its metrics (a round job's per server). */
export function runLoad(job: RoundJob, options?: LoadOptions): Promise<Metrics[]>;
export function runLoad(job: Exclude<LoadJob, RoundJob>, options?: LoadOptions): Promise<Metrics>;
export async function runLoad(job: LoadJob, options: LoadOptions = {}): Promise<LoadResult> {
  const child = spawnNode(join(__dirname, 'load', 'main.js'), {
    execArgv: serverSettings.cpuProfLoad ? cpuProfArgs(`load-${job.kind}`) : [],
    ...(options.openFiles === undefined ? {} : { openFiles: options.openFiles }),
  });
  try {
    const send = (message: ToLoad): void => {
      child.send(message);
    };
    // Rungs are handled one after the other; a failing one ends the load (and is what gets thrown).
    const { onConnected } = options;
    let rungs = Promise.resolve();
    let rungError: unknown;
    if (onConnected !== undefined) {
      child.on('message', (message: FromLoad) => {
        if (message.type !== 'connected') return;
        rungs = rungs
          .then(() => onConnected(message.metrics))
          .then(
            () => send({ type: 'release' }),
            (error: unknown) => {
              rungError ??= error;
              child.kill('SIGKILL');
            },
          );
      });
    }
    send({ type: 'run', job });
    try {
      const result = await nextMessage<FromLoad, 'result'>(
        child,
        'result',
        LOAD_TIMEOUT_MS,
        `load ${job.kind}`,
      );
      return result.metrics;
    } catch (error) {
      throw rungError ?? error;
    }
  } finally {
    if (child.connected) child.disconnect();
    await waitForExit(child, 5000);
  }
}

/** Stops every server, whatever happens to the others. */
export async function stopAll(servers: readonly ServerHandle[]): Promise<void> {
  await Promise.all(servers.map((server) => stopServer(server)));
}
