import type { FromServer, ToServer } from '../protocol';

/** A started target server. */
export interface RunningTarget {
  port: number;
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 2_000;

function send(message: FromServer): void {
  process.send?.(message);
}

/**
 * Runs a target under the runner: reports `ready` with its port, answers `gc` (servers are started with
 * `--expose-gc`, so idle-memory figures do not depend on when V8 last collected) and on `stop` closes
 * and exits normally, which lets `--cpu-prof` write its profile. Losing the runner ends the process.
 */
export function serveUnderRunner(start: () => Promise<RunningTarget>): void {
  start().then(
    (target) => {
      process.on('message', (message: ToServer) => {
        if (message.type === 'gc') {
          void collectFully().then((heapUsed) => send({ type: 'gc-done', heapUsed }));
        } else if (message.type === 'stop') {
          const exit = (): never => process.exit(0);
          setTimeout(exit, CLOSE_GRACE_MS).unref();
          target.close().then(exit, exit);
        }
      });
      send({ type: 'ready', port: target.port });
    },
    (error: unknown) => {
      send({
        type: 'error',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      process.exit(1);
    },
  );
  process.on('disconnect', () => process.exit(0));
}

/** Full GCs until one frees nothing more: what is left is what the process holds. */
const MAX_FULL_GCS = 5;

/**
 * Collects until the heap stops shrinking (at most {@link MAX_FULL_GCS} full GCs) and returns the
 * heap in use. The event loop turns between collections: finalizers and weak-reference clean-ups
 * only run then, and what they release is freed by the next collection, not counted as memory the
 * connections hold.
 */
async function collectFully(): Promise<number> {
  const collect = (globalThis as { gc?: () => void }).gc;
  let used = process.memoryUsage().heapUsed;
  for (let round = 0; collect !== undefined && round < MAX_FULL_GCS; round += 1) {
    collect();
    const after = process.memoryUsage().heapUsed;
    if (round > 0 && after >= used) return after;
    used = after;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return used;
}

/** The Redis URL given by the runner for the cluster scenario, if any. */
export function redisUrl(): string | undefined {
  return process.env.REDIS_URL || undefined;
}

/**
 * The seed nodes given by the runner for the cluster-sharded scenario (`REDIS_CLUSTER_NODES`, comma-separated
 * `redis://host:port` URLs), if any.
 */
export function redisClusterNodes(): string[] | undefined {
  const nodes = process.env.REDIS_CLUSTER_NODES?.split(',').filter((node) => node !== '');
  return nodes === undefined || nodes.length === 0 ? undefined : nodes;
}

/**
 * The baselines' ioredis settings: the client `@arcade/cache-redis` uses (the same ioredis major,
 * package.json) on the protocol it speaks (RESP2), so that a ratio against a baseline on Redis measures
 * what Arcade does, not the difference between two versions of the client.
 */
export const REDIS_CLIENT_OPTIONS = { protocol: 2 } as const;

/** `redis://host:port` as ioredis's `{ host, port }`. */
export function hostAndPort(url: string): { host: string; port: number } {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port) };
}

/** Writes a server-side failure to stderr (targets must not crash on one bad message). */
export function reportError(error: unknown): void {
  process.stderr.write(`target ${process.pid}: ${error instanceof Error ? error.message : String(error)}\n`);
}
