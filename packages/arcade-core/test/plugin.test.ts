import type { Server } from 'node:http';
import { App, RequestContext, RouteBuilder, type ServerOptions } from '../src';
import { rawConnection, readUntilClosed, send, startApp } from './support/http';

// What a plugin such as @arcade/ws does: declaration merging plus prototype methods.
declare module '../src' {
  interface RouteBuilder<C extends RequestContext = RequestContext> {
    handleGreeting(greeting: (ctx: C) => string): void;
  }
  interface ServerOptions {
    greeting?: { prefix: string };
  }
  interface App {
    greetingsSent(): number;
  }
}

const sentByApp = new WeakMap<App, number>();
const prefixByServer = new WeakMap<Server, string>();

RouteBuilder.prototype.handleGreeting = function handleGreeting<C extends RequestContext>(
  this: RouteBuilder<C>,
  greeting: (ctx: C) => string,
): void {
  const app = this.app;
  let prefix = '';
  app.onServerStart((server, options: ServerOptions) => {
    prefix = options.greeting?.prefix ?? '';
    prefixByServer.set(server, prefix);
  });
  this.handleUpgrade((ctx, { socket }) => {
    sentByApp.set(app, (sentByApp.get(app) ?? 0) + 1);
    socket.end(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: greeting\r\nConnection: Upgrade\r\n\r\n${prefix}${greeting(ctx)}`,
    );
  });
};

App.prototype.greetingsSent = function greetingsSent(this: App): number {
  return sentByApp.get(this) ?? 0;
};

class NamedContext extends RequestContext {
  readonly visitor = 'Lin';
}

describe('plugin extension points', () => {
  it('lets a plugin add route methods, server options and app methods', async () => {
    const { app, server } = await startApp(
      (current) => {
        current.route
          .get('/greet/:name')
          .before((ctx) => new NamedContext({ request: ctx.rawRequest, route: ctx.route }))
          .handleGreeting((ctx) => `hello ${ctx.pathParameters.name}, from ${ctx.visitor}`);
      },
      { greeting: { prefix: '> ' } },
    );
    try {
      const socket = await rawConnection(server);
      const received = readUntilClosed(socket);
      socket.write('GET /greet/Ada HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: greeting\r\n\r\n');
      expect(await received).toMatch(/\r\n\r\n> hello Ada, from Lin$/);
      expect(app.greetingsSent()).toBe(1);
      expect(prefixByServer.get(server.httpServer)).toBe('> ');
      expect((await send(server, '/greet/Ada')).status).toBe(426);
    } finally {
      await server.close();
    }
  });
});
