import type { BenchOptions } from '../options';
import { runLoad, startServer, stopAll, type TargetName } from '../processes';
import type { Metrics } from '../protocol';
import { JSON_PATH, PARAM_SAMPLE_PATH } from '../targets/http-routes';

const ROUTES = { json: JSON_PATH, param: PARAM_SAMPLE_PATH } as const;

/** http: autocannon on the JSON route, then on the path-parameter route, of one server. */
export async function runHttpScenario(target: TargetName, options: BenchOptions): Promise<Metrics> {
  const server = await startServer(target);
  try {
    const metrics: Metrics = {};
    for (const [name, path] of Object.entries(ROUTES)) {
      const result = await runLoad({
        kind: 'http',
        port: server.port,
        path,
        serverPid: server.pid,
        connections: options.httpConnections,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
      });
      for (const [key, value] of Object.entries(result)) metrics[`${name}.${key}`] = value;
    }
    return metrics;
  } finally {
    await stopAll([server]);
  }
}
