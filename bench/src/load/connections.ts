import type { ConnectionsJob, Metrics } from '../protocol';
import { roomPath } from '../protocol';
import { BenchClient } from './bench-client';
import { mapLimited } from './pool';

/**
 * Opens `connections` idle connections (each joins one of `rooms` rooms, as in fan-out) with at most
 * `connectConcurrency` handshakes in flight; calls `whileOpen` once all are open (the runner measures
 * the server's memory then) and closes them afterwards.
 */
export async function runConnections(
  job: ConnectionsJob,
  whileOpen: (metrics: Metrics) => Promise<void>,
): Promise<Metrics> {
  const noop = (): void => undefined;
  let failed = 0;
  const startedAt = performance.now();
  const clients = await mapLimited(job.connections, job.connectConcurrency, (index) =>
    BenchClient.open(
      job.endpoint.port,
      roomPath(job.endpoint.dialect, `idle-${index % job.rooms}`),
      job.endpoint.dialect,
      noop,
    ).catch(() => {
      failed++;
      return null;
    }),
  );
  const elapsedMs = performance.now() - startedAt;
  const metrics: Metrics = {
    connections: job.connections - failed,
    failedConnects: failed,
    connectsPerSec: ((job.connections - failed) / elapsedMs) * 1000,
  };
  await whileOpen(metrics);
  await Promise.all(clients.map((client) => client?.close()));
  return metrics;
}
