// Clients of the real server: test/support/test-client.ts's recorded client (ws's WebSocket, no network
// monitor, short backoff, statuses, errors and joins recorded), typed by the e2e events map, that also
// records every `line` it receives, so a test compares what a member got with the room's history.
import type { ArcadeClient, ClientOptions, JoinInfo, JoinResult, RoomPosition } from '../../../src/index';
import { AwaitableLog } from '../../support/awaitable-log';
import { type Recorded, testClient } from '../../support/test-client';
import type { E2eEvents } from './e2e-events';

/** One `line` as the client's listener got it. */
export interface ReceivedLine {
  readonly n: number;
  /** Set for lines kept in a room's history. */
  readonly room: string | undefined;
  readonly position: RoomPosition | undefined;
}

/** A recorded client of the e2e routes. */
export interface E2eClient extends Omit<Recorded, 'client'> {
  readonly client: ArcadeClient<E2eEvents>;
  /** Every line received, in order. */
  readonly lines: AwaitableLog<ReceivedLine>;
  /** The `n` of the lines received from `room`'s history, in arrival order. */
  numbersOf(room: string): number[];
  /** Resolves once line `n` of `room` has arrived, before the call or after it. */
  received(room: string, n: number): Promise<void>;
  /** `client.join(room)`, with its `onJoin` report consumed: `nextJoin` then awaits the rejoins. */
  join(room: string): Promise<JoinResult>;
  /** The next join or rejoin of `room` reported to `onJoin`. */
  nextJoin(room: string): Promise<{ room: string; info: JoinInfo }>;
}

/**
 * A recorded client of `url` (test-client.ts's `testClient`, whose own map is the unit tests' one: the
 * client is the same object, typed here by the e2e map).
 */
export function e2eClient(url: string, options: ClientOptions = {}): E2eClient {
  const recorded = testClient(url, options);
  const client = recorded.client as unknown as ArcadeClient<E2eEvents>;
  const lines = new AwaitableLog<ReceivedLine>();
  const arrived = new AwaitableLog<ReceivedLine>();
  client.on('line', ({ n }, meta) => {
    const line = { n, room: meta.room, position: meta.position };
    lines.push(line);
    arrived.push(line);
  });
  const nextJoin = (room: string) => recorded.joins.next((join) => join.room === room, `a join of ${room}`);
  return {
    ...recorded,
    client,
    lines,
    numbersOf: (room) => lines.all.filter((line) => line.room === room).map((line) => line.n),
    received: async (room, n) => {
      await arrived.next((line) => line.room === room && line.n === n, `line ${n} of ${room}`);
    },
    join: async (room) => {
      const result = await client.join(room);
      await nextJoin(room);
      return result;
    },
    nextJoin,
  };
}
