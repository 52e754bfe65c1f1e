import { httpRequest, RecordingLogger } from '@arcade/test-support';
import { type ChatServer, createChatServer, HISTORY_LENGTH, MAX_FRAME_BYTES, MAX_TEXT_LENGTH } from '../src';
import { ChatClient, outcomeOf, refusalOf } from './support/chat-client';
import { UNREACHED_LIMITS } from './support/limits';
import { RawEventsClient } from './support/raw-events-client';

const ADMIN_TOKEN = 'test-admin-token';

let server: ChatServer;
const clients: (ChatClient | RawEventsClient)[] = [];

async function client(name: string): Promise<ChatClient> {
  const c = await ChatClient.connect(server.url, name);
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
    const alice = await client('Alice');
    expect(alice.received[0]).toMatchObject({ event: 'welcome', data: { connectionId: alice.connectionId } });
    expect(alice.received[0]?.data).toHaveProperty('limits.maxTextLength', MAX_TEXT_LENGTH);
  });

  it('creates the room on first join and lists the members with their names', async () => {
    const alice = await client('Alice');
    const bob = await client('  Bob   Builder ');
    const first = await alice.join('join-room');
    expect(first).toMatchObject({
      room: 'join-room',
      you: { id: alice.connectionId, name: 'Alice' },
      lines: [],
      recovered: true,
    });
    expect(first.members).toEqual([{ id: alice.connectionId, name: 'Alice' }]);

    const second = await bob.join('join-room');
    expect(second.you.name).toBe('Bob Builder');
    expect(second.members.map((m) => m.name)).toEqual(['Alice', 'Bob Builder']);
    const notice = await alice.next('memberJoined');
    expect(notice).toMatchObject({
      room: 'join-room',
      member: { id: bob.connectionId, name: 'Bob Builder' },
      memberCount: 2,
    });
  });

  it('keeps the chosen name as connection metadata', async () => {
    const alice = await client('Alice');
    await alice.join('metadata-room');
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
    const alice = await client('Alice');
    const bob = await client('Bob');
    await alice.join('move-from');
    await bob.join('move-from');
    await alice.next('memberJoined');
    await bob.join('move-to');
    const left = await alice.next('memberLeft');
    expect(left).toMatchObject({
      room: 'move-from',
      member: { id: bob.connectionId, name: 'Bob' },
      memberCount: 1,
    });
    // The server moved the connection: it is no longer a member of the room it left.
    const members = await httpRequest(`${server.url}/api/rooms/move-from/members`);
    expect(members.json()).toMatchObject({ members: [{ id: alice.connectionId }], count: 1 });
  });

  it('announces a closed connection to its room', async () => {
    const alice = await client('Alice');
    const bob = await client('Bob');
    await alice.join('close-room');
    await bob.join('close-room');
    await bob.close();
    const left = await alice.next('memberLeft');
    expect(left).toMatchObject({ member: { id: bob.connectionId, name: 'Bob' }, memberCount: 1 });
  });

  it("leaves a room with the protocol's leave", async () => {
    const alice = await client('Alice');
    await alice.join('leave-room');
    await alice.client.leave('leave-room');
    expect(await alice.trySay('still here?')).toBe('NOT_JOINED');
    const refusal = await refusalOf(alice.client.request('roomView', { room: 'leave-room', history: false }));
    expect(refusal.code).toBe('NOT_JOINED');
  });
});

describe('validation', () => {
  it.each([
    ['', 'INVALID_NAME', 'cannot be empty'],
    ['   ', 'INVALID_NAME', 'cannot be empty'],
    ['x'.repeat(33), 'INVALID_NAME', 'at most 32'],
    ['<img>', 'INVALID_NAME', 'letters, digits'],
  ])('refuses the join of a connection named %j with %s', async (name, code, words) => {
    const refusal = await refusalOf((await client(name)).client.join('r'));
    expect(refusal).toMatchObject({ code, room: 'r' });
    expect(refusal.message).toContain(words);
  });

  it.each([
    ['r'.repeat(41), 'at most 40'],
    ['a/b', 'letters, digits'],
    [' padded', 'no spaces at either end'],
    ['two  spaces', 'no double spaces'],
  ])('refuses to join the room %j', async (room, words) => {
    const refusal = await refusalOf((await client('Alice')).client.join(room));
    expect(refusal.code).toBe('INVALID_ROOM');
    expect(refusal.message).toContain(words);
  });

  it('answers frames that are not of the protocol, an unknown event and a binary frame, and stays open', async () => {
    const raw = await RawEventsClient.connect(server.url, 'Rob');
    clients.push(raw);
    void raw.client.send('hello?');
    void raw.client.send(Buffer.from([1, 2, 3]));
    void raw.client.send(JSON.stringify({ t: 'req', id: 7, event: 'shout', data: {} }));
    expect(await raw.answer(7)).toMatchObject({ code: 'UNKNOWN_EVENT' });
    expect(raw.refusals('BAD_FRAME')).toHaveLength(2);
    expect(await raw.answer(raw.request('listRooms'))).toMatchObject({ t: 'res' });
  });

  it('closes the connection of a frame over the size limit with 1009', async () => {
    const raw = await RawEventsClient.connect(server.url, 'Rob');
    clients.push(raw);
    raw.request('say', { text: 'x'.repeat(MAX_FRAME_BYTES) });
    expect((await raw.client.closed).code).toBe(1009);
  });

  it('refuses chat before joining', async () => {
    const refusal = await refusalOf((await client('Alice')).client.request('say', { text: 'hello' }));
    expect(refusal).toMatchObject({ code: 'NOT_JOINED', message: 'Join a room first.' });
  });

  it.each([
    ['empty', '', 'Empty messages'],
    ['whitespace-only', ' \n\t ', 'Empty messages'],
    ['too long', 'y'.repeat(MAX_TEXT_LENGTH + 1), `at most ${MAX_TEXT_LENGTH}`],
    ['control characters', 'bell\u0007', 'control characters'],
  ])('refuses %s text with the rule it breaks', async (_label, text, words) => {
    const alice = await client('Alice');
    await alice.join('text-room');
    const refusal = await refusalOf(alice.client.request('say', { text }));
    expect(refusal.code).toBe('INVALID_PAYLOAD');
    expect(refusal.issues).toEqual([{ message: expect.stringContaining(words), path: ['text'] }]);
  });

  it('refuses payloads of the wrong shape for every kind of frame', async () => {
    const raw = await RawEventsClient.connect(server.url, 'Rob');
    clients.push(raw);
    const answers = await Promise.all([
      raw.answer(raw.request('say', 'hello')),
      raw.answer(raw.request('whisper', { text: 'psst' })),
      raw.answer(raw.request('roomView', { room: 'lobby', history: 'yes' })),
      raw.answer(raw.request('listRooms', { all: true })),
    ]);
    for (const answer of answers) expect(answer).toMatchObject({ t: 'err', code: 'INVALID_PAYLOAD' });
    expect(answers[1]?.message).toContain('"to"');
    raw.emit('typing', { typing: 'maybe' });
    await raw.client.nextJson((frame: { event?: string; code?: string }) => frame.code === 'INVALID_PAYLOAD');
    expect(raw.refusals('INVALID_PAYLOAD', 'typing')).toHaveLength(1);
  });

  it('refuses the view of a room the connection is not in', async () => {
    const alice = await client('Alice');
    await alice.join('here');
    const refusal = await refusalOf(alice.client.request('roomView', { room: 'elsewhere', history: true }));
    expect(refusal.code).toBe('NOT_JOINED');
  });
});

describe('messages', () => {
  it('broadcasts a line to the room with a server timestamp and its history position', async () => {
    const alice = await client('Alice');
    const bob = await client('Bob');
    await alice.join('talk-room');
    await bob.join('talk-room');
    const before = new Date().toISOString();
    // A client's own `at` is ignored (the schema keeps only the fields it knows).
    const payload = { text: '  hello, Bob  ', at: '1999-01-01T00:00:00.000Z' };
    const sent = await alice.client.request('say', payload);
    const line = await bob.next('line');
    const after = new Date().toISOString();
    expect(line).toMatchObject({
      id: sent.id,
      room: 'talk-room',
      text: 'hello, Bob',
      from: { id: alice.connectionId, name: 'Alice' },
    });
    expect(line.at >= before && line.at <= after).toBe(true);
    expect(bob.received.find((r) => r.data === line)?.meta).toEqual({
      room: 'talk-room',
      position: sent.position,
    });
    expect(await alice.next('line')).toEqual(line);
  });

  it('delivers each line once to every member, its sender too', async () => {
    const alice = await client('Alice');
    const bob = await client('Bob');
    await alice.join('once-room');
    await bob.join('once-room');
    const first = await alice.say('once');
    await bob.say('barrier');
    // Lines reach every member in one order: by Bob's own line, Alice's came to both, or never will.
    await alice.next('line', (line) => line.text === 'barrier');
    for (const member of [alice, bob]) {
      expect(member.all('line').filter((line) => line.id === first.id)).toHaveLength(1);
    }
  });

  it('does not deliver a line to another room', async () => {
    const alice = await client('Alice');
    const carol = await client('Carol');
    await alice.join('room-one');
    await carol.join('room-two');
    await alice.say('only for room one');
    await carol.say('only for room two');
    expect(carol.all('line').some((line) => line.text === 'only for room one')).toBe(false);
  });

  it('relays typing to the others in the room, not to the typist', async () => {
    const alice = await client('Alice');
    const bob = await client('Bob');
    await alice.join('typing-room');
    await bob.join('typing-room');
    alice.client.send('typing', { typing: true });
    expect(await bob.next('typing')).toMatchObject({
      from: { id: alice.connectionId, name: 'Alice' },
      typing: true,
    });
    // Alice's own line comes after her typing event, so by then she would have had the echo.
    await alice.say('done typing');
    expect(alice.all('typing')).toEqual([]);
  });

  it(`keeps the last ${HISTORY_LENGTH} lines of a room for those who join later`, async () => {
    const alice = await client('Alice');
    await alice.join('history-room');
    const sent = Array.from({ length: HISTORY_LENGTH + 15 }, (_, i) =>
      alice.client.request('say', { text: `line ${i + 1}` }),
    );
    await Promise.all(sent);
    const bob = await client('Bob');
    const joined = await bob.join('history-room');
    expect(joined.lines.map((line) => line.text)).toEqual(
      Array.from({ length: HISTORY_LENGTH }, (_, i) => `line ${i + 16}`),
    );
  });

  it('sends a private message to one user and answers the sender with its copy', async () => {
    const alice = await client('Alice');
    const bob = await client('Bob');
    const carol = await client('Carol');
    await alice.join('dm-room');
    await bob.join('dm-room');
    await carol.join('dm-room');
    const copy = await alice.client.request('whisper', { to: bob.connectionId, text: 'psst' });
    expect(copy).toMatchObject({
      from: { id: alice.connectionId, name: 'Alice' },
      to: { id: bob.connectionId, name: 'Bob' },
      text: 'psst',
    });
    expect(await bob.next('whisper')).toEqual(copy);
    await alice.say('barrier');
    await carol.next('line', (line) => line.text === 'barrier');
    expect(carol.all('whisper')).toEqual([]);
  });

  it('refuses a private message to nobody', async () => {
    const alice = await client('Alice');
    await alice.join('dm-room-2');
    expect(await outcomeOf(alice.client.request('whisper', { to: 'no-such-connection', text: 'hi' }))).toBe(
      'RECIPIENT_NOT_FOUND',
    );
  });
});

describe('rooms', () => {
  it('lists rooms with member counts and drops a room once it is empty', async () => {
    const alice = await client('Alice');
    const bob = await client('Bob');
    await alice.join('listed-busy');
    await bob.join('listed-busy');
    const carol = await client('Carol');
    await carol.join('listed-quiet');

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
    await carol.join('listed-busy');
    const listed = await alice.client.request('listRooms');
    expect(listed).toContainEqual({ name: 'listed-busy', memberCount: 3 });
    expect(listed.map((room) => room.name)).not.toContain('listed-quiet');
  });

  it('lists the members of a room with their names', async () => {
    const alice = await client('Alice');
    await alice.join('members-room');
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
    const alice = await client('Alice');
    const bob = await client('Bob');
    await alice.join('broadcast-room');
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

  it('refuses lines past the per-address limit and tells when to retry', async () => {
    const alice = await ChatClient.connect(strict.url, 'Alice');
    const bob = await ChatClient.connect(strict.url, 'Bob', { localAddress: '127.0.0.2' });
    local.push(alice, bob);
    await alice.join('busy');
    await bob.join('busy');
    await alice.say('one');
    await alice.say('two');
    await alice.client.request('whisper', { to: bob.connectionId, text: 'three' });
    const refusal = await refusalOf(alice.client.request('say', { text: 'four' }));
    expect(refusal.code).toBe('RATE_LIMITED');
    expect(refusal.message).toMatch(/too fast: wait \d+ s and try again/);
    // The limit is per client address: Bob, on another one, still talks.
    await bob.say('bob is fine');
    expect(alice.all('line').some((line) => line.text === 'four')).toBe(false);
  });

  it('keeps the admin API closed when no token is configured', async () => {
    const reply = await httpRequest(`${strict.url}/api/ws/connections`, {
      headers: { authorization: 'Bearer anything' },
    });
    expect(reply.status).toBe(403);
    expect(reply.json()).toMatchObject({ error: { message: expect.stringContaining('ADMIN_TOKEN') } });
  });
});
