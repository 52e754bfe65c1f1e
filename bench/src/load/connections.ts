import { cpuMicros, threadCpuMicros } from '../proc-stats';
import type { ConnectionsJob, Metrics } from '../protocol';
import { roomPath } from '../protocol';
import { BenchClient } from './bench-client';
import { CpuWindow } from './cpu-window';
import { delay, mapLimited } from './pool';

/**
 * Lets the server finish the work of a rung's last handshakes (joins, storage writes) inside the rung's
 * CPU window: a client sees the upgrade before the server has joined it to its room.
 */
const SETTLE_MS = 200;

/** Lets the server finish the warm-up connections' closes before the rung's CPU window opens. */
const WARMUP_SETTLE_MS = 200;

/** Opens `count` connections, `concurrency` handshakes at a time, spread over `rooms` rooms from `first`. */
function openMany(
  job: ConnectionsJob,
  first: number,
  count: number,
  onFailure: () => void,
): Promise<Array<BenchClient | null>> {
  const noop = (): void => undefined;
  return mapLimited(count, job.connectConcurrency, (i) =>
    BenchClient.open(
      job.endpoint.port,
      roomPath(job.endpoint.dialect, `idle-${(first + i) % job.rooms}`),
      job.endpoint.dialect,
      noop,
    ).catch(() => {
      onFailure();
      return null;
    }),
  );
}

/**
 * Opens and closes `job.warmup` connections, unmeasured. Each rung follows the runner's memory reading
 * of the rung before (or its baseline), whose forced full collections leave V8 free to drop the
 * optimised code of the connect path: the maps it was specialised for have no live object while the
 * server is idle. Without this, every rung's CPU would include compiling that path again, a cost of
 * the benchmark's own collections that a running server does not pay, and one that grows with the
 * amount of code on the path rather than with the work per connection.
 */
async function warmUp(job: ConnectionsJob): Promise<void> {
  if (job.warmup <= 0) return;
  // A batch of handshakes in flight at a time, each closed before the next opens: the server runs its
  // connect and close paths `warmup` times but never holds more than a batch, so the memory it takes
  // for them (freed, but kept by V8 and malloc) is a batch's, not `warmup` connections' counted again
  // in the rung's RSS.
  for (let done = 0; done < job.warmup; done += job.connectConcurrency) {
    const batch = Math.min(job.connectConcurrency, job.warmup - done);
    const opened = await openMany(job, done, batch, () => undefined);
    await Promise.all(opened.map((client) => client?.close()));
  }
  await delay(WARMUP_SETTLE_MS);
}

/**
 * Opens idle connections rung by rung (`job.rungs`: the total at each), each joining one of `rooms`
 * rooms, with at most `connectConcurrency` handshakes in flight, each rung after a {@link warmUp}. At
 * each rung, `whileOpen` gets the rung's figures (the runner reads the server's memory then); the next
 * rung opens once it resolves. All connections close at the end. Resolves with the figures of the last
 * rung. A job without rungs only warms the server up (and resolves with no figures).
 *
 * A rung's CPU window runs from its first handshake to {@link SETTLE_MS} after its last: the server's
 * CPU per connect (and its redis-server's apart), idle timers included, which cost nothing measurable.
 */
export async function runConnections(
  job: ConnectionsJob,
  whileOpen: (metrics: Metrics) => Promise<void>,
): Promise<Metrics> {
  const clients: Array<BenchClient | null> = [];
  let failed = 0;
  let metrics: Metrics = {};
  if (job.rungs.length === 0) await warmUp(job);
  try {
    for (const total of job.rungs) {
      const first = clients.length;
      const count = total - first;
      if (count <= 0) continue;
      const cpu = new CpuWindow([job.pid, ...job.sidePids], (pid) =>
        pid === job.pid ? cpuMicros(pid) : threadCpuMicros(pid),
      );
      const failedBefore = failed;
      await warmUp(job);
      cpu.start();
      const startedAt = performance.now();
      const opened = await openMany(job, first, count, () => {
        failed++;
      });
      const elapsedMs = performance.now() - startedAt;
      await delay(SETTLE_MS);
      cpu.stop();
      clients.push(...opened);
      const connected = count - (failed - failedBefore);
      const [serverCpu = 0, ...sideCpu] = cpu.cpu;
      metrics = {
        connections: clients.length - failed,
        failedConnects: failed,
        connectsPerSec: (connected / elapsedMs) * 1000,
        cpuUsPerConnect: serverCpu / connected,
        ...(sideCpu.length === 0
          ? {}
          : { redisCpuUsPerConnect: sideCpu.reduce((a, b) => a + b, 0) / connected }),
      };
      await whileOpen(metrics);
    }
  } finally {
    await Promise.all(clients.map((client) => client?.close()));
  }
  return metrics;
}
