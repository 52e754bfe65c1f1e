import { delay } from '../load/pool';
import type { BenchOptions } from '../options';
import { memoryStatus } from '../proc-stats';
import { collectGarbage, runLoad, startServer, stopAll, type TargetName } from '../processes';
import type { ConnectionsJob, Metrics } from '../protocol';
import { filesFor } from './fanout';
import { withRedisFor } from './redis-for';

/** Lets timers and late callbacks of the last handshakes run before memory is read. */
const SETTLE_MS = 100;

/** Idle connections opened in rungs, each in one of `rooms` rooms. */
export interface IdleLoad {
  rooms: number;
  /** Total connections at each rung, increasing. */
  rungs: readonly number[];
  /** Connections opened and closed before each rung is measured (load/connections.ts). */
  warmup: number;
}

/**
 * Opens `load`'s rungs of idle connections to a fresh server of `target` (with a redis-server of its
 * own when it stores in Redis), warmed up first, and measures, at each rung: RSS and V8 heap per
 * connection (after full GCs, against the same after the warm-up, before the first connection),
 * connects/s and the server's CPU per connect (redis-server's apart) over the rung's new connections.
 * One set of metrics per rung.
 */
export async function measureIdle(target: TargetName, load: IdleLoad): Promise<Metrics[]> {
  const top = load.rungs[load.rungs.length - 1] ?? 0;
  const files = filesFor(top);
  return withRedisFor([target], { openFiles: files }, async (optionsFor) => {
    const server = await startServer(target, optionsFor(target));
    try {
      const job: ConnectionsJob = {
        kind: 'connections',
        endpoint: { port: server.port, dialect: server.dialect },
        pid: server.pid,
        sidePids: server.sidePids,
        rungs: [...load.rungs],
        rooms: load.rooms,
        connectConcurrency: 100,
        warmup: load.warmup,
      };
      // The baseline of a server that has run: what it compiled and pooled for its first connections
      // is the process's, not a share of each connection's memory.
      await runLoad({ ...job, rungs: [] }, { openFiles: files });
      const heapBefore = await collectGarbage(server);
      const rssBefore = memoryStatus(server.pid).rss;
      const rungs: Metrics[] = [];
      await runLoad(job, {
        openFiles: files,
        onConnected: async (metrics) => {
          await delay(SETTLE_MS);
          const heapAfter = await collectGarbage(server);
          const rssAfter = memoryStatus(server.pid).rss;
          const open = metrics.connections!;
          rungs.push({
            ...metrics,
            rssPerConnKiB: (rssAfter - rssBefore) / open / 1024,
            heapPerConnKiB: (heapAfter - heapBefore) / open / 1024,
            rssMiB: rssAfter / 2 ** 20,
          });
        },
      });
      return rungs;
    } finally {
      await stopAll([server]);
    }
  });
}

/** connections: `idleConnections` idle clients, each in one of 10 rooms (the first round's scenario). */
export async function runConnectionsScenario(target: TargetName, options: BenchOptions): Promise<Metrics> {
  const [metrics] = await measureIdle(target, {
    rooms: 10,
    rungs: [options.idleConnections],
    warmup: options.idleWarmup,
  });
  return metrics!;
}

/** storage-idle: `idleConnections` idle clients, each in one of `idleRooms` rooms. */
export async function runStorageIdleScenario(target: TargetName, options: BenchOptions): Promise<Metrics> {
  const [metrics] = await measureIdle(target, {
    rooms: options.idleRooms,
    rungs: [options.idleConnections],
    warmup: options.idleWarmup,
  });
  return metrics!;
}

/** The per-connection figures of the scale ladder, per rung and for its top rung. */
export const LADDER_METRICS = ['rssPerConnKiB', 'heapPerConnKiB', 'cpuUsPerConnect'] as const;

/**
 * scale: one server grows through `scaleRungs` idle connections (each in one of `idleRooms` rooms);
 * each rung's figures are kept as `r<count>.<metric>`, the top rung's also as `top.<metric>`, and how
 * much the heap per connection grew from the first rung to the top as `heapGrowth`.
 */
export async function runScaleScenario(target: TargetName, options: BenchOptions): Promise<Metrics> {
  const rungs = await measureIdle(target, {
    rooms: options.idleRooms,
    rungs: options.scaleRungs,
    warmup: options.idleWarmup,
  });
  const result: Metrics = {};
  for (const [i, metrics] of rungs.entries()) {
    const count = options.scaleRungs[i]!;
    for (const metric of LADDER_METRICS) result[`r${count}.${metric}`] = metrics[metric]!;
  }
  const first = rungs[0];
  const last = rungs[rungs.length - 1];
  if (first !== undefined && last !== undefined) {
    for (const metric of LADDER_METRICS) result[`top.${metric}`] = last[metric]!;
    result['top.connections'] = last.connections!;
    result['top.connectsPerSec'] = last.connectsPerSec!;
    result['top.rssMiB'] = last.rssMiB!;
    result.heapGrowth = last.heapPerConnKiB! / first.heapPerConnKiB!;
  }
  return result;
}
