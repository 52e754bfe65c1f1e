import { RecordingLogger } from '@arcade/test-support';
import { createApp, type ReadinessCheckResult, UnauthorizedException } from '../src';
import { send, startApp } from './support/http';

describe('liveness and readiness endpoints', () => {
  it('answer 200 on /livez and /readyz, with no hook in the way, and are off without the option', async () => {
    const guarded = (app: ReturnType<typeof createApp>) => {
      app.route.registerGlobalBeforeHook(() => {
        throw new UnauthorizedException();
      });
      app.route.get('/other').handle(() => 'guarded');
    };
    const { server } = await startApp(guarded, { health: {} });
    try {
      const live = await send(server, '/livez');
      expect(live.status).toBe(200);
      expect(live.json()).toEqual({ status: 'ok' });
      expect(live.headers['cache-control']).toBe('no-store');
      const ready = await send(server, '/readyz?verbose');
      expect(ready.status).toBe(200);
      expect(ready.json()).toEqual({ ready: true, draining: false, checks: {} });
      expect((await send(server, '/other')).status).toBe(401);
    } finally {
      await server.close();
    }
    const plain = await startApp(() => {});
    try {
      expect((await send(plain.server, '/readyz')).status).toBe(404);
      expect(await plain.server.readiness()).toEqual({ ready: true, draining: false, checks: {} });
    } finally {
      await plain.server.close();
    }
  });

  it('serve the paths asked for', async () => {
    const { server } = await startApp(() => {}, {
      health: { livenessPath: '/alive', readinessPath: '/ready' },
    });
    try {
      expect((await send(server, '/alive')).status).toBe(200);
      expect((await send(server, '/ready')).status).toBe(200);
      expect((await send(server, '/livez')).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('answer 503 naming the check that is not ready, and 200 again once it is', async () => {
    let storage: ReadinessCheckResult = { ready: true };
    const app = createApp({ logger: new RecordingLogger() });
    app.addReadinessCheck('storage', () => storage);
    app.addReadinessCheck('cache', async () => ({ ready: true }));
    const server = await app.runServer({ port: 0, host: '127.0.0.1', health: {} });
    try {
      expect((await send(server, '/readyz')).status).toBe(200);
      storage = { ready: false, reason: 'storage is reconnecting' };
      const down = await send(server, '/readyz');
      expect(down.status).toBe(503);
      expect(down.json()).toEqual({
        ready: false,
        draining: false,
        checks: { storage: { ready: false, reason: 'storage is reconnecting' }, cache: { ready: true } },
      });
      storage = { ready: true };
      expect((await send(server, '/readyz')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('count a check that throws, answers nothing usable or does not answer in time as not ready', async () => {
    const logger = new RecordingLogger();
    const app = createApp();
    app.addReadinessCheck('throws', () => {
      throw new Error('boom');
    });
    app.addReadinessCheck('garbage', () => 'yes' as unknown as ReadinessCheckResult);
    app.addReadinessCheck('hangs', () => new Promise<ReadinessCheckResult>(() => {}));
    const server = await app.runServer({
      port: 0,
      host: '127.0.0.1',
      logger,
      health: { checkTimeoutMs: 50 },
    });
    try {
      const answer = await send(server, '/readyz');
      expect(answer.status).toBe(503);
      expect(answer.json()).toEqual({
        ready: false,
        draining: false,
        checks: {
          throws: { ready: false, reason: 'the check threw (see the server log)' },
          garbage: { ready: false, reason: 'the check answered no { ready } object' },
          hangs: { ready: false, reason: 'no answer within 50 ms' },
        },
      });
      expect(logger.entries).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          fields: expect.objectContaining({ check: 'throws', errorMessage: 'boom' }),
        }),
      );
    } finally {
      await server.close();
    }
  });

  it('refuse a second check of the same name, a nameless one and one that is not a function', () => {
    const app = createApp();
    app.addReadinessCheck('storage', () => ({ ready: true }));
    expect(() => app.addReadinessCheck('storage', () => ({ ready: true }))).toThrow(/registered already/);
    expect(() => app.addReadinessCheck('', () => ({ ready: true }))).toThrow(TypeError);
    expect(() => app.addReadinessCheck('x', true as unknown as () => ReadinessCheckResult)).toThrow(
      TypeError,
    );
  });

  it('refuse invalid options at start', async () => {
    const app = createApp({ logger: new RecordingLogger() });
    const run = (health: unknown) =>
      app.runServer({ port: 0, host: '127.0.0.1', health: health as Record<string, never> });
    await expect(run({ livenessPath: 'livez' })).rejects.toThrow(/health.livenessPath/);
    await expect(run({ readinessPath: '/livez' })).rejects.toThrow(/must differ/);
    await expect(run({ checkTimeoutMs: 0 })).rejects.toThrow(/checkTimeoutMs/);
    await expect(run(true)).rejects.toThrow(/options object/);
  });
});
