import { type ServerHandle, type ServerOptions, startServer, stopAll, type TargetName } from '../processes';
import type { Metrics } from '../protocol';

/**
 * Starts the servers of a round's targets at once, has `measure` run the load on those that started
 * (one set of metrics per server, in their order) and maps its results back to the targets: a target
 * whose server does not start fails alone. Every started server is stopped, whatever happens.
 */
export async function measureRound(
  targets: readonly TargetName[],
  serverOptions: ServerOptions,
  measure: (servers: readonly ServerHandle[]) => Promise<Metrics[]>,
): Promise<PromiseSettledResult<Metrics>[]> {
  const started = await Promise.allSettled(targets.map((target) => startServer(target, serverOptions)));
  const servers = started.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));
  try {
    const metrics = await measure(servers);
    return started.map((start) =>
      start.status === 'fulfilled'
        ? { status: 'fulfilled', value: metrics[servers.indexOf(start.value)]! }
        : start,
    );
  } finally {
    await stopAll(servers);
  }
}
