import type { ArcadeServer, RequestContext } from '../src';
import { send, startApp } from './support/http';

describe('router', () => {
  let server: ArcadeServer;
  const calls: string[] = [];

  beforeAll(async () => {
    ({ server } = await startApp((app) => {
      const { route } = app;
      // Declared wildcard first and static last on purpose: precedence must not depend on order.
      route.get('/users/*').handle((ctx) => ({ kind: 'wildcard', rest: ctx.pathParameters['*'] }));
      route.get('/users/:id').handle((ctx) => ({ kind: 'param', id: ctx.pathParameters.id }));
      route.get('/users/me').handle(() => ({ kind: 'static' }));
      route
        .post('/users/:id')
        .handle((ctx) => ({ kind: 'post', id: ctx.pathParameters.id, route: ctx.route }));
      route.get('/users/:userId/posts/:postId').handle((ctx) => ctx.pathParameters);
      route.get('/Case').handle(() => 'upper');
      route.get('/').handle(() => 'root');
      route.any('/anything').handle((ctx) => ({ method: ctx.method, route: ctx.route }));
      route.delete('/anything').handle(() => 'delete has its own route');
      route.get('/only-get').handle(() => 'got it');
      route.head('/explicit-head').handle((ctx) => {
        ctx.responseHeaders.set('x-head', 'own');
        return undefined;
      });
      route.registerGlobalBeforeHook((ctx) => {
        calls.push(`global-before ${ctx.path}`);
        return ctx;
      });
      route.registerGlobalAfterHook((ctx, result) => {
        calls.push('global-after');
        return [ctx, result];
      });
      route.group('/api', {
        before: [
          (ctx) => {
            calls.push('group-before');
            return ctx;
          },
        ],
        after: [
          (ctx, result) => {
            calls.push('group-after');
            return [ctx, result];
          },
        ],
        defineRoutes: (api) => {
          api
            .get('/items/:id')
            .before((ctx) => {
              calls.push('route-before');
              return ctx;
            })
            .handle((ctx) => {
              calls.push('handler');
              return { id: ctx.pathParameters.id, pattern: ctx.route.path };
            })
            .after((ctx, result) => {
              calls.push('route-after');
              return [ctx, { wrapped: result }];
            });
          api.group('/v2', {
            defineRoutes: (v2) => v2.get('/ping').handle((ctx: RequestContext) => ctx.route.path),
          });
        },
      });
      route.notFound((ctx) => {
        ctx.statusCode = 404;
        return { custom: 'not found', path: ctx.path };
      });
    }));
  });

  afterAll(() => server.close());
  beforeEach(() => {
    calls.length = 0;
  });

  it('prefers static over param over wildcard regardless of declaration order', async () => {
    expect((await send(server, '/users/me')).json()).toEqual({ kind: 'static' });
    expect((await send(server, '/users/42')).json()).toEqual({ kind: 'param', id: '42' });
    expect((await send(server, '/users/42/files/a')).json()).toEqual({
      kind: 'wildcard',
      rest: '42/files/a',
    });
  });

  it('backtracks to a param route when the static branch has no route for the method', async () => {
    const response = await send(server, '/users/me', { method: 'POST' });
    expect(response.json()).toEqual({
      kind: 'post',
      id: 'me',
      route: { method: 'POST', path: '/users/:id' },
    });
  });

  it('ignores a trailing slash and doubled slashes', async () => {
    expect((await send(server, '/users/me/')).json()).toEqual({ kind: 'static' });
    expect((await send(server, '//users//me')).json()).toEqual({ kind: 'static' });
    expect((await send(server, '/')).text).toBe('root');
  });

  it('matches case-sensitively', async () => {
    expect((await send(server, '/Case')).text).toBe('upper');
    expect((await send(server, '/case')).status).toBe(404);
  });

  it('percent-decodes parameters after splitting, so %2F stays inside a segment', async () => {
    const response = await send(server, '/users/a%2Fb%20c/posts/%C3%A9t%C3%A9');
    expect(response.json()).toEqual({ userId: 'a/b c', postId: 'été' });
  });

  it('answers 400 for malformed percent-encoding in the path or the query', async () => {
    const inPath = await send(server, '/users/%E0%A4%A');
    expect(inPath.status).toBe(400);
    expect(inPath.json()).toEqual({
      error: { statusCode: 400, message: 'Malformed percent-encoding in the path' },
    });
    const inQuery = await send(server, '/users/1?q=%zz');
    expect(inQuery.status).toBe(400);
    expect(inQuery.json()).toEqual({
      error: { statusCode: 400, message: 'Malformed percent-encoding in the query string' },
    });
  });

  it('answers any method on an `any` route unless the method has its own route', async () => {
    const patch = await send(server, '/anything', { method: 'PATCH' });
    expect(patch.json()).toEqual({ method: 'PATCH', route: { method: 'ANY', path: '/anything' } });
    expect((await send(server, '/anything', { method: 'DELETE' })).text).toBe('delete has its own route');
  });

  it('answers 404 for a path that exists only under another method', async () => {
    const response = await send(server, '/only-get', { method: 'PUT' });
    expect(response.status).toBe(404);
    expect(response.json()).toEqual({ custom: 'not found', path: '/only-get' });
  });

  it('answers HEAD from the GET route without a body, unless a HEAD route exists', async () => {
    const head = await send(server, '/only-get', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('6');
    expect(head.text).toBe('');
    const own = await send(server, '/explicit-head', { method: 'HEAD' });
    expect(own.status).toBe(204);
    expect(own.headers['x-head']).toBe('own');
  });

  it('runs hooks global, then group, then route, for before and after hooks alike', async () => {
    const response = await send(server, '/api/items/7');
    expect(response.json()).toEqual({ wrapped: { id: '7', pattern: '/api/items/:id' } });
    expect(calls).toEqual([
      'global-before /api/items/7',
      'group-before',
      'route-before',
      'handler',
      'global-after',
      'group-after',
      'route-after',
    ]);
  });

  it('nests groups, joining their prefixes', async () => {
    expect((await send(server, '/api/v2/ping')).text).toBe('/api/v2/ping');
  });

  it('runs global hooks around the notFound handler', async () => {
    const response = await send(server, '/nowhere/at/all');
    expect(response.status).toBe(404);
    expect(response.json()).toEqual({ custom: 'not found', path: '/nowhere/at/all' });
    expect(calls).toEqual(['global-before /nowhere/at/all', 'global-after']);
  });
});

describe('router without a notFound handler', () => {
  it('answers the standard 404 body', async () => {
    const { server } = await startApp(() => {});
    try {
      const response = await send(server, '/missing');
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.json()).toEqual({ error: { statusCode: 404, message: 'Not found' } });
    } finally {
      await server.close();
    }
  });

  it('rejects a wildcard that is not the last segment', async () => {
    const { server, app } = await startApp(() => {});
    try {
      expect(() => app.route.get('/a/*/b')).toThrow('the wildcard "*" must be the last segment');
    } finally {
      await server.close();
    }
  });

  it('rejects a group prefix holding the wildcard, alone or after a parameter', async () => {
    const { server, app } = await startApp(() => {});
    try {
      expect(() => app.route.group('/files/*', { defineRoutes: () => {} })).toThrow(
        'Group prefix "/files/*" cannot contain the wildcard "*"',
      );
      const nested = () =>
        app.route.group('/:id', {
          defineRoutes: (inner) => inner.group('/*', { defineRoutes: () => {} }),
        });
      expect(nested).toThrow('Group prefix "/*" cannot contain the wildcard "*"');
    } finally {
      await server.close();
    }
  });
});
