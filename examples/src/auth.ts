// Guide: "Authentication" — a before hook checks the token (Authorization header or auth-token
// cookie) before the upgrade, and hands the handler a typed context with the user.
// Run: node examples/dist/auth.js, then connect to ws://localhost:3000/ws/private with the header
//      `Authorization: token-alice` (or the cookie `auth-token=token-bob`); without one: HTTP 401.
import type { IncomingMessage } from 'node:http';
import { type ArcadeServer, RequestContext, type RouteInfo, UnauthorizedException } from '@arcade/core';
import { route, runServer, WebSocketManager } from '@arcade/ws';
import { type ExampleOptions, runFromCommandLine } from './run-example';

export interface User {
  readonly name: string;
}

// Stands for your user store or token service.
const usersByToken = new Map<string, User>([
  ['token-alice', { name: 'Alice' }],
  ['token-bob', { name: 'Bob' }],
]);

async function validateTokenAndGetUser(token: string): Promise<User> {
  const user = usersByToken.get(token);
  if (user === undefined) throw new UnauthorizedException();
  return user;
}

// The same request as the context it is built from (headers, parameters, body, response).
class AuthedWebSocketContext extends RequestContext {
  readonly user: User;
  constructor(init: { request: IncomingMessage; route: RouteInfo; user: User }) {
    super({ request: init.request, route: init.route });
    this.user = init.user;
  }
}

/** The sample's routes: what goes in `init`. */
export function defineRoutes(): void {
  route
    .get('/ws/private')
    .before(async (ctx) => {
      // Check the authorization header or cookie; a throw answers HTTP 401 and nothing is upgraded
      const token =
        ctx.requestHeaders.value('authorization') ??
        ctx.requestHeaders.cookie.find((cookie) => cookie.name === 'auth-token')?.value;
      if (token === undefined) throw new UnauthorizedException();
      const user = await validateTokenAndGetUser(token);
      return new AuthedWebSocketContext({ request: ctx.rawRequest, route: ctx.route, user });
    })
    .handleWebSocket((ctx, websocket, id) => {
      // Now we have access to ctx.user
      websocket.add(`Welcome ${ctx.user.name}!`);
      // Store user info for this connection
      WebSocketManager.setConnectionData(id, { user: ctx.user });
      websocket.listen((message) => {
        // Handle authenticated messages
        if (message === 'whoami') websocket.add(ctx.user.name);
      });
    });
}

export function start(options: ExampleOptions): Promise<ArcadeServer> {
  return runServer({ ...options, init: defineRoutes });
}

if (require.main === module) runFromCommandLine(start);
