import { getConnectionInfo, getRoomMembers } from '@arcade/ws';
import { ChatService, start } from '../src/multi-room-chat';
import { nextOfType, type RunningExample, useExample } from './support/example';

async function connect(example: RunningExample) {
  const client = await example.connect('/ws/multi-chat');
  const hello = await client.nextJson<{ type: string; connectionId: string; availableRooms: string[] }>();
  expect(hello).toEqual({
    type: 'connection_established',
    connectionId: expect.any(String),
    availableRooms: ['general', 'random'],
  });
  const send = (message: object) => client.send(JSON.stringify(message));
  const next = (type: string) => nextOfType(client, type);
  return { client, id: hello.connectionId, send, next };
}

describe('multi-room-chat', () => {
  const example = useExample(start);

  it('lists the rooms', async () => {
    const alice = await connect(example());
    await alice.send({ action: 'list_rooms' });
    expect(await alice.next('room_list')).toEqual({ type: 'room_list', rooms: ['general', 'random'] });
  });

  it('joins rooms with a username, sends to the members and keeps the room history', async () => {
    const alice = await connect(example());
    const bob = await connect(example());
    for (const [user, username] of [
      [alice, 'alice'],
      [bob, 'bob'],
    ] as const) {
      await user.send({ action: 'join_room', roomId: 'general', username });
      expect(await user.next('room_joined')).toEqual({ type: 'room_joined', roomId: 'general' });
    }
    expect((await getConnectionInfo(alice.id))?.metadata).toMatchObject({
      currentRoom: 'general',
      username: 'alice',
    });

    await bob.send({ action: 'send_message', roomId: 'general', text: 'hello general' });
    const expected = {
      type: 'chat_message',
      roomId: 'general',
      from: bob.id,
      message: 'hello general',
      timestamp: expect.any(String),
    };
    expect(await alice.next('chat_message')).toEqual(expected);
    expect(await bob.next('chat_message')).toEqual(expected);
    expect(ChatService.rooms.get('general')?.messages.at(-1)).toEqual(expected);
  });

  it('leaves a room', async () => {
    const alice = await connect(example());
    await alice.send({ action: 'join_room', roomId: 'random' });
    await alice.next('room_joined');
    await alice.send({ action: 'leave_room', roomId: 'random' });
    expect(await alice.next('room_left')).toEqual({ type: 'room_left', roomId: 'random' });
    expect(await getRoomMembers('random')).toEqual([]);
  });

  it('ignores rooms that do not exist and messages that are not JSON', async () => {
    const alice = await connect(example());
    await alice.send({ action: 'join_room', roomId: 'nowhere' });
    await alice.client.send('not json');
    await alice.send({ action: 'list_rooms' });
    // The first answer is the room list: nothing came back for the two before it.
    expect(await alice.client.nextJson()).toMatchObject({ type: 'room_list' });
    expect(await getRoomMembers('nowhere')).toEqual([]);
  });
});
