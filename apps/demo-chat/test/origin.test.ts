import { expectUpgradeRefused, RecordingLogger } from '@arcade/test-support';
import { ChatConfigError, type ChatServer, createChatServer, OriginPolicy } from '../src';
import { ChatClient } from './support/chat-client';

// Cross-site WebSocket hijacking: a page of another site opening the chat in a visitor's browser.
// The browser sends that page's origin in `Origin`; the chat accepts only its own by default.

const clients: ChatClient[] = [];
let server: ChatServer;

function wsUrl(of: ChatServer): string {
  return `${of.url.replace(/^http/, 'ws')}/ws`;
}

async function accepted(of: ChatServer, options: { origin?: string; headers?: Record<string, string> }) {
  const client = await ChatClient.connect(of.url, 'Oren', options);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await createChatServer({ port: 0, host: '127.0.0.1', logger: new RecordingLogger() });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

afterAll(async () => {
  await server?.close();
});

describe('the WebSocket route by default', () => {
  it.each([
    ['another site', 'http://evil.example'],
    ['another port of the same host', 'http://127.0.0.1:1'],
    ['an opaque origin (sandboxed frame, file)', 'null'],
    ['something that is not an origin', 'not a url'],
  ])('answers 403 and does not upgrade for %s', async (_label, origin) => {
    const refused = await expectUpgradeRefused(wsUrl(server), { origin });
    expect(refused.status).toBe(403);
    expect(refused.headers.upgrade).toBeUndefined();
    expect(JSON.parse(refused.body)).toMatchObject({
      error: { statusCode: 403, message: expect.stringContaining('ALLOWED_ORIGINS') },
    });
  });

  it("accepts the page's own origin", async () => {
    const client = await accepted(server, { origin: server.url });
    expect(client.connectionId).not.toBe('');
  });

  it('accepts the page over https behind a proxy that keeps the Host header', async () => {
    await accepted(server, { origin: 'https://chat.example.com', headers: { host: 'chat.example.com' } });
  });

  it('accepts a client that sends no Origin (a program: it could send any)', async () => {
    await accepted(server, {});
  });
});

describe('with allowedOrigins', () => {
  it('accepts the origins listed besides its own, and still refuses others', async () => {
    const listed = await createChatServer({
      port: 0,
      host: '127.0.0.1',
      allowedOrigins: ['https://chat.example.com'],
      logger: new RecordingLogger(),
    });
    try {
      await accepted(listed, { origin: 'https://chat.example.com' });
      await accepted(listed, { origin: listed.url });
      expect((await expectUpgradeRefused(wsUrl(listed), { origin: 'https://evil.example' })).status).toBe(
        403,
      );
    } finally {
      await listed.close();
    }
  });

  it("accepts any origin with 'any'", async () => {
    const open = await createChatServer({
      port: 0,
      host: '127.0.0.1',
      allowedOrigins: 'any',
      logger: new RecordingLogger(),
    });
    try {
      await accepted(open, { origin: 'http://evil.example' });
    } finally {
      await open.close();
    }
  });

  it('refuses an entry that is not an origin before anything is opened', async () => {
    await expect(
      createChatServer({ port: 0, allowedOrigins: ['https://chat.example.com/chat'] }),
    ).rejects.toThrow(
      new ChatConfigError(
        'allowedOrigins entry 1 of 1 must have no path, got "https://chat.example.com/chat" (expected an origin such as https://chat.example.com or http://localhost:3000).',
      ),
    );
  });
});

describe('OriginPolicy', () => {
  const ownOnly = new OriginPolicy();

  it.each([
    ['https://example.com', 'example.com', true],
    ['https://example.com', 'example.com:443', true],
    ['http://example.com', 'example.com:443', false],
    ['http://EXAMPLE.com:8080', 'example.COM:8080', true],
    ['http://[::1]:3000', '[::1]:3000', true],
    ['http://example.com', 'example.com/path', false],
    ['http://example.com', 'user@example.com', false],
    ['http://example.com', undefined, false],
    ['ws://example.com', 'example.com', false],
  ])('judges Origin %s with Host %s: %s', (origin, host, allowed) => {
    expect(ownOnly.allows(origin, host)).toBe(allowed);
  });

  it('normalizes the listed origins as browsers send them', () => {
    const policy = new OriginPolicy(['HTTPS://Chat.Example.com:443/']);
    expect(policy.allows('https://chat.example.com', 'internal:3000')).toBe(true);
  });

  it.each([
    ['*.example.com', 'is not a URL'],
    ['ftp://example.com', 'must start with http:// or https://'],
    ['https://user:pw@example.com', 'must be only scheme://host[:port]'],
    ['https://example.com/?a=1', 'must be only scheme://host[:port]'],
  ])('refuses %s with ChatConfigError (%s)', (entry, words) => {
    expect(() => new OriginPolicy([entry])).toThrow(ChatConfigError);
    expect(() => new OriginPolicy([entry])).toThrow(words);
  });
});
