import { WebSocket } from 'ws';
import {
  ClientClosedError,
  ConnectionLostError,
  createClient,
  RequestTimeoutError,
  ServerError,
} from '../src/index';
import type { ChatEvents } from './support/chat-events';
import { ProtocolServer } from './support/protocol-server';
import { closeAllClients, openClient } from './support/test-client';

afterEach(async () => {
  await closeAllClients();
  await ProtocolServer.stopAll();
});

describe('request', () => {
  it('resolves with the reply, a request without payload included', async () => {
    const { client, connection } = await openClient();
    const history = client.request('history', { room: 'a' });
    const ping = client.request('ping');
    const historyFrame = await connection.next('req');
    const pingFrame = await connection.next('req');
    expect(historyFrame).toEqual({ t: 'req', id: historyFrame.id, event: 'history', data: { room: 'a' } });
    expect(pingFrame).toEqual({ t: 'req', id: pingFrame.id, event: 'ping' });
    expect(pingFrame.id).not.toBe(historyFrame.id);
    connection.reply(pingFrame, 'pong');
    connection.reply(historyFrame, [{ user: 'ann', text: 'hi' }]);
    await expect(ping).resolves.toBe('pong');
    await expect(history).resolves.toEqual([{ user: 'ann', text: 'hi' }]);
  });

  it("rejects with ServerError carrying the server's code, message and issues", async () => {
    const { client, connection } = await openClient();
    const history = client.request('history', { room: '' });
    connection.refuse(await connection.next('req'), 'INVALID_PAYLOAD', 'payload refused', [
      { message: 'Too small', path: ['room'] },
    ]);
    const error = await history.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({
      code: 'INVALID_PAYLOAD',
      message: 'payload refused',
      issues: [{ message: 'Too small', path: ['room'] }],
      event: 'history',
    });
  });

  it('rejects with RequestTimeoutError after requestTimeoutMs, and ignores a late reply', async () => {
    const { client, connection, errors } = await openClient({ requestTimeoutMs: 20 });
    const ping = client.request('ping');
    const frame = await connection.next('req');
    await expect(ping).rejects.toEqual(new RequestTimeoutError('request "ping"', 20));
    await expect(ping).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT', timeoutMs: 20 });
    connection.reply(frame, 'pong');
    // The connection still works, and the late reply reached no one.
    const again = client.withTimeout(10_000).request('ping');
    connection.reply(await connection.next('req'), 'pong');
    await expect(again).resolves.toBe('pong');
    expect(errors.all).toEqual([]);
  });

  it('takes a timeout per call with withTimeout(ms), keeping the default for the others', async () => {
    const { client, connection } = await openClient({ requestTimeoutMs: 60_000 });
    const quick = client.withTimeout(15).request('history', { room: 'a' });
    await expect(quick).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT', timeoutMs: 15 });
    const normal = client.request('ping');
    await connection.next('req');
    connection.reply(await connection.next('req'), 'pong');
    await expect(normal).resolves.toBe('pong');
    expect(() => client.withTimeout(0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('rejects with ConnectionLostError when the connection drops after the request went out', async () => {
    const { client, connection } = await openClient();
    const ping = client.request('ping');
    await connection.next('req');
    await connection.terminate();
    await expect(ping).rejects.toEqual(new ConnectionLostError('request "ping"'));
  });

  it('rejects requests in flight with ClientClosedError on close()', async () => {
    const { client, connection } = await openClient();
    const rejected = expect(client.request('ping')).rejects.toBeInstanceOf(ClientClosedError);
    await connection.next('req');
    await client.close();
    await rejected;
  });

  it('refuses a bad event name at the call', async () => {
    const { client } = await openClient();
    await expect(client.request('' as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => client.send(7 as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('errors without a call to reject', () => {
  it('reports a refused event (and a BAD_FRAME) to onError as a ServerError', async () => {
    const { client, connection, errors } = await openClient();
    client.send('typing');
    await connection.next('emit');
    connection.send({ t: 'err', event: 'typing', code: 'UNKNOWN_EVENT', message: 'no handler for "typing"' });
    connection.send({ t: 'err', code: 'BAD_FRAME', message: 'not a protocol frame' });
    const refused = await errors.next();
    expect(refused).toBeInstanceOf(ServerError);
    expect(refused).toMatchObject({ code: 'UNKNOWN_EVENT', event: 'typing', issues: [] });
    expect(await errors.next()).toMatchObject({ code: 'BAD_FRAME', event: undefined });
  });

  it('sends them to console.error when no onError listener is registered (Node has no reportError)', async () => {
    const server = await ProtocolServer.start();
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const client = createClient<ChatEvents>(server.url, { WebSocket, network: null });
    try {
      const connection = await server.nextConnection();
      connection.send({ t: 'err', code: 'BAD_FRAME', message: 'not a protocol frame' });
      connection.send({ event: 'notice' });
      await new Promise<void>((resolve) => client.on('notice', () => resolve()));
      expect(printed).toHaveBeenCalledWith(
        expect.objectContaining({ name: 'ServerError', code: 'BAD_FRAME' }),
      );
    } finally {
      printed.mockRestore();
      await client.close();
    }
  });
});
