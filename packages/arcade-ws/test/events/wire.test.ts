import { TestClient } from '@arcade/test-support';
import { EVENTS_SUBPROTOCOL } from '@arcade/ws';
import { startServer, type TestServer } from '../support/server';
import { ProtocolClient } from './support/protocol-client';
import { defineTestRoutes, type Observed } from './support/test-events';

// The events protocol at the wire (docs/events-protocol.md): a raw `ws` client sends frames by hand and
// reads exactly what the server answers. Rooms and recovery: rooms.test.ts and recovery.test.ts.

let server: TestServer;
let observed: Observed;
let client: ProtocolClient;

beforeEach(async () => {
  observed = { calls: [] };
  server = await startServer((app) => defineTestRoutes(app, observed));
  client = await ProtocolClient.connect(server.wsUrl('/events'));
});

afterEach(async () => {
  await TestClient.terminateAll();
  await server.close();
});

/** The connection still answers requests (every error reply leaves it open). */
async function expectStillOpen(): Promise<void> {
  expect(await client.request('add', { a: 40, b: 2 })).toEqual({
    t: 'res',
    id: expect.any(Number),
    data: 42,
  });
  expect(client.client.isOpen).toBe(true);
}

describe('requests and events', () => {
  it('negotiates the subprotocol', () => {
    expect(client.client.protocol).toBe(EVENTS_SUBPROTOCOL);
  });

  it('answers a request with the handler result, under its id', async () => {
    expect(await client.request('add', { a: 2, b: 3 })).toEqual({ t: 'res', id: 1, data: 5 });
  });

  it('answers a request without payload', async () => {
    const whoami = await client.request('whoami');
    expect(whoami.data).toEqual(expect.any(String));
    expect(server.app.localConnectionIds).toContain(whoami.data);
  });

  it('answers a request whose result is undefined with a reply without data', async () => {
    await client.send({ t: 'req', id: 7, event: 'nothing' });
    expect(await client.client.nextText((frame) => frame.text.includes('"res"'))).toBe('{"t":"res","id":7}');
  });

  it('runs an event handler, which answers nothing itself', async () => {
    await client.emit('say', { text: 'hi' });
    expect(await client.client.nextText()).toBe('{"event":"said","data":{"text":"hi"}}');
    expect(observed.calls).toEqual([['say', { text: 'hi' }]]);
    await expectStillOpen();
    expect(client.client.unconsumed).toEqual([]);
  });

  it('takes an event without payload, and socket.emit sends one without data', async () => {
    await client.emit('poke');
    expect(await client.client.nextText()).toBe('{"event":"poked"}');
    expect(observed.calls).toEqual([['poke', undefined]]);
  });

  it('handles requests concurrently, each reply under its own id', async () => {
    const replies = await Promise.all([1, 2, 3].map((a) => client.request('add', { a, b: 10 })));
    expect(replies.map((reply) => reply.data)).toEqual([11, 12, 13]);
  });
});

describe('error replies (the connection stays open after each)', () => {
  it('sends an EventError code and message as they are, for a request', async () => {
    expect(await client.request('refuse', { code: 'NOT_FOUND', message: 'No such thing' })).toEqual({
      t: 'err',
      id: 1,
      code: 'NOT_FOUND',
      message: 'No such thing',
    });
    await expectStillOpen();
  });

  it('sends a generic HANDLER_FAILED for any other throw, and logs it', async () => {
    const reply = await client.request('crash');
    expect(reply).toMatchObject({ t: 'err', id: 1, code: 'HANDLER_FAILED' });
    expect(JSON.stringify(reply)).not.toContain('secret');
    const logged = server.logger.entries.find((entry) => entry.level === 'error');
    expect(JSON.stringify(logged)).toContain('secret detail');
    await expectStillOpen();
  });

  it('sends HANDLER_FAILED for a result JSON cannot hold', async () => {
    expect(await client.request('bigint')).toMatchObject({ t: 'err', id: 1, code: 'HANDLER_FAILED' });
    await expectStillOpen();
  });

  it('refuses an event with its name when its handler throws an EventError', async () => {
    await client.emit('refuse', { code: 'NOPE', message: 'not now' });
    expect(await client.nextError()).toEqual({ t: 'err', event: 'refuse', code: 'NOPE', message: 'not now' });
    await expectStillOpen();
  });

  it.each([
    ['a request', { t: 'req', id: 3, event: 'missing' }, { id: 3 }],
    ['an event', { t: 'emit', event: 'missing' }, { event: 'missing' }],
    ['a prototype name', { t: 'req', id: 4, event: 'constructor' }, { id: 4 }],
    ['__proto__', { t: 'req', id: 5, event: '__proto__' }, { id: 5 }],
  ])('answers UNKNOWN_EVENT for %s without handler', async (_label, frame, target) => {
    await client.send(frame);
    const reply = await client.client.nextJson((value) => value.t === 'err');
    expect(reply).toMatchObject({ ...target, code: 'UNKNOWN_EVENT' });
    await expectStillOpen();
  });

  it.each([
    ['text that is not JSON', 'not json'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"emit"'],
    ['an unknown t', '{"t":"shout","event":"say"}'],
    ['a request without id', '{"t":"req","event":"add","data":{"a":1,"b":2}}'],
    ['a request with id 0', '{"t":"req","id":0,"event":"add"}'],
    ['a request with a fractional id', '{"t":"req","id":1.5,"event":"add"}'],
    ['an emit without event', '{"t":"emit","data":1}'],
    ['a join without id', '{"t":"join","room":"open:a"}'],
  ])('answers BAD_FRAME for %s', async (_label, text) => {
    await client.client.send(text);
    expect(await client.nextError()).toEqual({ t: 'err', code: 'BAD_FRAME', message: expect.any(String) });
    await expectStillOpen();
  });

  it('answers BAD_FRAME for a binary frame', async () => {
    await client.client.send(new Uint8Array([123, 125]));
    expect(await client.nextError()).toMatchObject({
      code: 'BAD_FRAME',
      message: expect.stringContaining('Binary'),
    });
    await expectStillOpen();
  });

  it.each([
    ['a request with an id but no event', { t: 'req', id: 9 }],
    ['a join whose room is not a string', { t: 'join', id: 9, room: 5 }],
    ['a join with a malformed since', { t: 'join', id: 9, room: 'open:a', since: { epoch: '', offset: -1 } }],
  ])('answers BAD_FRAME under the id of %s', async (_label, frame) => {
    await client.send(frame);
    expect(await client.reply(9)).toMatchObject({ t: 'err', id: 9, code: 'BAD_FRAME' });
    await expectStillOpen();
  });
});

describe('payload validation (Standard Schema)', () => {
  it('hands the zod output to the handler (defaults and transforms applied)', async () => {
    expect(await client.request('zodCheck', { name: '  ada ' })).toMatchObject({
      t: 'res',
      data: { name: 'ada', count: 1 },
    });
    expect(observed.calls).toEqual([['zodCheck', { name: 'ada', count: 1 }]]);
  });

  it('refuses an invalid payload with zod issues, without calling the handler', async () => {
    const reply = await client.request('zodCheck', { name: 'ada', count: 'many' });
    expect(reply).toMatchObject({ t: 'err', id: 1, code: 'INVALID_PAYLOAD', message: expect.any(String) });
    expect(reply.issues).toEqual([{ message: expect.any(String), path: ['count'] }]);
    expect(observed.calls).toEqual([]);
    await expectStillOpen();
  });

  it('refuses an invalid payload with valibot issues, paths included', async () => {
    const reply = await client.request('valibotCheck', { tags: ['a', 2] });
    expect(reply).toMatchObject({ t: 'err', id: 1, code: 'INVALID_PAYLOAD' });
    expect(reply.issues).toEqual([{ message: expect.any(String), path: ['tags', 1] }]);
    expect(observed.calls).toEqual([]);
    expect(await client.request('valibotCheck', { tags: ['a', 'b'] })).toMatchObject({ data: 2 });
  });

  it('refuses an invalid event payload under the event name', async () => {
    await client.emit('zodCheck', { name: '' });
    expect(await client.nextError()).toMatchObject({ event: 'zodCheck', code: 'INVALID_PAYLOAD' });
    await expectStillOpen();
  });
});

describe('liveness', () => {
  it('answers a ping with a pong', async () => {
    await client.send({ t: 'ping' });
    expect(await client.client.nextText()).toBe('{"t":"pong"}');
  });
});
