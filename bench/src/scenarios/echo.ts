import type { BenchOptions } from '../options';
import { runLoad, startServer, stopAll, type TargetName } from '../processes';
import type { Metrics } from '../protocol';
import { filesFor } from './fanout';

/** echo: `echoConnections` clients at a fixed total rate; every message comes back to its sender. */
export async function runEchoScenario(target: TargetName, options: BenchOptions): Promise<Metrics> {
  const server = await startServer(target, { openFiles: filesFor(options.echoConnections) });
  try {
    return await runLoad(
      {
        kind: 'echo',
        endpoint: { port: server.port, dialect: server.dialect },
        serverPids: [server.pid],
        connections: options.echoConnections,
        rate: options.echoRate,
        payloadBytes: options.payloadBytes,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        connectConcurrency: 50,
      },
      { openFiles: filesFor(options.echoConnections) },
    );
  } finally {
    await stopAll([server]);
  }
}
