import type { BenchOptions } from '../options';
import { runLoad, type TargetName } from '../processes';
import type { Metrics } from '../protocol';
import { JSON_PATH, PARAM_SAMPLE_PATH } from '../targets/http-routes';
import { measureRound } from './round';

const ROUTES = { json: JSON_PATH, param: PARAM_SAMPLE_PATH } as const;

/**
 * http: every target of the round serves at once, one process each; per route, the load generator gives
 * them turns in interleaved slices.
 */
export function runHttpRound(
  targets: readonly TargetName[],
  options: BenchOptions,
): Promise<PromiseSettledResult<Metrics>[]> {
  return measureRound(targets, {}, async (servers) => {
    const metrics = servers.map((): Metrics => ({}));
    for (const [name, path] of Object.entries(ROUTES)) {
      const results = await runLoad({
        kind: 'http',
        servers: servers.map(({ port, pid }) => ({ port, pid })),
        path,
        connections: options.httpConnections,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        slices: options.slices,
      });
      results.forEach((result, i) => {
        for (const [key, value] of Object.entries(result)) metrics[i]![`${name}.${key}`] = value;
      });
    }
    return metrics;
  });
}
