import type { BenchOptions } from '../options';
import { runLoad, startServer, stopAll, type TargetName } from '../processes';
import type { Metrics } from '../protocol';
import { JSON_PATH, PARAM_SAMPLE_PATH } from '../targets/http-routes';

const ROUTES = { json: JSON_PATH, param: PARAM_SAMPLE_PATH } as const;

/**
 * http: every target of the round serves at once, one process each; per route, the load generator gives
 * them turns in interleaved slices. A target whose server does not start fails alone.
 */
export async function runHttpRound(
  targets: readonly TargetName[],
  options: BenchOptions,
): Promise<PromiseSettledResult<Metrics>[]> {
  const started = await Promise.allSettled(targets.map((target) => startServer(target)));
  const servers = started.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));
  try {
    const metrics = servers.map((): Metrics => ({}));
    for (const [name, path] of Object.entries(ROUTES)) {
      const results = await runLoad({
        kind: 'http',
        servers: servers.map(({ port, pid }) => ({ port, pid })),
        path,
        connections: options.httpConnections,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        slices: options.httpSlices,
      });
      results.forEach((result, i) => {
        for (const [key, value] of Object.entries(result)) metrics[i]![`${name}.${key}`] = value;
      });
    }
    return started.map((start) =>
      start.status === 'fulfilled'
        ? { status: 'fulfilled', value: metrics[servers.indexOf(start.value)]! }
        : start,
    );
  } finally {
    await stopAll(servers);
  }
}
