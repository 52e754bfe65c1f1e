import type { IncomingMessage } from 'node:http';
import { type App, RequestContext, type RouteInfo, UnauthorizedException } from '@arcade/core';
import { expectUpgradeRefused } from '@arcade/test-support';
import { WebSocketManager } from '@arcade/ws';
import { startServer, type TestServer } from '../support/server';

interface User {
  readonly name: string;
}

const users = new Map<string, User>([
  ['token-alice', { name: 'Alice' }],
  ['token-bob', { name: 'Bob' }],
]);

async function validateTokenAndGetUser(token: string): Promise<User> {
  const user = users.get(token);
  if (!user) throw new UnauthorizedException();
  return user;
}

// The guide's AuthedWebSocketContext: a subclass built from the raw request is the same request.
class AuthedWebSocketContext extends RequestContext {
  readonly user: User;
  constructor(init: { request: IncomingMessage; route: RouteInfo; user: User }) {
    super({ request: init.request, route: init.route });
    this.user = init.user;
  }
}

function defineAuthRoutes(app: App): void {
  const manager = WebSocketManager.of(app);
  app.route
    .get('/ws/private')
    .before(async (ctx) => {
      const token =
        ctx.requestHeaders.value('authorization') ??
        ctx.requestHeaders.cookie.find((cookie) => cookie.name === 'auth-token')?.value;
      if (token === undefined) throw new UnauthorizedException();
      const user = await validateTokenAndGetUser(token);
      return new AuthedWebSocketContext({ request: ctx.rawRequest, route: ctx.route, user });
    })
    .handleWebSocket((ctx, websocket, id) => {
      websocket.add(`Welcome ${ctx.user.name}!`);
      manager.setConnectionData(id, { user: ctx.user });
      websocket.listen((message) => {
        if (message === 'whoami') websocket.add(`${ctx.user.name} on ${ctx.path}`);
      });
    });
}

describe('guide: authentication in a before hook', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer(defineAuthRoutes);
  });

  afterEach(() => server.close());

  it('accepts a token in the Authorization header and types the context as the subclass', async () => {
    const client = await server.connect('/ws/private', { headers: { authorization: 'token-alice' } });
    expect(await client.nextText()).toBe('Welcome Alice!');
    await client.send('whoami');
    expect(await client.nextText()).toBe('Alice on /ws/private');
    const manager = WebSocketManager.of(server.app);
    const [id] = manager.getConnectedIds();
    expect(manager.getConnectionData(id!)).toEqual({ user: { name: 'Alice' } });
  });

  it('accepts a token in the auth-token cookie', async () => {
    const client = await server.connect('/ws/private', {
      headers: { cookie: 'theme=dark; auth-token=token-bob' },
    });
    expect(await client.nextText()).toBe('Welcome Bob!');
  });

  it('answers 401 with a JSON error and no upgrade when no token is given', async () => {
    const refused = await expectUpgradeRefused(server.wsUrl('/ws/private'), {
      headers: { cookie: 'theme=dark' },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(refused.body)).toEqual({ error: { statusCode: 401, message: 'Unauthorized' } });
    expect(WebSocketManager.of(server.app).getConnectedIds()).toEqual([]);
    expect(await server.app.getAllConnections()).toEqual([]);
  });

  it('answers 401 with no upgrade when the token is unknown', async () => {
    const refused = await expectUpgradeRefused(server.wsUrl('/ws/private'), {
      headers: { authorization: 'token-mallory' },
    });
    expect(refused.status).toBe(401);
    expect(WebSocketManager.of(server.app).getConnectedIds()).toEqual([]);
  });
});
