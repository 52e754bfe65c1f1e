import { delay } from '../load/pool';
import type { BenchOptions } from '../options';
import { memoryStatus } from '../proc-stats';
import { collectGarbage, runLoad, startServer, stopAll, type TargetName } from '../processes';
import type { Metrics } from '../protocol';
import { filesFor } from './fanout';

/** Lets the server finish the work of the last handshakes (joins, timers) before memory is read. */
const SETTLE_MS = 300;

/**
 * connections: `idleConnections` idle clients (each in one of 10 rooms); server RSS and V8 heap per
 * connection, after full GCs before and after, and the connect rate.
 */
export async function runConnectionsScenario(target: TargetName, options: BenchOptions): Promise<Metrics> {
  const count = options.idleConnections;
  const server = await startServer(target, { openFiles: filesFor(count) });
  try {
    const heapBefore = await collectGarbage(server);
    const rssBefore = memoryStatus(server.pid).rss;
    let heapAfter = Number.NaN;
    let rssAfter = Number.NaN;
    const metrics = await runLoad(
      {
        kind: 'connections',
        endpoint: { port: server.port, dialect: server.dialect },
        connections: count,
        rooms: 10,
        connectConcurrency: 100,
      },
      {
        openFiles: filesFor(count),
        onConnected: async () => {
          await delay(SETTLE_MS);
          heapAfter = await collectGarbage(server);
          rssAfter = memoryStatus(server.pid).rss;
        },
      },
    );
    const open = metrics.connections!;
    return {
      ...metrics,
      rssPerConnKiB: (rssAfter - rssBefore) / open / 1024,
      heapPerConnKiB: (heapAfter - heapBefore) / open / 1024,
      rssMiB: rssAfter / 2 ** 20,
    };
  } finally {
    await stopAll([server]);
  }
}
