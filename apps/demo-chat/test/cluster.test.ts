import { type RedisTestServer, startRedisServer } from '@arcade/cache-redis/testing';
import { httpRequest, RecordingLogger } from '@arcade/test-support';
import { type ChatServer, createChatServer } from '../src';
import { ChatClient } from './support/chat-client';
import { UNREACHED_LIMITS } from './support/limits';

// Two chat instances in one process, each its own app and its own Redis connection, on one real Redis.
let redis: RedisTestServer;
let a: ChatServer;
let b: ChatServer;
const clients: ChatClient[] = [];

async function clientOn(server: ChatServer, name: string): Promise<ChatClient> {
  const c = await ChatClient.connect(server.url, name);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  redis = await startRedisServer();
  const options = {
    port: 0,
    host: '127.0.0.1',
    redisUrl: redis.url,
    adminToken: 'cluster-token',
    clientLimits: UNREACHED_LIMITS,
  };
  a = await createChatServer({ ...options, logger: new RecordingLogger() });
  b = await createChatServer({ ...options, logger: new RecordingLogger() });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.stop();
});

it('runs two instances with different ids', () => {
  expect(a.serverInstanceId).not.toBe(b.serverInstanceId);
});

it('delivers room messages and typing between instances', async () => {
  const ada = await clientOn(a, 'Ada');
  const bea = await clientOn(b, 'Bea');
  await ada.join('spanning');
  const joined = await bea.join('spanning');
  expect(joined.members.map((m) => m.name)).toEqual(['Ada', 'Bea']);
  expect(await ada.next('memberJoined')).toMatchObject({ member: { name: 'Bea' }, memberCount: 2 });

  bea.client.send('typing', { typing: true });
  expect(await ada.next('typing')).toMatchObject({ from: { name: 'Bea' }, typing: true });
  await bea.say('from B');
  expect(await ada.next('line')).toMatchObject({ text: 'from B', from: { id: bea.connectionId } });
  await ada.say('from A');
  expect(await bea.next('line', (line) => line.text === 'from A')).toMatchObject({
    from: { name: 'Ada' },
  });
  // Each line reached each member once, its sender too, and in the same order on both instances.
  for (const member of [ada, bea]) {
    expect(member.all('line').map((line) => line.text)).toEqual(['from B', 'from A']);
  }
});

it('shows history written on one instance to a user joining on the other', async () => {
  const ada = await clientOn(a, 'Ada');
  await ada.join('remembered');
  await ada.say('first');
  await ada.say('second');
  const bea = await clientOn(b, 'Bea');
  const joined = await bea.join('remembered');
  expect(joined.lines.map((line) => line.text)).toEqual(['first', 'second']);
});

it('sends a private message to a user on the other instance', async () => {
  const ada = await clientOn(a, 'Ada');
  const bea = await clientOn(b, 'Bea');
  await ada.join('whisper');
  await bea.join('whisper');
  const copy = await ada.client.request('whisper', { to: bea.connectionId, text: 'across the cluster' });
  expect(await bea.next('whisper')).toMatchObject({
    from: { id: ada.connectionId, name: 'Ada' },
    to: { id: bea.connectionId, name: 'Bea' },
    text: 'across the cluster',
  });
  expect(copy).toMatchObject({ text: 'across the cluster' });
});

it('lists rooms, members and connections of the whole cluster from either instance', async () => {
  const ada = await clientOn(a, 'Ada');
  const bea = await clientOn(b, 'Bea');
  await ada.join('census');
  await bea.join('census');
  const rooms = await httpRequest(`${b.url}/api/rooms`);
  expect(rooms.json<{ rooms: unknown[] }>().rooms).toContainEqual({ name: 'census', memberCount: 2 });
  const members = await httpRequest(`${a.url}/api/rooms/census/members`);
  expect(members.json()).toMatchObject({ count: 2 });
  const connections = await httpRequest(`${a.url}/api/ws/connections`, {
    headers: { authorization: 'Bearer cluster-token' },
  });
  const ids = connections.json<{ connections: { id: string; serverInstanceId: string }[] }>().connections;
  expect(ids).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ id: ada.connectionId, serverInstanceId: a.serverInstanceId }),
      expect.objectContaining({ id: bea.connectionId, serverInstanceId: b.serverInstanceId }),
    ]),
  );
});

it('broadcasts an admin announcement to connections on every instance', async () => {
  const ada = await clientOn(a, 'Ada');
  const bea = await clientOn(b, 'Bea');
  const reply = await httpRequest(`${a.url}/api/broadcast`, {
    method: 'POST',
    headers: { authorization: 'Bearer cluster-token', 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'cluster-wide notice' }),
  });
  expect(reply.status).toBe(200);
  expect(await ada.next('announcement')).toMatchObject({ text: 'cluster-wide notice' });
  expect(await bea.next('announcement')).toMatchObject({ text: 'cluster-wide notice' });
});
