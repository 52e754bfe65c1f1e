import { httpRequest, RecordingLogger } from '@arcade/test-support';
import { type ChatServer, createChatServer, HISTORY_LENGTH, MAX_FRAME_BYTES, MAX_TEXT_LENGTH } from '../src';
import { ChatClient } from './support/chat-client';
import { UNREACHED_LIMITS } from './support/limits';

const ADMIN_TOKEN = 'test-admin-token';

let server: ChatServer;
const clients: ChatClient[] = [];

async function client(): Promise<ChatClient> {
  const c = await ChatClient.connect(server.url);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  server = await createChatServer({
    port: 0,
    host: '127.0.0.1',
    adminToken: ADMIN_TOKEN,
    clientLimits: UNREACHED_LIMITS,
    logger: new RecordingLogger(),
  });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.close();
});

describe('joining', () => {
  it('greets a new connection with its id and the limits', async () => {
    const alice = await client();
    const welcome = alice.received[0];
    expect(welcome).toMatchObject({ type: 'welcome', connectionId: alice.connectionId });
    expect(welcome).toHaveProperty('limits.maxTextLength', MAX_TEXT_LENGTH);
  });

  it('creates the room on first join and lists the members with their names', async () => {
    const alice = await client();
    const bob = await client();
    const first = await alice.join('Alice', 'join-room');
    expect(first).toMatchObject({
      room: 'join-room',
      you: { id: alice.connectionId, name: 'Alice' },
      history: [],
    });
    expect(first.members).toEqual([{ id: alice.connectionId, name: 'Alice' }]);

    const second = await bob.join('  Bob   Builder ', 'join-room');
    expect(second.you.name).toBe('Bob Builder');
    expect(second.members.map((m) => m.name)).toEqual(['Alice', 'Bob Builder']);
    const notice = await alice.next('member_joined');
    expect(notice).toMatchObject({
      room: 'join-room',
      member: { id: bob.connectionId, name: 'Bob Builder' },
      memberCount: 2,
    });
  });

  it('keeps the chosen name as connection metadata', async () => {
    const alice = await client();
    await alice.join('Alice', 'metadata-room');
    const reply = await httpRequest(`${server.url}/api/ws/connections`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const body = reply.json<{
      connections: { id: string; metadata: Record<string, unknown>; rooms: string[] }[];
    }>();
    const mine = body.connections.find((c) => c.id === alice.connectionId);
    expect(mine?.metadata).toMatchObject({ name: 'Alice', room: 'metadata-room' });
    expect(mine?.rooms).toEqual(['metadata-room']);
  });

  it('moves a user between rooms and tells the old room', async () => {
    const alice = await client();
    const bob = await client();
    await alice.join('Alice', 'move-from');
    await bob.join('Bob', 'move-from');
    await alice.next('member_joined');
    await bob.join('Bob', 'move-to');
    const left = await alice.next('member_left');
    expect(left).toMatchObject({
      room: 'move-from',
      member: { id: bob.connectionId, name: 'Bob' },
      memberCount: 1,
    });
  });

  it('announces a closed connection to its room', async () => {
    const alice = await client();
    const bob = await client();
    await alice.join('Alice', 'close-room');
    await bob.join('Bob', 'close-room');
    await bob.close();
    const left = await alice.next('member_left');
    expect(left).toMatchObject({ member: { id: bob.connectionId, name: 'Bob' }, memberCount: 1 });
  });

  it('confirms an explicit leave', async () => {
    const alice = await client();
    await alice.join('Alice', 'leave-room');
    alice.send({ type: 'leave' });
    expect(await alice.next('left')).toEqual({ type: 'left', room: 'leave-room' });
    alice.send({ type: 'message', text: 'still here?' });
    expect(await alice.nextError()).toMatchObject({ code: 'not_joined', requestType: 'message' });
  });
});

describe('validation', () => {
  it.each([
    [{ type: 'join', name: '', room: 'r' }, 'invalid_name', 'cannot be empty'],
    [{ type: 'join', name: '   ', room: 'r' }, 'invalid_name', 'cannot be empty'],
    [{ type: 'join', name: 'x'.repeat(33), room: 'r' }, 'invalid_name', 'at most 32'],
    [{ type: 'join', name: '<img>', room: 'r' }, 'invalid_name', 'letters, digits'],
    [{ type: 'join', name: 'Alice', room: '' }, 'invalid_room', 'cannot be empty'],
    [{ type: 'join', name: 'Alice', room: 'r'.repeat(41) }, 'invalid_room', 'at most 40'],
    [{ type: 'join', name: 'Alice', room: 'a/b' }, 'invalid_room', 'letters, digits'],
    [{ type: 'join', name: 'Alice' }, 'invalid_room', 'cannot be empty'],
    [{ type: 'shout', text: 'hi' }, 'unknown_type', 'Unknown message type "shout"'],
    [{ text: 'hi' }, 'invalid_json', '"type" string'],
  ])('answers %j with %s', async (frame, code, words) => {
    const alice = await client();
    alice.send(frame);
    const error = await alice.nextError();
    expect(error.code).toBe(code);
    expect(error.message).toContain(words);
  });

  it('answers a frame that is not JSON', async () => {
    const alice = await client();
    alice.sendRaw('hello?');
    expect(await alice.nextError()).toMatchObject({ code: 'invalid_json' });
  });

  it('answers a binary frame', async () => {
    const alice = await client();
    alice.sendRaw(Buffer.from([1, 2, 3]));
    expect(await alice.nextError()).toMatchObject({ code: 'unsupported_frame' });
  });

  it('answers a frame over the size limit', async () => {
    const alice = await client();
    await alice.join('Alice', 'size-room');
    alice.send({ type: 'message', text: 'x'.repeat(MAX_FRAME_BYTES) });
    const error = await alice.nextError();
    expect(error).toMatchObject({ code: 'too_large' });
    expect(error.message).toContain(String(MAX_FRAME_BYTES));
  });

  it('refuses chat before joining', async () => {
    const alice = await client();
    alice.send({ type: 'message', text: 'hello' });
    const error = await alice.nextError();
    expect(error).toMatchObject({ code: 'not_joined', requestType: 'message' });
    expect(error.message).toContain('Join a room first');
  });

  it.each([
    ['empty', '', 'Empty messages'],
    ['whitespace-only', ' \n\t ', 'Empty messages'],
    ['too long', 'y'.repeat(MAX_TEXT_LENGTH + 1), `at most ${MAX_TEXT_LENGTH}`],
    ['control characters', 'bell\u0007', 'control characters'],
  ])('refuses %s text', async (_label, text, words) => {
    const alice = await client();
    await alice.join('Alice', 'text-room');
    alice.send({ type: 'message', text });
    const error = await alice.nextError();
    expect(error).toMatchObject({ code: 'invalid_text', requestType: 'message' });
    expect(error.message).toContain(words);
  });
});

describe('messages', () => {
  it('broadcasts a message to the room with a server timestamp', async () => {
    const alice = await client();
    const bob = await client();
    await alice.join('Alice', 'talk-room');
    await bob.join('Bob', 'talk-room');
    const before = new Date().toISOString();
    alice.send({ type: 'message', text: '  hello, Bob  ', at: '1999-01-01T00:00:00.000Z' });
    const line = await bob.next('message');
    const after = new Date().toISOString();
    expect(line).toMatchObject({
      room: 'talk-room',
      text: 'hello, Bob',
      from: { id: alice.connectionId, name: 'Alice' },
    });
    expect(line.at >= before && line.at <= after).toBe(true);
    expect(await alice.next('message')).toEqual(line);
  });

  it('delivers each line once to every member, its sender too', async () => {
    const alice = await client();
    const bob = await client();
    await alice.join('Alice', 'once-room');
    await bob.join('Bob', 'once-room');
    const first = await alice.say('once');
    await bob.say('barrier');
    // Lines reach every member in one order: by Bob's own line, Alice's came to both, or never will.
    await alice.next('message', (line) => line.text === 'barrier');
    for (const member of [alice, bob]) {
      expect(member.received.filter((m) => m.type === 'message' && m.id === first.id)).toHaveLength(1);
    }
  });

  it('does not deliver a message to another room', async () => {
    const alice = await client();
    const carol = await client();
    await alice.join('Alice', 'room-one');
    await carol.join('Carol', 'room-two');
    await alice.say('only for room one');
    await carol.say('only for room two');
    expect(carol.received.some((m) => m.type === 'message' && m.text === 'only for room one')).toBe(false);
  });

  it('relays typing to the others in the room, not to the typist', async () => {
    const alice = await client();
    const bob = await client();
    await alice.join('Alice', 'typing-room');
    await bob.join('Bob', 'typing-room');
    alice.send({ type: 'typing', typing: true });
    expect(await bob.next('typing')).toMatchObject({
      from: { id: alice.connectionId, name: 'Alice' },
      typing: true,
    });
    // Alice's own line comes after her typing event, so by then she would have had the echo.
    await alice.say('done typing');
    expect(alice.received.some((m) => m.type === 'typing')).toBe(false);
  });

  it(`keeps the last ${HISTORY_LENGTH} messages of a room for those who join later`, async () => {
    const alice = await client();
    await alice.join('Alice', 'history-room');
    for (let i = 1; i <= HISTORY_LENGTH + 15; i += 1) alice.send({ type: 'message', text: `line ${i}` });
    await alice.next('message', (line) => line.text === `line ${HISTORY_LENGTH + 15}`);
    const bob = await client();
    const joined = await bob.join('Bob', 'history-room');
    expect(joined.history).toHaveLength(HISTORY_LENGTH);
    expect(joined.history.map((line) => line.text)).toEqual(
      Array.from({ length: HISTORY_LENGTH }, (_, i) => `line ${i + 16}`),
    );
  });

  it('sends a private message to one user and echoes it to the sender', async () => {
    const alice = await client();
    const bob = await client();
    const carol = await client();
    await alice.join('Alice', 'dm-room');
    await bob.join('Bob', 'dm-room');
    await carol.join('Carol', 'dm-room');
    alice.send({ type: 'private', to: bob.connectionId, text: 'psst' });
    const received = await bob.next('private');
    expect(received).toMatchObject({
      from: { id: alice.connectionId, name: 'Alice' },
      to: { id: bob.connectionId, name: 'Bob' },
      text: 'psst',
    });
    expect(await alice.next('private')).toEqual(received);
    await alice.say('barrier');
    await carol.next('message', (line) => line.text === 'barrier');
    expect(carol.received.some((m) => m.type === 'private')).toBe(false);
  });

  it('refuses a private message to nobody', async () => {
    const alice = await client();
    await alice.join('Alice', 'dm-room-2');
    alice.send({ type: 'private', to: 'no-such-connection', text: 'hello?' });
    expect(await alice.nextError()).toMatchObject({ code: 'recipient_not_found', requestType: 'private' });
  });
});

describe('rooms API', () => {
  it('lists rooms with member counts and drops a room once it is empty', async () => {
    const alice = await client();
    const bob = await client();
    await alice.join('Alice', 'listed-busy');
    await bob.join('Bob', 'listed-busy');
    const carol = await client();
    await carol.join('Carol', 'listed-quiet');

    const reply = await httpRequest(`${server.url}/api/rooms`);
    expect(reply.status).toBe(200);
    const rooms = reply.json<{ rooms: { name: string; memberCount: number }[] }>().rooms;
    expect(rooms).toEqual(
      expect.arrayContaining([
        { name: 'listed-busy', memberCount: 2 },
        { name: 'listed-quiet', memberCount: 1 },
      ]),
    );

    // Carol moves: once her join is confirmed she has left the quiet room, which is now empty.
    await carol.join('Carol', 'listed-busy');
    alice.send({ type: 'list_rooms' });
    const listed = await alice.next('rooms');
    expect(listed.rooms).toContainEqual({ name: 'listed-busy', memberCount: 3 });
    expect(listed.rooms.map((room) => room.name)).not.toContain('listed-quiet');
  });

  it('lists the members of a room with their names', async () => {
    const alice = await client();
    await alice.join('Alice', 'members-room');
    const reply = await httpRequest(`${server.url}/api/rooms/members-room/members`);
    expect(reply.json()).toEqual({
      roomId: 'members-room',
      members: [{ id: alice.connectionId, name: 'Alice' }],
      count: 1,
    });
  });

  it('answers 400 for an invalid room name', async () => {
    const reply = await httpRequest(`${server.url}/api/rooms/${encodeURIComponent('<b>')}/members`);
    expect(reply.status).toBe(400);
    expect(reply.json()).toMatchObject({ error: { statusCode: 400 } });
  });

  it('answers health checks', async () => {
    const reply = await httpRequest(`${server.url}/healthz`);
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({
      status: 'ok',
      storage: 'ready',
      serverInstanceId: server.serverInstanceId,
    });
  });

  it('serves the page', async () => {
    const reply = await httpRequest(`${server.url}/`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toContain('text/html');
    expect(reply.text).toContain('<title>Arcade chat</title>');
  });
});

describe('admin API', () => {
  it.each([
    ['no token', undefined],
    ['a wrong token', 'Bearer nope'],
    ['a token without Bearer', ADMIN_TOKEN],
  ])('refuses the connection list with %s', async (_label, authorization) => {
    const reply = await httpRequest(`${server.url}/api/ws/connections`, {
      headers: authorization ? { authorization } : {},
    });
    expect(reply.status).toBe(401);
    expect(reply.json()).toMatchObject({
      error: { statusCode: 401, message: expect.stringContaining('Bearer') },
    });
  });

  it('broadcasts an announcement to every connection with the token', async () => {
    const alice = await client();
    const bob = await client();
    await alice.join('Alice', 'broadcast-room');
    const reply = await httpRequest(`${server.url}/api/broadcast`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Maintenance at noon' }),
    });
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ sent: true });
    expect(await alice.next('announcement')).toMatchObject({ text: 'Maintenance at noon' });
    expect(await bob.next('announcement')).toMatchObject({ text: 'Maintenance at noon' });
  });

  it('refuses a broadcast without the token or with an empty message', async () => {
    const withoutToken = await httpRequest(`${server.url}/api/broadcast`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hi' }),
    });
    expect(withoutToken.status).toBe(401);
    const empty = await httpRequest(`${server.url}/api/broadcast`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: '   ' }),
    });
    expect(empty.status).toBe(400);
    expect(empty.json()).toMatchObject({ error: { message: expect.stringContaining('Empty messages') } });
  });
});

describe('with a strict rate limit and no admin token', () => {
  let strict: ChatServer;
  const local: ChatClient[] = [];

  beforeAll(async () => {
    strict = await createChatServer({
      port: 0,
      host: '127.0.0.1',
      clientLimits: { ...UNREACHED_LIMITS, chat: { messages: 3, perMs: 60_000 } },
      logger: new RecordingLogger(),
    });
  });

  afterAll(async () => {
    await Promise.all(local.map((c) => c.close()));
    await strict.close();
  });

  it('refuses messages past the per-address limit and tells when to retry', async () => {
    const alice = await ChatClient.connect(strict.url);
    const bob = await ChatClient.connect(strict.url, { localAddress: '127.0.0.2' });
    local.push(alice, bob);
    await alice.join('Alice', 'busy');
    await bob.join('Bob', 'busy');
    await alice.say('one');
    await alice.say('two');
    alice.send({ type: 'private', to: bob.connectionId, text: 'three' });
    await alice.next('private');
    alice.send({ type: 'message', text: 'four' });
    const error = await alice.nextError();
    expect(error).toMatchObject({ code: 'rate_limited', requestType: 'message' });
    expect(error.message).toContain('too fast');
    expect(error.retryAfterMs).toBeGreaterThan(0);
    // The limit is per client address: Bob, on another one, still talks.
    await bob.say('bob is fine');
    expect(alice.received.some((m) => m.type === 'message' && m.text === 'four')).toBe(false);
  });

  it('keeps the admin API closed when no token is configured', async () => {
    const reply = await httpRequest(`${strict.url}/api/ws/connections`, {
      headers: { authorization: 'Bearer anything' },
    });
    expect(reply.status).toBe(403);
    expect(reply.json()).toMatchObject({ error: { message: expect.stringContaining('ADMIN_TOKEN') } });
  });
});
