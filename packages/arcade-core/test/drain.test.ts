import { RecordingLogger } from '@arcade/test-support';
import { type App, createApp, type ServerCloseContext } from '../src';
import { exchange, send } from './support/http';

const UPGRADE_REQUEST = 'GET /socket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: toy\r\n\r\n';

/** An app with an upgrade route, recording why its server closed. */
function drainableApp(): { app: App; closes: ServerCloseContext[]; logger: RecordingLogger } {
  const logger = new RecordingLogger();
  const app = createApp({ logger });
  const closes: ServerCloseContext[] = [];
  app.route.get('/').handle(() => 'served');
  app.route.get('/socket').handleUpgrade((_ctx, { socket }) => {
    socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: toy\r\nConnection: Upgrade\r\n\r\n');
  });
  app.onServerClose((context) => {
    closes.push(context);
  });
  return { app, closes, logger };
}

describe('server.drain()', () => {
  it('answers readiness 503 and refuses upgrades at once, serves HTTP during its delay, then closes', async () => {
    const { app, closes } = drainableApp();
    const server = await app.runServer({ port: 0, host: '127.0.0.1', health: {}, drainDelayMs: 60_000 });
    expect(server.draining).toBe(false);
    expect(await exchange(server, UPGRADE_REQUEST)).toMatch(/^HTTP\/1.1 101/);

    const drained = server.drain();
    expect(server.drain()).toBe(drained);
    expect(server.draining).toBe(true);
    const readiness = await send(server, '/readyz');
    expect(readiness.status).toBe(503);
    expect(readiness.json()).toEqual({ ready: false, draining: true, checks: {} });
    expect((await send(server, '/livez')).status).toBe(200);
    expect((await send(server, '/')).text).toBe('served');
    const refused = await exchange(server, UPGRADE_REQUEST);
    expect(refused).toMatch(/^HTTP\/1.1 503/);
    expect(refused).toContain('"message":"Server is draining"');
    expect(closes).toEqual([]);

    // close() during the delay ends it: the close is still the drain's.
    await server.close();
    await drained;
    expect(closes).toEqual([{ reason: 'drain' }]);
    await expect(send(server, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('keeps an error listener on the socket of an upgrade it refuses: a reset then is logged, not thrown', async () => {
    const { app, logger } = drainableApp();
    const server = await app.runServer({ port: 0, host: '127.0.0.1', drainDelayMs: 60_000 });
    const drained = server.drain();
    // A reset arriving while the refusal is being written surfaces as an 'error' on the socket.
    server.httpServer.prependListener('upgrade', (_request, socket: import('node:stream').Duplex) =>
      process.nextTick(() => socket.emit('error', new Error('read ECONNRESET'))),
    );
    expect(await exchange(server, UPGRADE_REQUEST)).toMatch(/^HTTP\/1.1 503/);
    await logger.waitFor((entry) => entry.message === 'Upgrade socket error');
    await server.close();
    await drained;
  });

  it('without a delay, closes at once; close() alone tells its listeners reason shutdown', async () => {
    const first = drainableApp();
    const server = await first.app.runServer({ port: 0, host: '127.0.0.1' });
    await server.drain();
    expect(first.closes).toEqual([{ reason: 'drain' }]);

    const second = drainableApp();
    const other = await second.app.runServer({ port: 0, host: '127.0.0.1' });
    await other.close();
    await other.drain();
    expect(second.closes).toEqual([{ reason: 'shutdown' }]);
  });

  it('takes drain({ delayMs }) over drainDelayMs, and refuses an invalid delay', async () => {
    const { app, closes } = drainableApp();
    const server = await app.runServer({ port: 0, host: '127.0.0.1', drainDelayMs: 60_000 });
    await expect(server.drain({ delayMs: -1 })).rejects.toThrow(RangeError);
    expect(server.draining).toBe(false);
    await server.drain({ delayMs: 0 });
    expect(closes).toEqual([{ reason: 'drain' }]);
    await expect(createApp().runServer({ port: 0, drainDelayMs: 1.5 })).rejects.toThrow(/drainDelayMs/);
  });

  it('is what SIGTERM does with handleSignals, while SIGINT closes', async () => {
    const term = drainableApp();
    const server = await term.app.runServer({ port: 0, host: '127.0.0.1', handleSignals: true });
    process.emit('SIGTERM', 'SIGTERM');
    expect(server.draining).toBe(true);
    await server.drain();
    expect(term.closes).toEqual([{ reason: 'drain' }]);

    const int = drainableApp();
    const other = await int.app.runServer({ port: 0, host: '127.0.0.1', handleSignals: true });
    process.emit('SIGINT', 'SIGINT');
    await other.close();
    expect(int.closes).toEqual([{ reason: 'shutdown' }]);
  });
});
