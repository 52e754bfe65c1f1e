// What the three storage examples have in common: the room relay of src/room-relay.ts.
import type { TestClient } from '@arcade/test-support';
import { nextOfType } from './example';

/** A client in a room of the relay, and its connection id. */
export interface RelayMember {
  readonly client: TestClient;
  readonly id: string;
}

/** Opens `/ws/rooms/<room>` with `connect` and reads the connection id from the welcome. */
export async function joinRelay(
  connect: (path: string) => Promise<TestClient>,
  room: string,
): Promise<RelayMember> {
  const client = await connect(`/ws/rooms/${encodeURIComponent(room)}`);
  const joined = await nextOfType<{ type: 'joined'; id: string; roomId: string }>(client, 'joined');
  expect(joined.roomId).toBe(room);
  return { client, id: joined.id };
}

/** Sends `text` from `sender` and checks that every one of `receivers` gets it, from `sender`. */
export async function expectRelayed(
  sender: RelayMember,
  text: string,
  receivers: RelayMember[],
): Promise<void> {
  await sender.client.send(text);
  for (const receiver of receivers) {
    expect(await nextOfType(receiver.client, 'message')).toEqual({
      type: 'message',
      from: sender.id,
      message: text,
    });
  }
}
