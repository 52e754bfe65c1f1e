import { createApp, createConsoleLogger, silentLogger } from '../src';

describe('createConsoleLogger', () => {
  let out: jest.SpyInstance;
  let err: jest.SpyInstance;

  beforeEach(() => {
    out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => {
    out.mockRestore();
    err.mockRestore();
  });

  it('writes info to stdout and warn/error to stderr, one line each with JSON fields', () => {
    const logger = createConsoleLogger();
    logger.info('Server listening', { url: 'http://127.0.0.1:1' });
    logger.warn('careful');
    logger.error('failed', { code: 7 });
    expect(out).toHaveBeenCalledTimes(1);
    expect(String(out.mock.calls[0]?.[0])).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO Server listening \{"url":"http:\/\/127\.0\.0\.1:1"\}\n$/,
    );
    expect(err.mock.calls.map((call) => String(call[0]).replace(/^\S+ /, ''))).toEqual([
      'WARN careful\n',
      'ERROR failed {"code":7}\n',
    ]);
  });

  it('drops entries below its level', () => {
    const logger = createConsoleLogger({ level: 'warn' });
    logger.debug('hidden');
    logger.info('hidden');
    logger.warn('shown');
    expect(out).not.toHaveBeenCalled();
    expect(err).toHaveBeenCalledTimes(1);
    createConsoleLogger({ level: 'debug' }).debug('now shown');
    expect(out).toHaveBeenCalledTimes(1);
  });

  it('survives fields JSON cannot encode', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    createConsoleLogger().info('odd', circular);
    expect(String(out.mock.calls[0]?.[0])).toContain('INFO odd {"fields":"<unserializable>"}');
  });

  it('has a silent counterpart', () => {
    silentLogger.error('nothing');
    expect(err).not.toHaveBeenCalled();
  });
});

describe('the app logger', () => {
  it('is the one given to createApp until runServer is given another', async () => {
    const recording = { ...silentLogger };
    const app = createApp({ logger: recording });
    expect(app.logger).toBe(recording);

    const server = await app.runServer({ port: 0, host: '127.0.0.1', logger: silentLogger });
    expect(app.logger).toBe(silentLogger);
    await server.close();
  });
});
