import type { BenchOptions } from '../options';
import { runLoad, type TargetName } from '../processes';
import type { Metrics } from '../protocol';
import { filesFor } from './fanout';
import { measureRound } from './round';

/**
 * echo: every target of the round serves at once, one process each, with `echoConnections` clients
 * apiece; the load generator gives them turns in interleaved slices, the turn's clients sending at the
 * fixed total rate, every message coming back to its sender.
 */
export function runEchoRound(
  targets: readonly TargetName[],
  options: BenchOptions,
): Promise<PromiseSettledResult<Metrics>[]> {
  return measureRound(targets, { openFiles: filesFor(options.echoConnections) }, (servers) =>
    runLoad(
      {
        kind: 'echo',
        servers: servers.map(({ port, dialect, pid }) => ({ port, dialect, pid })),
        connections: options.echoConnections,
        rate: options.echoRate,
        payloadBytes: options.payloadBytes,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        slices: options.slices,
        connectConcurrency: 50,
      },
      { openFiles: filesFor(options.echoConnections * servers.length) },
    ),
  );
}
