import { BadRequestException, RequestContext, type RouteInfo, UnauthorizedException } from '@arcade/core';
import { expectUpgradeRefused, httpRequest, TestClient } from '@arcade/test-support';
import { closeAll, startServer } from './harness';

interface User {
  readonly name: string;
}

/** The guide's AuthedWebSocketContext: a subclass built from the request, carrying the user. */
class AuthedWebSocketContext extends RequestContext {
  readonly user: User;

  constructor(init: { request: RequestContext['rawRequest']; route: RouteInfo; user: User }) {
    super({ request: init.request, route: init.route });
    this.user = init.user;
  }
}

function authenticate(ctx: RequestContext): AuthedWebSocketContext {
  const token =
    ctx.requestHeaders.value('authorization') ??
    ctx.requestHeaders.cookie.find((cookie) => cookie.name === 'auth-token')?.value;
  if (token !== 'secret') throw new UnauthorizedException();
  return new AuthedWebSocketContext({ request: ctx.rawRequest, route: ctx.route, user: { name: 'Ada' } });
}

afterEach(closeAll);

describe('handleWebSocket routing', () => {
  it('answers a plain HTTP request to a WebSocket route with 426 and a JSON error', async () => {
    const { httpUrl } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(() => {});
    });
    const answer = await httpRequest(httpUrl('/ws'));
    expect(answer.status).toBe(426);
    expect(answer.headers.upgrade).toBe('websocket');
    expect(answer.json()).toEqual({ error: { statusCode: 426, message: expect.any(String) } });
  });

  it('answers 401 with the JSON error and no upgrade when a before hook throws Unauthorized', async () => {
    let handlerCalls = 0;
    const { url } = await startServer((app) => {
      app.route
        .get('/ws/private')
        .before(authenticate)
        .handleWebSocket(() => {
          handlerCalls += 1;
        });
    });
    const answer = await expectUpgradeRefused(url('/ws/private'));
    expect(answer.status).toBe(401);
    expect(answer.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(answer.body)).toEqual({ error: { statusCode: 401, message: 'Unauthorized' } });
    expect(handlerCalls).toBe(0);
  });

  it('hands the handler and onConnect the context the before hooks produced', async () => {
    const { url } = await startServer((app) => {
      app.route
        .get('/ws/private')
        .before(authenticate)
        .handleWebSocket(
          (ctx, websocket) => {
            websocket.add(`Welcome ${ctx.user.name}!`);
          },
          {
            onConnect: (ctx, websocket) => {
              websocket.add(`onConnect sees ${ctx.user.name}`);
            },
          },
        );
    });
    const byHeader = await TestClient.connect(url('/ws/private'), { headers: { authorization: 'secret' } });
    expect(await byHeader.nextText()).toBe('onConnect sees Ada');
    expect(await byHeader.nextText()).toBe('Welcome Ada!');
    const byCookie = await TestClient.connect(url('/ws/private'), {
      headers: { cookie: 'auth-token=secret' },
    });
    expect(await byCookie.nextText()).toBe('onConnect sees Ada');
  });

  it('keeps a context extended with Object.assign in a before hook', async () => {
    const { url } = await startServer((app) => {
      app.route
        .get('/ws/room/:roomId')
        .before((ctx) => Object.assign(ctx, { nickname: ctx.queryParameters.nick ?? 'anon' }))
        .handleWebSocket((ctx, websocket) => {
          websocket.add(`${ctx.nickname}@${ctx.pathParameters.roomId}`);
        });
    });
    const client = await TestClient.connect(url('/ws/room/lobby?nick=bob'));
    expect(await client.nextText()).toBe('bob@lobby');
  });

  it('negotiates the subprotocol a before hook sets, as in the guide', async () => {
    const { url } = await startServer((app) => {
      app.route
        .get('/ws/protocol')
        .before((ctx) => {
          const protocols =
            ctx.requestHeaders
              .value('sec-websocket-protocol')
              ?.split(',')
              .map((protocol) => protocol.trim()) ?? [];
          if (!protocols.includes('chat-v1'))
            throw new BadRequestException({ message: 'Unsupported protocol' });
          ctx.responseHeaders.add('sec-websocket-protocol', 'chat-v1');
          return ctx;
        })
        .handleWebSocket((_ctx, websocket) => {
          websocket.add(`protocol=${websocket.protocol}`);
        });
    });
    const client = await TestClient.connect(url('/ws/protocol'), { protocols: ['chat-v2', 'chat-v1'] });
    expect(client.socket.protocol).toBe('chat-v1');
    expect(await client.nextText()).toBe('protocol=chat-v1');
    const refused = await expectUpgradeRefused(url('/ws/protocol'), {
      headers: { 'sec-websocket-protocol': 'other' },
    });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toEqual({ error: { statusCode: 400, message: 'Unsupported protocol' } });
  });

  it('negotiates no subprotocol when the client offers none', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket((_ctx, websocket) => {
        websocket.add(`protocol=[${websocket.protocol}]`);
      });
    });
    const client = await TestClient.connect(url('/ws'));
    expect(client.socket.protocol).toBe('');
    expect(await client.nextText()).toBe('protocol=[]');
  });

  it('sends the response headers set by before hooks on the 101 response', async () => {
    const { url } = await startServer((app) => {
      app.route
        .get('/ws')
        .before((ctx) => {
          ctx.responseHeaders.set('x-session', 'abc');
          ctx.responseHeaders.add('set-cookie', 'a=1');
          ctx.responseHeaders.add('set-cookie', 'b=2');
          return ctx;
        })
        .handleWebSocket(() => {});
    });
    const client = await TestClient.connect(url('/ws'));
    const headers = client.upgradeHeaders;
    expect(headers['x-session']).toBe('abc');
    expect(headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('leaves ordinary routes of the same app untouched', async () => {
    const { httpUrl } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(() => {});
      app.route.get('/health').handle(() => ({ ok: true }));
    });
    const answer = await httpRequest(httpUrl('/health'));
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ ok: true });
  });
});
