import type { TestClient } from '@arcade/test-support';
import { start } from '../src/room-chat';
import { nextOfType, type RunningExample, useExample } from './support/example';

interface RoomJoined {
  type: 'room_joined';
  roomId: string;
  members: string[];
  memberCount: number;
}

/** Joins `room` and reads the client's id: the member its room_joined lists that was not there before. */
async function join(example: RunningExample, room: string, known: string[] = []) {
  const { client, first: joined } = await example.connectFor<RoomJoined>(`/ws/chat/${room}`, 'room_joined');
  const id = joined.members.find((member) => !known.includes(member));
  if (id === undefined) throw new Error('the new member is not listed');
  return { client, id, joined };
}

const chatFrom = (client: TestClient) => nextOfType(client, 'chat_message');

describe('room-chat', () => {
  const example = useExample(start);

  it('tells a newcomer who is in the room, and the room about the newcomer', async () => {
    const alice = await join(example(), 'lobby');
    expect(alice.joined).toEqual({
      type: 'room_joined',
      roomId: 'lobby',
      members: [alice.id],
      memberCount: 1,
    });
    const bob = await join(example(), 'lobby', [alice.id]);
    expect(bob.joined.memberCount).toBe(2);
    expect(await alice.client.nextJson()).toEqual({ type: 'user_joined', userId: bob.id, memberCount: 2 });
  });

  it('delivers messages to the room only, and typing to the others', async () => {
    const alice = await join(example(), 'lobby');
    const bob = await join(example(), 'lobby', [alice.id]);
    const carol = await join(example(), 'kitchen');

    await alice.client.send(JSON.stringify({ type: 'typing' }));
    expect(await nextOfType(bob.client, 'user_typing')).toEqual({
      type: 'user_typing',
      userId: alice.id,
    });
    await alice.client.send(JSON.stringify({ type: 'message', message: 'hi' }));
    for (const { client } of [alice, bob]) {
      expect(await chatFrom(client)).toEqual({
        type: 'chat_message',
        from: alice.id,
        message: 'hi',
        timestamp: expect.any(String),
      });
    }
    // Alice's own typing never came back to her: her pending frames hold none.
    expect(alice.client.unconsumed.filter((frame) => frame.text.includes('user_typing'))).toEqual([]);
    // Carol, in another room, gets her room's message first.
    await carol.client.send(JSON.stringify({ type: 'message', message: 'kitchen only' }));
    expect(await chatFrom(carol.client)).toMatchObject({ from: carol.id, message: 'kitchen only' });
  });

  it('lists the members of a room over HTTP', async () => {
    const alice = await join(example(), 'lobby');
    const bob = await join(example(), 'lobby', [alice.id]);
    const sorted = [alice.id, bob.id].sort();
    const info = (await example().request('/api/rooms/lobby')).json<{ members: string[] }>();
    expect({ ...info, members: [...info.members].sort() }).toEqual({
      roomId: 'lobby',
      members: sorted,
      memberCount: 2,
    });
    const list = (await example().request('/api/rooms/lobby/members')).json<{ members: string[] }>();
    expect({ ...list, members: [...list.members].sort() }).toEqual({
      roomId: 'lobby',
      members: sorted,
      count: 2,
    });
  });

  it('moves a user between rooms', async () => {
    const alice = await join(example(), 'lobby');
    const carol = await join(example(), 'kitchen');
    const moved = await example().post(`/api/users/${carol.id}/move-room`, { from: 'kitchen', to: 'lobby' });
    expect(moved.json()).toEqual({ moved: true, from: 'kitchen', to: 'lobby' });
    expect((await example().request('/api/rooms/kitchen')).json()).toMatchObject({ memberCount: 0 });

    await alice.client.send(JSON.stringify({ type: 'message', message: 'welcome carol' }));
    expect(await chatFrom(carol.client)).toMatchObject({ from: alice.id, message: 'welcome carol' });
  });

  it('answers 404 when moving an unknown user, and 400 without a target room', async () => {
    const unknown = await example().post('/api/users/nobody/move-room', { to: 'x' });
    expect(unknown.status).toBe(404);
    const invalid = await example().post('/api/users/nobody/move-room', { from: 'x' });
    expect(invalid.status).toBe(400);
  });
});
