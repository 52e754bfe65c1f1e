import type { IncomingMessage } from 'node:http';
import { type ArcadeServer, RequestContext } from '../src';
import { defineGuideAuthRoutes, defineTypeAssertions } from './fixtures/guide-auth';
import { send, startApp } from './support/http';

describe('RequestContext', () => {
  let server: ArcadeServer;

  beforeAll(async () => {
    ({ server } = await startApp((app) => {
      const { route } = app;
      defineGuideAuthRoutes(route);

      route.get('/headers').handle((context) => ({
        joined: context.requestHeaders.value('x-multi'),
        values: context.requestHeaders.values('x-multi'),
        missing: context.requestHeaders.value('x-missing') ?? null,
        has: context.requestHeaders.has('X-MULTI'),
        cookies: context.requestHeaders.cookie,
      }));

      route.get('/query').handle((context) => ({
        last: context.queryParameters,
        all: context.queryParametersAll,
      }));

      route.get('/response-headers').handle((context) => {
        context.responseHeaders.add('Set-Cookie', 'a=1');
        context.responseHeaders.add('set-cookie', 'b=2');
        context.responseHeaders.set('x-replaced', 'first');
        context.responseHeaders.set('X-Replaced', 'second');
        context.responseHeaders.set('x-deleted', 'gone');
        context.responseHeaders.delete('x-deleted');
        return {
          entries: [...context.responseHeaders.entries()],
          get: context.responseHeaders.get('x-replaced'),
        };
      });
    }));
  });

  afterAll(() => server.close());

  it('lets a before hook return the guide-style subclass, which is the same request', async () => {
    const response = await send(server, '/private/lobby?x=1', {
      method: 'POST',
      headers: { authorization: 'good-token', 'content-type': 'application/json' },
      body: '{"hello":"world"}',
    });
    expect(response.status).toBe(201);
    expect(response.headers['x-seen-by-hook']).toBe('yes');
    expect(response.headers['x-user']).toBe('Ada');
    expect(response.json()).toEqual({
      user: 'Ada',
      room: 'lobby',
      query: { x: '1' },
      status: 201,
      body: { hello: 'world' },
      isSubclass: true,
      route: { method: 'POST', path: '/private/:room' },
      method: 'POST',
      path: '/private/lobby',
      afterSawUser: 'Ada',
    });
  });

  it('reads the token from a cookie when there is no authorization header', async () => {
    const response = await send(server, '/private/x', {
      method: 'POST',
      headers: { cookie: 'theme=dark; auth-token=good-token', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.json()).toMatchObject({ user: 'Ada' });
  });

  it('answers the exception a before hook throws, without calling the handler', async () => {
    const missing = await send(server, '/private/x', { method: 'POST' });
    expect(missing.status).toBe(401);
    expect(missing.json()).toEqual({ error: { statusCode: 401, message: 'Unauthorized' } });
    const invalid = await send(server, '/private/x', { method: 'POST', headers: { authorization: 'bad' } });
    expect(invalid.json()).toEqual({ error: { statusCode: 401, message: 'Invalid token' } });
  });

  it('supports the Object.assign(ctx, { user }) pattern', async () => {
    expect((await send(server, '/assign')).json()).toEqual({ user: 'Grace', same: true });
  });

  it('joins repeated request headers with ", " and parses cookies', async () => {
    const response = await send(server, '/headers', {
      headers: { 'x-multi': ['one', 'two'], cookie: 'a=1; b="quoted"; c=caf%C3%A9; d=%zz; =skipped; flag' },
    });
    expect(response.json()).toEqual({
      joined: 'one, two',
      values: ['one', 'two'],
      missing: null,
      has: true,
      cookies: [
        { name: 'a', value: '1' },
        { name: 'b', value: 'quoted' },
        { name: 'c', value: 'café' },
        { name: 'd', value: '%zz' },
      ],
    });
  });

  it('keeps the last value of a repeated query key and every value in queryParametersAll', async () => {
    const response = await send(server, '/query?a=1&b=x+y&a=2&empty&c=%26&__proto__=safe');
    expect(response.json()).toEqual({
      last: { a: '2', b: 'x y', empty: '', c: '&', ['__proto__']: 'safe' },
      all: { a: ['1', '2'], b: ['x y'], empty: [''], c: ['&'], ['__proto__']: ['safe'] },
    });
  });

  it('records response headers case-insensitively, adding and replacing values', async () => {
    const response = await send(server, '/response-headers');
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(response.headers['x-replaced']).toBe('second');
    expect(response.headers['x-deleted']).toBeUndefined();
    expect(response.json()).toEqual({
      entries: [
        ['set-cookie', ['a=1', 'b=2']],
        ['x-replaced', 'second'],
      ],
      get: 'second',
    });
  });

  it('rejects a status code outside 100..999', () => {
    const context = new RequestContext({
      request: { url: '/x', method: 'GET', headersDistinct: {}, headers: {} } as unknown as IncomingMessage,
      route: { method: 'GET', path: '/x' },
    });
    expect(() => {
      context.statusCode = 42;
    }).toThrow(RangeError);
    expect(context.path).toBe('/x');
  });
});

describe('RequestContext types', () => {
  it('registers the type-assertion routes of the fixture without errors', async () => {
    const { app, server } = await startApp(() => {});
    try {
      defineTypeAssertions(app.route);
      expect((await send(server, '/typed/untyped')).status).toBe(204);
    } finally {
      await server.close();
    }
  });
});
