import { createMemoryStore, MemoryCacheManager } from '@arcade/cache-memory';
import { type App, createApp } from '@arcade/core';
import { httpRequest, RecordingLogger } from '@arcade/test-support';
import { type ChatServer, createChatServer } from '../src';
import { ChatClient } from './support/chat-client';
import { UNREACHED_LIMITS } from './support/limits';

// What one client can do to the server's memory and to a room's history: the rate limit follows its
// address across connections, and stored history is capped per room and expires.

const clients: ChatClient[] = [];

async function connect(server: ChatServer, name: string, localAddress: string): Promise<ChatClient> {
  const client = await ChatClient.connect(server.url, name, { localAddress });
  clients.push(client);
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

describe('a flood of fresh connections from one address', () => {
  const limit = { messages: 5, perMs: 3_600_000 };
  let server: ChatServer;

  beforeAll(async () => {
    server = await createChatServer({
      port: 0,
      host: '127.0.0.1',
      clientLimits: { ...UNREACHED_LIMITS, chat: limit },
      history: { size: 10 },
      logger: new RecordingLogger(),
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it("replaces no more of a room's history than the limit allows", async () => {
    const ada = await connect(server, 'Ada', '127.0.0.2');
    await ada.join('flooded');
    const adaLines = Array.from({ length: 5 }, (_, i) => `Ada ${i + 1}`);
    for (const text of adaLines) await ada.say(text);

    // Eleven connections one after the other, each a fresh id on the same address, each trying five lines.
    const outcomes: string[] = [];
    for (let c = 1; c <= 11; c += 1) {
      const flooder = await connect(server, `Flooder ${c}`, '127.0.0.1');
      await flooder.join('flooded');
      for (let i = 1; i <= 5; i += 1) outcomes.push(await flooder.trySay(`junk ${c}.${i}`));
      await flooder.close();
    }
    expect(outcomes.filter((outcome) => outcome === 'sent')).toHaveLength(limit.messages);
    expect(outcomes.filter((outcome) => outcome === 'RATE_LIMITED')).toHaveLength(55 - limit.messages);

    // The room's ten lines: all of Ada's are still there, next to the five the address was allowed.
    const observer = await connect(server, 'Observer', '127.0.0.3');
    const joined = await observer.join('flooded');
    expect(joined.lines.map((line) => line.text)).toEqual([
      ...adaLines,
      ...Array.from({ length: 5 }, (_, i) => `junk 1.${i + 1}`),
    ]);
  });

  it('keeps the budget of an address across a reconnect', async () => {
    const first = await connect(server, 'Rita', '127.0.0.4');
    await first.join('reconnect-room');
    for (let i = 1; i <= limit.messages; i += 1) expect(await first.trySay(`line ${i}`)).toBe('sent');
    await first.close();
    const again = await connect(server, 'Rita', '127.0.0.4');
    await again.join('reconnect-room');
    expect(await again.trySay('one more')).toBe('RATE_LIMITED');
  });
});

describe('a client creating many rooms', () => {
  const size = 5;
  const ttlMs = 5_000;
  // The store's clock: it stands still until the test moves it, so expiry needs no waiting.
  let clock = Date.now();
  let cache: MemoryCacheManager;
  let app: App;
  let server: ChatServer;

  beforeAll(async () => {
    cache = new MemoryCacheManager({ store: createMemoryStore({ now: () => clock }) });
    app = createApp();
    server = await createChatServer({
      port: 0,
      host: '127.0.0.1',
      cache,
      app,
      history: { size, ttlMs },
      clientLimits: UNREACHED_LIMITS,
      logger: new RecordingLogger(),
    });
  });

  afterAll(async () => {
    await server.close();
    await cache.dispose();
  });

  /** How many entries the storage holds for a room's history (`ws:history:{r:<room>}`, @arcade/ws docs/cluster.md). */
  async function storedCount(room: string): Promise<number> {
    return (await cache.readLog(`ws:history:{r:${room}}`, { limit: 1_000 })).entries.length;
  }

  /** The texts of a room's history, through @arcade/ws. */
  async function historyTexts(room: string): Promise<string[]> {
    const { messages } = await app.getRoomHistory(room);
    return messages.map(
      ({ message }) => (JSON.parse(String(message)) as { data: { text: string } }).data.text,
    );
  }

  it('cannot grow stored history without bound: each room keeps `size` lines, then expires', async () => {
    // Six connections of one client, five rooms each: @arcade/ws drops frames past 100 a second from
    // one connection (its own transport limit), and this client sends 50 per connection (a join, a
    // room view and eight lines per room).
    const junk = await Promise.all(Array.from({ length: 6 }, () => connect(server, 'Junk', '127.0.0.1')));
    const rooms = Array.from({ length: 30 }, (_, i) => `junk-${i}`);
    for (const [index, room] of rooms.entries()) {
      const client = junk[Math.floor(index / 5)] as ChatClient;
      await client.join(room);
      for (let i = 1; i <= size + 3; i += 1) await client.say(`${room} line ${i}`);
    }

    for (const room of rooms) {
      expect(await storedCount(room)).toBe(size);
      expect(await historyTexts(room)).toEqual(
        Array.from({ length: size }, (_, i) => `${room} line ${i + 4}`),
      );
    }
    // Hopping through rooms leaves in the room directory only the rooms someone is in.
    const listed = (await httpRequest(`${server.url}/api/rooms`)).json<{ rooms: { name: string }[] }>();
    expect(listed.rooms.map((room) => room.name).sort()).toEqual([
      'junk-14',
      'junk-19',
      'junk-24',
      'junk-29',
      'junk-4',
      'junk-9',
    ]);

    clock += ttlMs;
    for (const room of rooms) {
      expect(await storedCount(room)).toBe(0);
      expect(await app.getRoomHistory(room)).toMatchObject({ messages: [], position: null });
    }
    const observer = await connect(server, 'Observer', '127.0.0.2');
    expect((await observer.join('junk-0')).lines).toEqual([]);
  });
});
