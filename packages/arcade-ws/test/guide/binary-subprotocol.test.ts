import { type App, BadRequestException } from '@arcade/core';
import { expectUpgradeRefused } from '@arcade/test-support';
import { startServer, type TestServer } from '../support/server';

// The guide's binary sample and its subprotocol sample.
function defineRoutes(app: App): void {
  app.route.get('/ws/binary').handleWebSocket((_ctx, websocket) => {
    websocket.listen((data) => {
      if (typeof data === 'string') {
        websocket.add(`Received text: ${data}`);
      } else if (data instanceof Uint8Array) {
        websocket.add(data);
      } else {
        websocket.add('binary data did not arrive as a Uint8Array');
      }
    });
    websocket.add(new Uint8Array([1, 2, 3, 4, 5]));
  });

  app.route
    .get('/ws/protocol')
    .before((ctx) => {
      const protocols = (ctx.requestHeaders.value('sec-websocket-protocol') ?? '')
        .split(',')
        .map((protocol) => protocol.trim());
      if (!protocols.includes('chat-v1')) throw new BadRequestException({ message: 'Unsupported protocol' });
      ctx.responseHeaders.add('sec-websocket-protocol', 'chat-v1');
      return ctx;
    })
    .handleWebSocket((_ctx, websocket) => {
      websocket.add(`protocol ${websocket.protocol}`);
      websocket.listen((message) => {
        const data = JSON.parse(String(message)) as { say: string };
        websocket.add(JSON.stringify({ said: data.say }));
      });
    });
}

describe('guide: binary data', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer(defineRoutes);
  });

  afterEach(() => server.close());

  it('sends bytes on connect as a binary frame', async () => {
    const client = await server.connect('/ws/binary');
    const frame = await client.next();
    expect(frame.isBinary).toBe(true);
    expect([...frame.data]).toEqual([1, 2, 3, 4, 5]);
  });

  it('echoes binary frames as the same bytes and answers text frames with text', async () => {
    const client = await server.connect('/ws/binary');
    await client.next();
    const bytes = new Uint8Array([0, 255, 128, 10, 13, 0x7b, 0x7d]);
    await client.send(bytes);
    const echoed = await client.next();
    expect(echoed.isBinary).toBe(true);
    expect(Buffer.compare(echoed.data, Buffer.from(bytes))).toBe(0);

    await client.send('hi');
    const text = await client.next();
    expect(text.isBinary).toBe(false);
    expect(text.text).toBe('Received text: hi');
  });
});

describe('guide: subprotocols', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer(defineRoutes);
  });

  afterEach(() => server.close());

  it('negotiates chat-v1 when the client offers it', async () => {
    const client = await server.connect('/ws/protocol', { protocols: ['chat-v0', 'chat-v1'] });
    expect(client.protocol).toBe('chat-v1');
    expect(await client.nextText()).toBe('protocol chat-v1');
    await client.send(JSON.stringify({ say: 'hi' }));
    expect(await client.nextText()).toBe('{"said":"hi"}');
  });

  it('refuses the upgrade with 400 when chat-v1 is not offered', async () => {
    for (const protocols of [[], ['chat-v2']]) {
      const refused = await expectUpgradeRefused(server.wsUrl('/ws/protocol'), { protocols });
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body)).toEqual({
        error: { statusCode: 400, message: 'Unsupported protocol' },
      });
    }
  });
});
