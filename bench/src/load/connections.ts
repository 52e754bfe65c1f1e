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

/**
 * Opens idle connections rung by rung (`job.rungs`: the total at each), each joining one of `rooms`
 * rooms, with at most `connectConcurrency` handshakes in flight. At each rung, `whileOpen` gets the
 * rung's figures (the runner reads the server's memory then); the next rung opens once it resolves.
 * All connections close at the end. Resolves with the figures of the last rung.
 *
 * A rung's CPU window runs from its first handshake to {@link SETTLE_MS} after its last: the server's
 * CPU per connect (and its redis-server's apart), idle timers included, which cost nothing measurable.
 */
export async function runConnections(
  job: ConnectionsJob,
  whileOpen: (metrics: Metrics) => Promise<void>,
): Promise<Metrics> {
  const noop = (): void => undefined;
  const clients: Array<BenchClient | null> = [];
  let failed = 0;
  let metrics: Metrics = {};
  try {
    for (const total of job.rungs) {
      const first = clients.length;
      const count = total - first;
      if (count <= 0) continue;
      const cpu = new CpuWindow([job.pid, ...job.sidePids], (pid) =>
        pid === job.pid ? cpuMicros(pid) : threadCpuMicros(pid),
      );
      const failedBefore = failed;
      cpu.start();
      const startedAt = performance.now();
      const opened = await mapLimited(count, job.connectConcurrency, (i) =>
        BenchClient.open(
          job.endpoint.port,
          roomPath(job.endpoint.dialect, `idle-${(first + i) % job.rooms}`),
          job.endpoint.dialect,
          noop,
        ).catch(() => {
          failed++;
          return null;
        }),
      );
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
