import type { BenchOptions } from '../options';
import { runLoad, type TargetName } from '../processes';
import type { EchoRoute, Metrics } from '../protocol';
import { filesFor } from './fanout';
import { measureRound } from './round';

/** What distinguishes the echo scenarios: the route the clients use, the total rate, the length. */
interface EchoLoad {
  route: EchoRoute;
  rate(options: BenchOptions): number;
  /**
   * How many times `durationMs` and `slices` a round runs: 1, or more where a percentile is the goal
   * (see {@link runEchoLatencyRound}).
   */
  length: number;
}

/**
 * An echo scenario's round: every target of the round serves at once, one process each (and one
 * redis-server shared by those that store in Redis), with `echoConnections` clients apiece; the load
 * generator gives them turns in interleaved slices, the turn's clients sending at the fixed total rate,
 * every message coming back to its sender.
 */
function echoRound(load: EchoLoad) {
  return (targets: readonly TargetName[], options: BenchOptions): Promise<PromiseSettledResult<Metrics>[]> =>
    measureRound(targets, { openFiles: filesFor(options.echoConnections) }, (servers) =>
      runLoad(
        {
          kind: 'echo',
          servers: servers.map(({ port, dialect, pid, sidePids }) => ({ port, dialect, pid, sidePids })),
          connections: options.echoConnections,
          route: load.route,
          rate: load.rate(options),
          payloadBytes: options.payloadBytes,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs * load.length,
          slices: options.slices * load.length,
          connectConcurrency: 50,
        },
        { openFiles: filesFor(options.echoConnections * servers.length) },
      ),
    );
}

/** echo: the echo route (`websocket.add`, `ws.send`) at `echoRate`. */
export const runEchoRound = echoRound({ route: 'echo', rate: (o) => o.echoRate, length: 1 });

/** storage-echo: echo through the room route (`emitToRoom`), each connection alone in its room, at `echoRate`. */
export const runStorageEchoRound = echoRound({ route: 'room', rate: (o) => o.echoRate, length: 1 });

/**
 * echo-latency: the same path at the low rate `latencyRate`, for round-trip percentiles, this many times
 * as long and in this many times as many slices as the other echo scenarios: a p99 below a millisecond is
 * set by the VM's stalls, and a stall lands in one server's slice; over more slices both servers get
 * their share of them (bench/README.md, "Sample results").
 */
export const LATENCY_LENGTH = 3;

/** echo-latency's round, {@link LATENCY_LENGTH} times as long. */
export const runEchoLatencyRound = echoRound({
  route: 'room',
  rate: (o) => o.latencyRate,
  length: LATENCY_LENGTH,
});
