import { interleavedTurns } from '../load/interleave';
import { delay } from '../load/pool';
import type { BenchOptions } from '../options';
import { memoryStatus } from '../proc-stats';
import {
  collectGarbage,
  runLoad,
  type ServerHandle,
  startServer,
  stopAll,
  type TargetName,
} from '../processes';
import type { ConnectionsJob, Metrics } from '../protocol';
import { filesFor } from './fanout';
import { withRedisFor } from './redis-for';
import { measureRound } from './round';
import { SlicedLoad } from './sliced-load';

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

/** A server's memory after full collections: what its figures per connection are counted from. */
interface MemoryReading {
  heap: number;
  rss: number;
}

async function readMemory(server: ServerHandle): Promise<MemoryReading> {
  const heap = await collectGarbage(server);
  return { heap, rss: memoryStatus(server.pid).rss };
}

/** `figures` with the memory per open connection since `baseline`, read now. */
async function withMemory(server: ServerHandle, baseline: MemoryReading, figures: Metrics): Promise<Metrics> {
  await delay(SETTLE_MS);
  const after = await readMemory(server);
  const open = figures.connections!;
  return {
    ...figures,
    rssPerConnKiB: (after.rss - baseline.rss) / open / 1024,
    heapPerConnKiB: (after.heap - baseline.heap) / open / 1024,
    rssMiB: after.rss / 2 ** 20,
  };
}

/** The connections job of `load` against `server`. */
function connectionsJob(server: ServerHandle, load: IdleLoad): ConnectionsJob {
  return {
    kind: 'connections',
    endpoint: { port: server.port, dialect: server.dialect },
    pid: server.pid,
    sidePids: server.sidePids,
    rungs: [...load.rungs],
    rooms: load.rooms,
    connectConcurrency: 100,
    warmup: load.warmup,
  };
}

/**
 * The baseline of a server that has run, read after a warm-up: what it compiled and pooled for its
 * first connections is the process's, not a share of each connection's memory.
 */
async function warmBaseline(server: ServerHandle, load: IdleLoad, openFiles: number): Promise<MemoryReading> {
  await runLoad({ ...connectionsJob(server, load), rungs: [] }, { openFiles });
  return readMemory(server);
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
  const openFiles = filesFor(top);
  return withRedisFor([target], { openFiles }, async (optionsFor) => {
    const server = await startServer(target, optionsFor(target));
    try {
      const baseline = await warmBaseline(server, load, openFiles);
      const rungs: Metrics[] = [];
      await runLoad(connectionsJob(server, load), {
        openFiles,
        onConnected: async (figures) => {
          rungs.push(await withMemory(server, baseline, figures));
        },
      });
      return rungs;
    } finally {
      await stopAll([server]);
    }
  });
}

/**
 * `connections` idle connections to each target of a round, all served at once, the targets taking
 * turns to open theirs in `slices` interleaved slices (load/interleave.ts), so that the machine's drift
 * falls on all of them alike, as in the echo scenarios. A server's memory baseline is read after a
 * warm-up at its first turn, and its memory again after its last slice. Connects/s and CPU per connect
 * are over the target's own slices; a slice's CPU window closes before the next target's opens.
 */
function idleRound(rooms: (options: BenchOptions) => number) {
  return (
    targets: readonly TargetName[],
    options: BenchOptions,
  ): Promise<PromiseSettledResult<Metrics>[]> => {
    const connections = options.idleConnections;
    const slices = Math.max(1, Math.min(options.slices, connections));
    const load: IdleLoad = {
      rooms: rooms(options),
      rungs: Array.from({ length: slices }, (_, i) => Math.round((connections * (i + 1)) / slices)),
      warmup: options.idleWarmup,
    };
    const openFiles = filesFor(connections);
    return measureRound(targets, { openFiles }, async (servers) => {
      const loads = servers.map((server) => {
        const job: ConnectionsJob = { ...connectionsJob(server, load), slices: true };
        return new SlicedLoad((onConnected) => runLoad(job, { openFiles, onConnected }));
      });
      const turns = interleavedTurns(servers.length, slices);
      const lastTurn = new Map(turns.map((index, turn) => [index, turn]));
      const baselines: MemoryReading[] = [];
      const results: Metrics[] = [];
      let complete = false;
      try {
        for (const [turn, index] of turns.entries()) {
          const server = servers[index]!;
          const sliced = loads[index]!;
          // Read right before its first slice and right after its last, as measureIdle reads around a
          // rung: both readings follow a burst of the server's own work, not a wait through the others'.
          baselines[index] ??= await warmBaseline(server, load, openFiles);
          await sliced.next();
          if (lastTurn.get(index) === turn) {
            results[index] = await withMemory(server, baselines[index]!, sliced.figures);
          }
        }
        complete = true;
        return results;
      } finally {
        await Promise.allSettled(loads.map((sliced) => (complete ? sliced.finish() : sliced.abort())));
      }
    });
  };
}

/** connections: `idleConnections` idle clients per target, each in one of 10 rooms (the first round's scenario). */
export const runConnectionsRound = idleRound(() => 10);

/** storage-idle: `idleConnections` idle clients per target, each in one of `idleRooms` rooms. */
export const runStorageIdleRound = idleRound((options) => options.idleRooms);

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
