import type { BenchOptions } from '../options';
import { runLoad, type ServerHandle, startServer, stopAll, type TargetName } from '../processes';
import type { FanoutJob, Metrics } from '../protocol';

/** The fan-out load job against `servers` (one, or two sharing Redis), charging `sidePids`' CPU apart. */
export function fanoutJob(
  options: BenchOptions,
  servers: readonly ServerHandle[],
  sidePids: number[],
): FanoutJob {
  return {
    kind: 'fanout',
    endpoints: servers.map((server) => ({ port: server.port, dialect: server.dialect })),
    serverPids: servers.map((server) => server.pid),
    sidePids,
    rooms: options.rooms,
    membersPerRoom: options.members,
    window: options.window,
    payloadBytes: options.payloadBytes,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    connectConcurrency: 50,
  };
}

/** Open files a process needs to hold `connections` sockets, with room for everything else. */
export function filesFor(connections: number): number {
  return connections + 512;
}

/** fan-out: one server, `rooms` x `members` clients, one publisher per room. */
export async function runFanoutScenario(target: TargetName, options: BenchOptions): Promise<Metrics> {
  const clients = options.rooms * options.members;
  const server = await startServer(target, { openFiles: filesFor(clients) });
  try {
    return await runLoad(fanoutJob(options, [server], []), { openFiles: filesFor(clients) });
  } finally {
    await stopAll([server]);
  }
}

/**
 * big-room: the fan-out on one room of `bigRoomMembers` clients: member 0 publishes (window as in
 * fan-out), so each message is one broadcast delivered to every member.
 */
export function runBigRoomScenario(target: TargetName, options: BenchOptions): Promise<Metrics> {
  return runFanoutScenario(target, { ...options, rooms: 1, members: options.bigRoomMembers });
}
