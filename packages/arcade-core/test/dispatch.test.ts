import type { ArcadeServer } from '../src';
import { send, startApp } from './support/http';

describe('dispatch of routes', () => {
  it('runs a global hook registered after a route already served requests', async () => {
    const { server, app } = await startApp((app) => {
      app.route.get('/late').handle((ctx) => ({ tagged: ctx.responseHeaders.get('x-tag') ?? null }));
    });
    try {
      expect((await send(server, '/late')).json()).toEqual({ tagged: null });
      app.route.registerGlobalBeforeHook((ctx) => {
        ctx.responseHeaders.set('x-tag', 'global');
        return ctx;
      });
      app.route.registerGlobalAfterHook((ctx, result) => [ctx, { after: result }]);
      const response = await send(server, '/late');
      expect(response.headers['x-tag']).toBe('global');
      expect(response.json()).toEqual({ after: { tagged: 'global' } });
    } finally {
      await server.close();
    }
  });

  it('runs an after hook added to a route after it already served requests', async () => {
    let server: ArcadeServer | undefined;
    try {
      const started = await startApp(() => {});
      server = started.server;
      const handle = started.app.route.get('/grows').handle(() => 'plain');
      expect((await send(server, '/grows')).text).toBe('plain');
      handle.after((ctx, result) => [ctx, `${String(result)} then after`]);
      expect((await send(server, '/grows')).text).toBe('plain then after');
    } finally {
      await server?.close();
    }
  });

  it('awaits a thenable that is not a Promise, and answers a synchronous throw with 500', async () => {
    const { server, logger } = await startApp((app) => {
      app.route.get('/thenable').handle(() => ({
        // biome-ignore lint/suspicious/noThenProperty: the point is a hand-made thenable
        then: (resolve: (value: unknown) => void) => resolve({ from: 'thenable' }),
      }));
      app.route.get('/throws').handle(() => {
        throw new Error('sync failure');
      });
    });
    try {
      expect((await send(server, '/thenable')).json()).toEqual({ from: 'thenable' });
      const failed = await send(server, '/throws');
      expect(failed.status).toBe(500);
      expect(failed.json()).toEqual({ error: { statusCode: 500, message: 'Internal server error' } });
      expect(logger.entries.some((entry) => entry.fields?.errorMessage === 'sync failure')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('gives each request its own path parameters, which inherit nothing', async () => {
    const { server } = await startApp((app) => {
      app.route.get('/p/:__proto__/:constructor').handle((ctx) => {
        const parameters = ctx.pathParameters;
        parameters.mutated = 'yes';
        return {
          own: Object.keys(parameters),
          proto: parameters.__proto__,
          inheritsToString: 'toString' in parameters,
        };
      });
    });
    try {
      for (const value of ['a', 'b']) {
        expect((await send(server, `/p/${value}/c`)).json()).toEqual({
          own: ['__proto__', 'constructor', 'mutated'],
          proto: value,
          inheritsToString: false,
        });
      }
    } finally {
      await server.close();
    }
  });

  it('keeps a content type recorded by the handler over the rendered default', async () => {
    const { server } = await startApp((app) => {
      app.route.get('/typed').handle((ctx) => {
        ctx.responseHeaders.set('content-type', 'application/vnd.test+json');
        return { typed: true };
      });
      app.route.get('/raw-typed').handle((ctx) => {
        ctx.rawResponse?.setHeader('content-type', 'text/plain; charset=utf-8');
        return 'plain text';
      });
    });
    try {
      const typed = await send(server, '/typed');
      expect(typed.headers['content-type']).toBe('application/vnd.test+json');
      expect(typed.text).toBe('{"typed":true}');
      expect(typed.headers['content-length']).toBe(String(typed.bytes.length));
      const raw = await send(server, '/raw-typed');
      expect(raw.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(raw.text).toBe('plain text');
    } finally {
      await server.close();
    }
  });

  it('counts the content length of a multi-byte text body in bytes', async () => {
    const { server } = await startApp((app) => {
      app.route.get('/utf8').handle(() => 'été ☃');
    });
    try {
      const response = await send(server, '/utf8');
      expect(response.text).toBe('été ☃');
      expect(response.headers['content-length']).toBe(String(Buffer.byteLength('été ☃')));
    } finally {
      await server.close();
    }
  });
});
