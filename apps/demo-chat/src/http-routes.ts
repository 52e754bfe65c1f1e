import { timingSafeEqual } from 'node:crypto';
import {
  type App,
  BadRequestException,
  ForbiddenException,
  type RequestContext,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@arcade/core';
import { type ChatServices, roomMembers } from './chat-services';
import { ChatInputError, validateRoom, validateText } from './validation';

function tokensMatch(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A before hook that lets a request through only with `Authorization: Bearer <ADMIN_TOKEN>`.
 * Without a configured token the admin API is off (403), so a forgotten variable never opens it.
 */
export function requireAdmin(adminToken: string | undefined) {
  return <C extends RequestContext>(ctx: C): C => {
    if (adminToken === undefined) {
      throw new ForbiddenException({
        message: 'The admin API is disabled: start the server with ADMIN_TOKEN set.',
      });
    }
    const header = ctx.requestHeaders.value('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match?.[1] || !tokensMatch(match[1], adminToken)) {
      throw new UnauthorizedException({
        message: 'Send the admin token as "Authorization: Bearer <ADMIN_TOKEN>".',
      });
    }
    return ctx;
  };
}

function roomParameter(ctx: RequestContext): string {
  try {
    return validateRoom(ctx.pathParameters.roomId);
  } catch (error) {
    if (error instanceof ChatInputError) throw new BadRequestException({ message: error.message });
    throw error;
  }
}

/** Registers the chat's HTTP API on `app`. */
export function registerHttpRoutes(app: App, services: ChatServices, adminToken: string | undefined): void {
  const { route } = app;
  const { realtime, rooms, cache } = services;
  const admin = requireAdmin(adminToken);

  route.get('/healthz').handle((ctx) => {
    const storage = cache.status;
    if (storage !== 'ready') {
      ctx.statusCode = 503;
    }
    return {
      status: storage === 'ready' ? 'ok' : 'degraded',
      storage,
      serverInstanceId: services.serverInstanceId(),
    };
  });

  route.get('/api/rooms').handle(async () => ({ rooms: await rooms.list() }));

  route.get('/api/rooms/:roomId/members').handle(async (ctx) => {
    const roomId = roomParameter(ctx);
    const members = await roomMembers(realtime, roomId);
    return { roomId, members, count: members.length };
  });

  route
    .get('/api/ws/connections')
    .before(admin)
    .handle(async () => {
      const connections = await realtime.getAllConnections();
      return {
        total: connections.length,
        serverInstanceId: services.serverInstanceId(),
        connections: connections.map((connection) => connection.toJSON()),
      };
    });

  route
    .post('/api/broadcast')
    .before(admin)
    .handle(async (ctx) => {
      const body = await ctx.jsonMap();
      if (!body.success) {
        throw new BadRequestException({
          message: 'Send a JSON body such as {"message":"Maintenance at noon"}.',
        });
      }
      let text: string;
      try {
        text = validateText(body.value.message);
      } catch (error) {
        if (error instanceof ChatInputError) {
          throw new BadRequestException({ message: `"message": ${error.message}` });
        }
        throw error;
      }
      try {
        await services.events.toAll().emit('announcement', { text, at: new Date().toISOString() });
      } catch (error) {
        services.logger.error('broadcast failed', { error: String(error) });
        throw new ServiceUnavailableException({ message: 'The broadcast could not be sent; try again.' });
      }
      const recipients = (await realtime.getAllConnections()).length;
      return { sent: true, recipients };
    });
}
