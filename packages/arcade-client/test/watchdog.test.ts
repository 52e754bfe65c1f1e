import { ProtocolServer } from './support/protocol-server';
import { closeAllClients, testClient } from './support/test-client';

afterEach(async () => {
  await closeAllClients();
  await ProtocolServer.stopAll();
});

describe('the watchdog', () => {
  it('pings a quiet server, and replaces the socket when nothing comes back within pongTimeoutMs', async () => {
    const server = await ProtocolServer.start({ answerPings: false });
    const { statuses, nextStatus } = testClient(server.url, { pingIdleMs: 10, pongTimeoutMs: 10 });
    const first = await server.nextConnection();
    await nextStatus('open');
    await first.pings.next();
    expect(await nextStatus('reconnecting')).toEqual({
      status: 'reconnecting',
      code: null,
      reason: 'no frame from the server within 10 ms of a ping',
      delayMs: expect.any(Number),
    });
    // The client dropped the TCP connection itself: no closing handshake to wait for.
    expect((await first.closed).code).toBe(1006);
    await server.nextConnection();
    await nextStatus('open');
    expect(statuses.all.slice(0, 4).map((event) => event.status)).toEqual([
      'connecting',
      'open',
      'reconnecting',
      'open',
    ]);
  });

  it('keeps a connection whose server answers the pings', async () => {
    const server = await ProtocolServer.start();
    const { statuses } = testClient(server.url, { pingIdleMs: 5, pongTimeoutMs: 1000 });
    const connection = await server.nextConnection();
    for (let i = 0; i < 3; i += 1) await connection.pings.next();
    expect(statuses.all.map((event) => event.status)).toEqual(['connecting', 'open']);
  });

  it('takes any frame after a ping as a sign of life, not only a pong', async () => {
    const server = await ProtocolServer.start({ answerPings: false });
    const { statuses } = testClient(server.url, { pingIdleMs: 5, pongTimeoutMs: 1000 });
    const connection = await server.nextConnection();
    for (let i = 0; i < 3; i += 1) {
      await connection.pings.next();
      connection.send({ event: 'notice' });
    }
    expect(statuses.all.map((event) => event.status)).toEqual(['connecting', 'open']);
  });
});
