import type { App, RequestContext } from '@arcade/core';
import type { EventSocket } from '@arcade/ws';
import { ChatConnection } from './chat-connection';
import type { ChatEvents } from './chat-events';
import { CHAT_SCHEMAS } from './chat-schemas';
import type { ChatServices } from './chat-services';
import { rateLimitKey } from './rate-limiter';
import { MAX_FRAME_BYTES } from './validation';

/** Where the page opens its WebSocket. */
export const CHAT_PATH = '/ws';

/**
 * The chat's WebSocket endpoint: an events route of @arcade/ws (`handleEvents`, protocol
 * `arcade.events.v1`) typed by the events map of src/chat-events.ts. `guard` runs before the upgrade
 * (origin and connection budgets); every payload is checked by its schema (src/chat-schemas.ts)
 * before its handler. A client's join is checked by `authorizeJoin`, recovered by @arcade/ws, and
 * announced by `onJoined` once answered (a join that failed is never announced); its leave is counted
 * and announced by `onLeave` before @arcade/ws applies it.
 */
export function registerChatRoute(
  app: App,
  services: ChatServices,
  guard: <C extends RequestContext>(ctx: C) => C,
): void {
  // Created by onConnect, which @arcade/ws awaits before handing the connection's first frame over,
  // and dropped by onDisconnect.
  const connections = new Map<string, ChatConnection>();
  const connectionOf = (socket: EventSocket<ChatEvents>): ChatConnection => {
    const connection = connections.get(socket.id);
    if (!connection) throw new Error(`no chat connection ${socket.id}: a frame before onConnect?`);
    return connection;
  };

  app.route
    .get(CHAT_PATH)
    .before(guard)
    .handleEvents<ChatEvents>(
      {
        events: {
          say: ({ text }, socket) => connectionOf(socket).say(text),
          whisper: ({ to, text }, socket) => connectionOf(socket).whisper(to, text),
          typing: ({ typing }, socket) => connectionOf(socket).typing(typing),
          listRooms: (_nothing, socket) => connectionOf(socket).listRooms(),
          roomView: ({ room, history }, socket) => connectionOf(socket).roomView(room, history),
        },
        schemas: CHAT_SCHEMAS,
        authorizeJoin: (room, socket) => connectionOf(socket).authorizeJoin(room),
        // Closed meanwhile (onDisconnect ran): nothing to announce, the room never heard of it.
        onJoined: (room, socket) => connections.get(socket.id)?.joined(room),
        onLeave: (room, socket) => connectionOf(socket).leave(room),
        onConnect: (socket) => {
          // The TCP peer: behind a reverse proxy, the proxy (README, "Limits per client").
          const rateKey = rateLimitKey(socket.ctx.rawRequest.socket.remoteAddress, socket.id);
          const name = socket.ctx.queryParameters.name;
          const connection = new ChatConnection(socket.id, services, rateKey, name);
          connections.set(socket.id, connection);
          socket.emit('welcome', connection.welcome());
        },
        onDisconnect: (socket) => {
          const connection = connections.get(socket.id);
          connections.delete(socket.id);
          connection?.closed().catch((error: unknown) => {
            services.logger.debug('leave notice not sent', { connectionId: socket.id, error: String(error) });
          });
        },
      },
      // The chat's frames are small: a bigger one is closed with 1009 by the transport.
      { maxPayload: MAX_FRAME_BYTES },
    );
}
