import { ClientClosedError, QueueFullError, RequestTimeoutError } from '../src/index';
import { ProtocolServer } from './support/protocol-server';
import { closeAllClients, testClient } from './support/test-client';

afterEach(async () => {
  await closeAllClients();
  await ProtocolServer.stopAll();
});

describe('send and the offline queue', () => {
  it("writes at once when open ('sent'), with the payload as data and none for an event without payload", async () => {
    const server = await ProtocolServer.start();
    const { client, nextStatus } = testClient(server.url);
    const connection = await server.nextConnection();
    await nextStatus('open');
    expect(client.send('say', { room: 'a', text: 'hi' })).toBe('sent');
    expect(client.send('typing')).toBe('sent');
    expect(await connection.next('emit')).toEqual({
      t: 'emit',
      event: 'say',
      data: { room: 'a', text: 'hi' },
    });
    expect(await connection.next('emit')).toEqual({ t: 'emit', event: 'typing' });
  });

  it("queues while not connected ('queued') and sends in order once open", async () => {
    const server = await ProtocolServer.start();
    const { client } = testClient(server.url, { autoConnect: false });
    expect(client.send('say', { room: 'a', text: '1' })).toBe('queued');
    expect(client.send('say', { room: 'a', text: '2' })).toBe('queued');
    client.connect();
    const connection = await server.nextConnection();
    expect(await connection.next('emit')).toMatchObject({ data: { text: '1' } });
    expect(await connection.next('emit')).toMatchObject({ data: { text: '2' } });
  });

  it("drops new frames once queueSize are queued ('dropped'), keeping the older ones", async () => {
    const server = await ProtocolServer.start();
    const { client } = testClient(server.url, { autoConnect: false, queueSize: 2 });
    expect(['1', '2', '3'].map((text) => client.send('say', { room: 'a', text }))).toEqual([
      'queued',
      'queued',
      'dropped',
    ]);
    await expect(client.request('ping')).rejects.toBeInstanceOf(QueueFullError);
    client.connect();
    const connection = await server.nextConnection();
    expect(await connection.next('emit')).toMatchObject({ data: { text: '1' } });
    expect(await connection.next('emit')).toMatchObject({ data: { text: '2' } });
    // Nothing else was queued: the next frame is one sent after the flush.
    client.send('typing');
    expect(await connection.next('emit')).toEqual({ t: 'emit', event: 'typing' });
  });

  it('keeps queued frames across a socket replacement and sends them after the rooms are rejoined', async () => {
    const server = await ProtocolServer.start();
    const { client, nextStatus } = testClient(server.url);
    const first = await server.nextConnection();
    const joined = client.join('lobby');
    await first.acceptJoin('lobby', { recovered: true, position: null });
    await joined;
    await first.terminate();
    await nextStatus('reconnecting');
    expect(client.send('say', { room: 'lobby', text: 'while away' })).toBe('queued');
    const second = await server.nextConnection();
    // The rejoin comes first; the queued frame waits for its answer.
    const join = await second.next('join');
    expect(join.room).toBe('lobby');
    expect(second.frames.pending).toEqual([]);
    expect(client.send('say', { room: 'lobby', text: 'after' })).toBe('queued');
    second.reply(join, { recovered: true, position: null });
    expect(await second.next('emit')).toMatchObject({ data: { text: 'while away' } });
    expect(await second.next('emit')).toMatchObject({ data: { text: 'after' } });
    expect(client.send('say', { room: 'lobby', text: 'direct' })).toBe('sent');
  });

  it('sends the queue after a rejoin that is never answered, once requestTimeoutMs has passed', async () => {
    const server = await ProtocolServer.start();
    const { client } = testClient(server.url, { autoConnect: false, requestTimeoutMs: 30 });
    const joinTimedOut = expect(client.join('lobby')).rejects.toBeInstanceOf(RequestTimeoutError);
    client.send('typing');
    client.connect();
    const connection = await server.nextConnection();
    await connection.next('join');
    expect(await connection.next('emit')).toEqual({ t: 'emit', event: 'typing' });
    await joinTimedOut;
  });

  it('times out a queued request and never sends it afterwards', async () => {
    const server = await ProtocolServer.start();
    const { client } = testClient(server.url, { autoConnect: false });
    await expect(client.withTimeout(20).request('history', { room: 'a' })).rejects.toEqual(
      new RequestTimeoutError('request "history"', 20),
    );
    client.send('typing');
    client.connect();
    const connection = await server.nextConnection();
    expect(await connection.frames.next()).toEqual({ t: 'emit', event: 'typing' });
  });

  it('rejects queued requests with ClientClosedError on close(), and drops sends afterwards', async () => {
    const server = await ProtocolServer.start();
    const { client } = testClient(server.url, { autoConnect: false });
    const pending = client.request('ping');
    await client.close();
    await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
    expect(client.send('typing')).toBe('dropped');
    await expect(client.request('ping')).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('refuses a payload JSON cannot encode at the call, queueing nothing', async () => {
    const server = await ProtocolServer.start();
    const { client } = testClient(server.url, { autoConnect: false, queueSize: 1 });
    const cyclic: { room: string; text: string; self?: unknown } = { room: 'a', text: 'x' };
    cyclic.self = cyclic;
    expect(() => client.send('say', cyclic)).toThrow(
      expect.objectContaining({ code: 'UNSERIALIZABLE_PAYLOAD', message: expect.stringContaining('"say"') }),
    );
    await expect(client.request('history', { room: 10n } as never)).rejects.toMatchObject({
      code: 'UNSERIALIZABLE_PAYLOAD',
    });
    expect(client.send('typing')).toBe('queued');
  });
});
