// Guide: "Subprotocols" — the before hook accepts only clients that offer chat-v1, and negotiates it.
// Run: node examples/dist/subprotocols.js, then connect to ws://localhost:3000/ws/protocol offering
//      the subprotocol chat-v1 (websocat --protocol chat-v1 ...); without it: HTTP 400.
import { type ArcadeServer, BadRequestException } from '@arcade/core';
import { route, runServer } from '@arcade/ws';
import { parseClientMessage, stringField } from './client-message';
import { type ExampleOptions, runFromCommandLine } from './run-example';

/** The sample's routes: what goes in `init`. */
export function defineRoutes(): void {
  route
    .get('/ws/protocol')
    .before((ctx) => {
      // Check the requested protocols
      const protocols = (ctx.requestHeaders.value('sec-websocket-protocol') ?? '')
        .split(',')
        .map((protocol) => protocol.trim());
      if (!protocols.includes('chat-v1')) {
        throw new BadRequestException({ message: 'Unsupported protocol' });
      }
      // Set the accepted protocol: this is the one negotiated
      ctx.responseHeaders.set('sec-websocket-protocol', 'chat-v1');
      return ctx;
    })
    .handleWebSocket((_ctx, websocket) => {
      // Handle protocol-specific messages: chat-v1 frames are JSON objects with a "text"
      websocket.listen((message) => {
        const text = stringField(parseClientMessage(message), 'text');
        if (text === undefined) {
          websocket.add(JSON.stringify({ type: 'error', message: 'chat-v1 expects {"text": string}' }));
          return;
        }
        websocket.add(JSON.stringify({ type: 'ack', protocol: websocket.protocol, text }));
      });
    });
}

export function start(options: ExampleOptions): Promise<ArcadeServer> {
  return runServer({ ...options, init: defineRoutes });
}

if (require.main === module) runFromCommandLine(start);
