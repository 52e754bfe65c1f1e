import { expectUpgradeRefused, RecordingLogger, waitFor } from '@arcade/test-support';
import { ChatConfigError, type ChatServer, type ClientLimitOptions, createChatServer } from '../src';
import { ClientLimits, resolveClientLimits } from '../src/client-limits';
import { ChatClient, refusalOf } from './support/chat-client';
import { UNREACHED_LIMITS } from './support/limits';
import { RawEventsClient } from './support/raw-events-client';

// What one client address gets through, whatever it sends and however many connections it opens.
// The probe of issue 18 saw 300 `typing` frames reach a member as 101 events, and 100 joins make 50
// joined and 50 left notices in 2 s. (Chat lines over many fresh connections: test/bounds.test.ts.)
// The floods are written by hand (RawEventsClient), as a script would: no client library in between.

const clients: (ChatClient | RawEventsClient)[] = [];

async function connect(server: ChatServer, name: string, localAddress = '127.0.0.1'): Promise<ChatClient> {
  const client = await ChatClient.connect(server.url, name, { localAddress });
  clients.push(client);
  return client;
}

async function connectRaw(server: ChatServer, name: string): Promise<RawEventsClient> {
  const client = await RawEventsClient.connect(server.url, name, '127.0.0.1');
  clients.push(client);
  return client;
}

/**
 * `total` frames from one address over as many connections as it takes to keep each under the
 * transport's own limit (@arcade/ws drops a connection's frames past 100 a second), so that every
 * frame reaches the chat and only the chat's budgets decide.
 */
const FRAMES_PER_CONNECTION = 75;

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

describe('frame budgets per client address', () => {
  const small: Partial<ClientLimitOptions> = {
    typing: { messages: 5, perMs: 3_600_000 },
    membership: { messages: 4, perMs: 3_600_000 },
    roomList: { messages: 3, perMs: 3_600_000 },
    roomView: { messages: 2, perMs: 3_600_000 },
  };
  let server: ChatServer;

  beforeEach(async () => {
    server = await createChatServer({
      port: 0,
      host: '127.0.0.1',
      clientLimits: { ...UNREACHED_LIMITS, ...small },
      logger: new RecordingLogger(),
    });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server.close();
  });

  it('lets 300 typing frames reach a member as no more events than the typing budget', async () => {
    const member = await connect(server, 'Mia', '127.0.0.2');
    await member.join('typed-at');
    const typists = await Promise.all(
      Array.from({ length: 300 / FRAMES_PER_CONNECTION }, () => connectRaw(server, 'Tess')),
    );
    // Four joins: the whole membership budget of the address.
    for (const typist of typists)
      expect(await typist.answer(typist.join('typed-at'))).toMatchObject({ t: 'res' });
    for (const typist of typists) {
      for (let i = 0; i < FRAMES_PER_CONNECTION; i += 1) typist.emit('typing', { typing: i % 2 === 0 });
    }
    // A line after its typing frames: answered once they are all handled (a connection's frames run
    // in order), and reaching the member after every typing event they sent.
    const lines = typists.map((typist, index) =>
      typist.answer(typist.request('say', { text: `barrier ${index}` })),
    );
    for (const line of await Promise.all(lines)) expect(line).toMatchObject({ t: 'res' });
    for (let index = 0; index < typists.length; index += 1) {
      await member.next('line', (line) => line.text === `barrier ${index}`);
    }

    expect(member.all('typing')).toHaveLength(5);
    const refusals = typists.flatMap((typist) => typist.refusals('RATE_LIMITED', 'typing'));
    expect(refusals).toHaveLength(295);
    expect(refusals[0]?.message).toMatch(/typing notices: wait \d+ s/);
  });

  it('lets 100 joins send a room no more joined and left notices than the membership budget', async () => {
    const member = await connect(server, 'Mia', '127.0.0.2');
    await member.join('hopped-at');
    const hoppers = [await connectRaw(server, 'Hop'), await connectRaw(server, 'Hop')];
    const answers = hoppers.flatMap((hopper) =>
      Array.from({ length: 50 }, (_, i) =>
        hopper.answer(hopper.join(i % 2 === 0 ? 'hopped-at' : 'elsewhere')),
      ),
    );
    const outcomes = await Promise.all(answers);
    expect(outcomes.filter((answer) => answer.t === 'res')).toHaveLength(4);
    expect(outcomes.filter((answer) => answer.code === 'RATE_LIMITED')).toHaveLength(96);

    // Answered (sent, or NOT_JOINED for a hopper that got no join) once what each hopper's answered
    // joins changed is done: a connection's frames and their effects run in order, so every notice
    // was sent before the witness's line below.
    for (const hopper of hoppers) await hopper.answer(hopper.request('say', { text: 'hopped' }));
    // A line said after every notice was sent reaches the member after them.
    const witness = await connect(server, 'Wit', '127.0.0.3');
    await witness.join('hopped-at');
    await witness.say('after the hops');
    await member.next('line', (line) => line.text === 'after the hops');
    // Each join let through (each hopper's first ones: its frames are checked in order) sends the
    // member at most one notice: joined for the member's room, left when it moves on to the other.
    // Fewer when joins of both rooms, sent without waiting, are answered in the other order: the
    // hopper then ends in the room answered last, and skips the first.
    const notices = member.received.filter(
      (received) =>
        (received.event === 'memberJoined' || received.event === 'memberLeft') &&
        (received.data as { member: { name: string } }).member.name === 'Hop',
    );
    expect(notices.length).toBeGreaterThan(0);
    expect(notices.length).toBeLessThanOrEqual(4);
  });

  it("counts the protocol's leaves with the joins, and refuses them past it with no effect", async () => {
    const member = await connect(server, 'Mia', '127.0.0.2');
    await member.join('kept');
    const leaver = await connectRaw(server, 'Lea');
    expect(await leaver.answer(leaver.join('kept'))).toMatchObject({ t: 'res' }); // membership: 1 of 4
    await member.next('memberJoined');
    // Leaves of a room it is not in count too: each is a storage step of @arcade/ws.
    for (let i = 0; i < 3; i += 1) {
      expect(await leaver.answer(leaver.leave('nowhere'))).toMatchObject({ t: 'res' });
    }
    expect(await leaver.answer(leaver.leave('kept'))).toMatchObject({
      t: 'err',
      code: 'RATE_LIMITED',
      message: expect.stringContaining('joining and leaving'),
    });
    // Refused before it had any effect: still a member, and the room was told nothing.
    expect(await member.client.request('listRooms')).toEqual([{ name: 'kept', memberCount: 2 }]);
    expect(member.all('memberLeft')).toEqual([]);
    expect(await leaver.answer(leaver.request('say', { text: 'still here' }))).toMatchObject({ t: 'res' });
  });

  it('counts roomView on a budget of its own', async () => {
    const client = await connect(server, 'Lea');
    await client.client.join('counted');
    await client.client.request('roomView', { room: 'counted', history: false });
    await client.client.request('roomView', { room: 'counted', history: true });
    expect(
      (await refusalOf(client.client.request('roomView', { room: 'counted', history: false }))).message,
    ).toContain('members of your room too often');
  });

  it('counts the budget of an address over all its connections, and leaves other addresses alone', async () => {
    for (let c = 0; c < 3; c += 1) {
      const asker = await connect(server, 'Ask');
      await asker.client.request('listRooms');
    }
    const fourth = await connect(server, 'Ask');
    const refusal = await refusalOf(fourth.client.request('listRooms'));
    expect(refusal).toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringContaining('room list too often'),
    });
    const elsewhere = await connect(server, 'Else', '127.0.0.3');
    expect(await elsewhere.client.request('listRooms')).toEqual([]);
  });
});

describe('connection budgets per client address', () => {
  let server: ChatServer;

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server.close();
  });

  it('answers 429 with Retry-After, and no upgrade, past the new-connection budget', async () => {
    server = await createChatServer({
      port: 0,
      host: '127.0.0.1',
      clientLimits: { ...UNREACHED_LIMITS, connect: { messages: 3, perMs: 3_600_000 } },
      logger: new RecordingLogger(),
    });
    for (let c = 0; c < 3; c += 1) await (await connect(server, 'Con')).close();
    const refused = await expectUpgradeRefused(`${server.url.replace(/^http/, 'ws')}/ws`, {
      localAddress: '127.0.0.1',
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(refused.body)).toMatchObject({
      error: { statusCode: 429, message: expect.stringContaining('new connections') },
    });
    await connect(server, 'Other', '127.0.0.2');
  });

  it('answers 429 past the open-connection cap, and admits again once one closes', async () => {
    server = await createChatServer({
      port: 0,
      host: '127.0.0.1',
      clientLimits: { ...UNREACHED_LIMITS, openConnections: 2 },
      logger: new RecordingLogger(),
    });
    const first = await connect(server, 'First');
    await connect(server, 'Second');
    const url = `${server.url.replace(/^http/, 'ws')}/ws`;
    const refused = await expectUpgradeRefused(url, { localAddress: '127.0.0.1' });
    expect(refused.status).toBe(429);
    expect(refused.body).toContain('open connections');
    await first.close();
    // The server frees the slot when the TCP connection is gone, which follows the close handshake.
    clients.push(
      await waitFor(() => ChatClient.connect(server.url, 'Third').catch(() => undefined), {
        description: 'a connection admitted once the first one closed',
      }),
    );
  });
});

describe('ClientLimits', () => {
  it('refuses an invalid budget with ChatConfigError naming it', () => {
    expect(() => resolveClientLimits({ typing: { messages: 0, perMs: 1000 } })).toThrow(
      new ChatConfigError('clientLimits.typing.messages must be a positive integer, got 0.'),
    );
    expect(() => resolveClientLimits({ openConnections: 1.5 })).toThrow('clientLimits.openConnections');
    expect(() => resolveClientLimits({ connect: null as unknown as ClientLimitOptions['connect'] })).toThrow(
      ChatConfigError,
    );
  });

  it('is refused by createChatServer before anything is opened', async () => {
    await expect(
      createChatServer({ port: 0, clientLimits: { chat: { messages: 5, perMs: -1 } } }),
    ).rejects.toThrow('clientLimits.chat.perMs');
  });

  it('releases an open slot once, however often release is called', () => {
    const limits = new ClientLimits(resolveClientLimits({ openConnections: 1 }));
    const admission = limits.admitConnection('a');
    if (!admission.admitted) throw new Error('the first connection was refused');
    expect(limits.admitConnection('a')).toEqual({ admitted: false, budget: 'openConnections' });
    admission.release();
    admission.release();
    expect(limits.openConnectionsOf('a')).toBe(0);
    expect(limits.admitConnection('a').admitted).toBe(true);
    expect(limits.openConnectionsOf('a')).toBe(1);
  });
});
