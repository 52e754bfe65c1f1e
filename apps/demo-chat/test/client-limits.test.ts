import { expectUpgradeRefused, RecordingLogger, waitFor } from '@arcade/test-support';
import { ChatConfigError, type ChatServer, type ClientLimitOptions, createChatServer } from '../src';
import { ClientLimits, resolveClientLimits } from '../src/client-limits';
import { ChatClient } from './support/chat-client';
import { UNREACHED_LIMITS } from './support/limits';

// What one client address gets through, whatever it sends and however many connections it opens.
// The probe of issue 18 saw 300 `typing` frames reach a member as 101 events, and 100 joins make 50
// joined and 50 left notices in 2 s. (Chat lines over many fresh connections: test/bounds.test.ts.)

const clients: ChatClient[] = [];

async function connect(server: ChatServer, localAddress = '127.0.0.1'): Promise<ChatClient> {
  const client = await ChatClient.connect(server.url, { localAddress });
  clients.push(client);
  return client;
}

/**
 * Waits until the server has handled every frame `client` sent before, and `client` has received
 * everything the server sent it before: frames are handled in order, and an unknown type is answered
 * at once without counting against any budget.
 */
async function barrier(client: ChatClient): Promise<void> {
  client.send({ type: 'barrier' });
  await client.next('error', (error) => error.code === 'unknown_type');
}

/**
 * `total` frames from one address over as many connections as it takes to keep each under the
 * transport's own limit (@arcade/ws drops a connection's frames past 100 a second), so that every
 * frame reaches the chat and only the chat's budgets decide.
 */
const FRAMES_PER_CONNECTION = 75;

function rateLimited(client: ChatClient, requestType: string): number {
  return client.received.filter(
    (message) =>
      message.type === 'error' && message.code === 'rate_limited' && message.requestType === requestType,
  ).length;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

describe('frame budgets per client address', () => {
  const small: Partial<ClientLimitOptions> = {
    typing: { messages: 5, perMs: 3_600_000 },
    membership: { messages: 4, perMs: 3_600_000 },
    roomList: { messages: 3, perMs: 3_600_000 },
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
    const member = await connect(server, '127.0.0.2');
    await member.join('Mia', 'typed-at');
    const typists = await Promise.all(
      Array.from({ length: 300 / FRAMES_PER_CONNECTION }, () => connect(server)),
    );
    for (const typist of typists) await typist.join('Tess', 'typed-at');
    for (const typist of typists) {
      for (let i = 0; i < FRAMES_PER_CONNECTION; i += 1) typist.send({ type: 'typing', typing: i % 2 === 0 });
    }
    for (const typist of typists) await barrier(typist);
    await barrier(member);

    expect(member.received.filter((message) => message.type === 'typing')).toHaveLength(5);
    expect(typists.reduce((sum, typist) => sum + rateLimited(typist, 'typing'), 0)).toBe(295);
    const refusal = await (typists[0] as ChatClient).next('error', (error) => error.requestType === 'typing');
    expect(refusal).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('typing') });
    expect(refusal.retryAfterMs).toBeGreaterThan(0);
  });

  it('lets 100 joins send a room no more joined and left notices than the membership budget', async () => {
    const member = await connect(server, '127.0.0.2');
    await member.join('Mia', 'hopped-at');
    const hoppers = [await connect(server), await connect(server)];
    for (const hopper of hoppers) {
      for (let i = 0; i < 50; i += 1) {
        hopper.send({ type: 'join', name: 'Hop', room: i % 2 === 0 ? 'hopped-at' : 'elsewhere' });
      }
    }
    for (const hopper of hoppers) await barrier(hopper);
    await barrier(member);

    // Each join let through sends the member one notice: joined for the member's room, left for the other.
    const notices = member.received.filter(
      (message) => message.type === 'member_joined' || message.type === 'member_left',
    );
    expect(notices).toHaveLength(4);
    const joined = hoppers.flatMap((hopper) =>
      hopper.received.filter((message) => message.type === 'joined'),
    );
    expect(joined).toHaveLength(4);
    expect(hoppers.reduce((sum, hopper) => sum + rateLimited(hopper, 'join'), 0)).toBe(96);
  });

  it('counts the budget of an address over all its connections, and leaves other addresses alone', async () => {
    for (let c = 0; c < 3; c += 1) {
      const asker = await connect(server);
      asker.send({ type: 'list_rooms' });
      await asker.next('rooms');
    }
    const fourth = await connect(server);
    fourth.send({ type: 'list_rooms' });
    expect(await fourth.nextError()).toMatchObject({
      code: 'rate_limited',
      requestType: 'list_rooms',
      message: expect.stringContaining('room list too often'),
    });
    const elsewhere = await connect(server, '127.0.0.3');
    elsewhere.send({ type: 'list_rooms' });
    await elsewhere.next('rooms');
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
    for (let c = 0; c < 3; c += 1) await (await connect(server)).close();
    const refused = await expectUpgradeRefused(`${server.url.replace(/^http/, 'ws')}/ws`, {
      localAddress: '127.0.0.1',
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(refused.body)).toMatchObject({
      error: { statusCode: 429, message: expect.stringContaining('new connections') },
    });
    await connect(server, '127.0.0.2');
  });

  it('answers 429 past the open-connection cap, and admits again once one closes', async () => {
    server = await createChatServer({
      port: 0,
      host: '127.0.0.1',
      clientLimits: { ...UNREACHED_LIMITS, openConnections: 2 },
      logger: new RecordingLogger(),
    });
    const first = await connect(server);
    await connect(server);
    const url = `${server.url.replace(/^http/, 'ws')}/ws`;
    const refused = await expectUpgradeRefused(url, { localAddress: '127.0.0.1' });
    expect(refused.status).toBe(429);
    expect(refused.body).toContain('open connections');
    await first.close();
    // The server frees the slot when the TCP connection is gone, which follows the close handshake.
    clients.push(
      await waitFor(() => ChatClient.connect(server.url).catch(() => undefined), {
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
