import { Writable } from 'node:stream';
import pino from 'pino';
import { adaptLogger, createApp, isPinoLogger, type Logger, silentLogger } from '../src';
import { send } from './support/http';

/** A stream pino writes its JSON lines to, kept as parsed objects. */
function jsonLines(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return { stream, lines };
}

describe('a pino logger passed as it is', () => {
  it('receives the framework’s records with their fields, as pino JSON lines', async () => {
    const { stream, lines } = jsonLines();
    // Typed as core's Logger with no adapter: pino's methods accept `(message, ...args)`.
    const logger: Logger = pino({ level: 'debug', base: { service: 'shop' } }, stream);
    const app = createApp();
    app.route.get('/boom').handle(() => {
      throw new Error('kaput');
    });
    const server = await app.runServer({ port: 0, host: '127.0.0.1', logger });
    await send(server, '/boom');
    app.logger.info('no fields');
    await server.close();

    expect(lines).toContainEqual(
      expect.objectContaining({ level: 30, msg: 'Server listening', url: server.url, service: 'shop' }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'Unhandled error while handling a request',
        method: 'GET',
        path: '/boom',
        route: '/boom',
        errorName: 'Error',
        errorMessage: 'kaput',
        stack: expect.stringContaining('kaput'),
      }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ level: 30, msg: 'no fields' }));
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 30, msg: 'Server closed', url: server.url }),
    );
  });

  it('keeps its level, and its child loggers (with their bindings) fit too', () => {
    const { stream, lines } = jsonLines();
    const child = pino({ level: 'warn' }, stream).child({ component: 'ws' });
    const app = createApp({ logger: child });
    app.logger.info('dropped by pino’s level', { a: 1 });
    app.logger.warn('kept', { connectionId: 'c1' });
    app.logger.debug('dropped');
    app.logger.error('also kept');
    expect(
      lines.map(({ level, msg, component, connectionId }) => ({ level, msg, component, connectionId })),
    ).toEqual([
      { level: 40, msg: 'kept', component: 'ws', connectionId: 'c1' },
      { level: 50, msg: 'also kept', component: 'ws', connectionId: undefined },
    ]);
  });

  it('is told apart from other loggers, which are used unchanged', () => {
    expect(isPinoLogger(pino({ enabled: false }))).toBe(true);
    expect(isPinoLogger(silentLogger)).toBe(false);
    expect(adaptLogger(silentLogger)).toBe(silentLogger);
    expect(createApp({ logger: silentLogger }).logger).toBe(silentLogger);
  });
});
