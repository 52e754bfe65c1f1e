import { type ServerHandle, type ServerOptions, startServer, stopAll, type TargetName } from '../processes';
import type { Metrics } from '../protocol';
import { withRedisFor } from './redis-for';

/**
 * Starts the servers of a round's targets at once (with a redis-server for those that store in Redis),
 * has `measure` run the load on those that started (one set of metrics per server, in their order) and
 * maps its results back to the targets: a target whose server does not start fails alone. Every
 * started server is stopped, whatever happens.
 */
export function measureRound(
  targets: readonly TargetName[],
  serverOptions: ServerOptions,
  measure: (servers: readonly ServerHandle[]) => Promise<Metrics[]>,
): Promise<PromiseSettledResult<Metrics>[]> {
  return withRedisFor(targets, serverOptions, async (optionsFor) => {
    const started = await Promise.allSettled(
      targets.map((target) => startServer(target, optionsFor(target))),
    );
    const servers = started.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));
    try {
      const metrics = await measure(servers);
      return started.map(
        (start): PromiseSettledResult<Metrics> =>
          start.status === 'fulfilled'
            ? { status: 'fulfilled', value: metrics[servers.indexOf(start.value)]! }
            : start,
      );
    } finally {
      await stopAll(servers);
    }
  });
}
