import {
  ArcadeHttpException,
  createApp,
  ForbiddenException,
  NotFoundException,
  type RequestContext,
  UnauthorizedException,
} from '@arcade/core';
import { deferred, expectUpgradeRefused, TestClient } from '@arcade/test-support';
import { EVENTS_SUBPROTOCOL, EventError, type EventSocket } from '@arcade/ws';
import { startServer, type TestServer } from '../support/server';
import { ProtocolClient } from './support/protocol-client';
import { type Observed, type TestEvents, testDefinition } from './support/test-events';

// A connection of a handleEvents route from upgrade to close: the subprotocol it requires, onConnect
// (refusals with terminal close codes, frames buffered while it runs), onDisconnect, after hooks.

let server: TestServer | undefined;
let observed: Observed;

beforeEach(() => {
  observed = { calls: [] };
});

afterEach(async () => {
  await TestClient.terminateAll();
  await server?.close();
  server = undefined;
});

type Overrides = Parameters<typeof testDefinition>[1];

async function serve(overrides: Overrides, after?: (ctx: RequestContext, id: string) => void) {
  const started = await startServer((app) => {
    const route = app.route.get('/events').handleEvents<TestEvents>(testDefinition(observed, overrides));
    if (after) route.after((ctx, _result, id) => after(ctx, id));
  });
  server = started;
  return started;
}

describe('the subprotocol', () => {
  it.each([
    ['no subprotocol', undefined],
    ['another subprotocol only', 'chat.v2'],
  ])('refuses an upgrade offering %s with HTTP 400 naming arcade.events.v1', async (_label, protocols) => {
    const started = await serve({});
    const refused = await expectUpgradeRefused(started.wsUrl('/events'), { protocols });
    expect(refused.status).toBe(400);
    expect(refused.headers['content-type']).toContain('application/json');
    expect(JSON.parse(refused.body)).toEqual({
      error: {
        statusCode: 400,
        message: expect.stringContaining(EVENTS_SUBPROTOCOL),
        errors: { subprotocol: EVENTS_SUBPROTOCOL },
      },
    });
  });

  it('negotiates arcade.events.v1 among several offered', async () => {
    const started = await serve({});
    const client = await ProtocolClient.connect(started.wsUrl('/events'), { protocols: ['chat.v2'] });
    expect(client.client.protocol).toBe(EVENTS_SUBPROTOCOL);
  });

  it('answers a plain HTTP request with 426, as every WebSocket route does', async () => {
    const started = await serve({});
    expect((await started.request('/events')).status).toBe(426);
  });
});

describe('onConnect', () => {
  it.each([
    ['UnauthorizedException', 4401, () => new UnauthorizedException({ message: 'token expired' })],
    ['ForbiddenException', 4403, () => new ForbiddenException()],
    ['another 4xx HTTP exception', 4404, () => new NotFoundException()],
    ['a 5xx HTTP exception', 1011, () => new ArcadeHttpException('down', 503)],
    ['any other error', 1011, () => new Error('boom')],
  ])('closes a connection refused with %s with %i', async (_label, code, error) => {
    const started = await serve({
      onConnect: async () => {
        throw error();
      },
    });
    const client = await ProtocolClient.connect(started.wsUrl('/events'));
    const closed = await client.client.closed;
    expect(closed.code).toBe(code);
    if (code === 4401) expect(closed.reason).toBe('token expired');
  });

  it('buffers frames sent while it runs, then handles them in order', async () => {
    const entered = deferred();
    const proceed = deferred();
    const started = await serve({
      onConnect: async () => {
        entered.resolve();
        await proceed.promise;
      },
    });
    const client = await ProtocolClient.connect(started.wsUrl('/events'));
    await entered.promise;
    const first = client.request('add', { a: 1, b: 1 });
    await client.emit('say', { text: 'early' });
    proceed.resolve();
    expect(await first).toMatchObject({ t: 'res', data: 2 });
    expect(await client.client.nextText((frame) => frame.text.startsWith('{"event"'))).toBe(
      '{"event":"said","data":{"text":"early"}}',
    );
  });

  it('sees the socket: id, the context of the before hooks, emit', async () => {
    let seen: EventSocket<TestEvents> | undefined;
    const started = await serve({
      onConnect: (socket) => {
        seen = socket;
        socket.emit('said', { text: `welcome ${socket.ctx.path}` });
      },
    });
    const client = await ProtocolClient.connect(started.wsUrl('/events'));
    expect(await client.client.nextText()).toBe('{"event":"said","data":{"text":"welcome /events"}}');
    expect(started.app.localConnectionIds).toEqual([seen?.id]);
  });
});

describe('the end of a connection', () => {
  it('calls onDisconnect once with the close code, then the after hooks', async () => {
    const order: string[] = [];
    const finished = deferred();
    const started = await serve(
      {
        onDisconnect: (socket, code) => {
          order.push(`disconnect ${code} ${socket.id.length > 0}`);
        },
      },
      () => {
        order.push('after');
        finished.resolve();
      },
    );
    const client = await ProtocolClient.connect(started.wsUrl('/events'));
    await client.request('whoami');
    await client.client.close(3001, 'bye');
    await finished.promise;
    expect(order).toEqual(['disconnect 3001 true', 'after']);
  });

  it('does not call onDisconnect for a connection onConnect refused', async () => {
    const disconnects: number[] = [];
    const finished = deferred();
    const started = await serve(
      {
        onConnect: () => {
          throw new ForbiddenException();
        },
        onDisconnect: (_socket, code) => {
          disconnects.push(code);
        },
      },
      () => finished.resolve(),
    );
    const client = await ProtocolClient.connect(started.wsUrl('/events'));
    expect((await client.client.closed).code).toBe(4403);
    await finished.promise;
    expect(disconnects).toEqual([]);
  });

  it('socket.close closes with the given code', async () => {
    const started = await serve({
      onConnect: (socket) => socket.close(4000, 'go away'),
    });
    const client = await ProtocolClient.connect(started.wsUrl('/events'));
    expect(await client.client.closed).toEqual({ code: 4000, reason: 'go away' });
  });
});

describe('route definition', () => {
  it.each([
    ['no events', {}],
    ['a handler that is not a function', { events: { say: 'nope' } }],
    ['a schema that is not a Standard Schema', { events: { say: () => undefined }, schemas: { say: {} } }],
    ['a schema without handler', { events: {}, schemas: { say: { '~standard': { validate: () => ({}) } } } }],
    ['an authorizeJoin that is not a function', { events: {}, authorizeJoin: true }],
  ])('throws a TypeError at definition time for %s', (_label, definition) => {
    const route = createApp().route.get('/bad');
    // @ts-expect-error -- a JavaScript caller's mistake, on purpose
    expect(() => route.handleEvents(definition)).toThrow(TypeError);
  });

  it('refuses onConnect in the options: it belongs in the definition', () => {
    const route = createApp().route.get('/bad');
    const options = { onConnect: () => undefined, maxPayload: 1024 };
    expect(() => route.handleEvents<TestEvents>(testDefinition(observed), options)).toThrow(/definition/);
  });

  it('EventError needs a code', () => {
    expect(() => new EventError('', 'no code')).toThrow(TypeError);
    expect(new EventError('NOPE', 'no')).toMatchObject({ name: 'EventError', code: 'NOPE', message: 'no' });
  });
});
