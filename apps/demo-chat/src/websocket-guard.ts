import type { Socket } from 'node:net';
import { ForbiddenException, type RequestContext, TooManyRequestsException } from '@arcade/core';
import { type ClientLimits, refusalMessage } from './client-limits';
import type { OriginPolicy } from './origin-policy';
import { rateLimitKey } from './rate-limiter';

/** The key of a request whose socket has no address any more (it is closing: nothing to count). */
const UNKNOWN_ADDRESS = 'unknown-address';

/**
 * The before hook of the chat's WebSocket route: it runs before the upgrade, so a refused request
 * gets a plain HTTP answer and never becomes a WebSocket. 403 when the page's origin is not allowed
 * (see {@link OriginPolicy}); 429, with `Retry-After` when waiting helps, when the client address has
 * opened too many connections lately or has too many open (see {@link ClientLimits}). An admitted
 * request holds its address's open slot until its TCP socket closes, whether the upgrade then
 * succeeds or not.
 */
export function guardWebSocketUpgrade(policy: OriginPolicy, limits: ClientLimits) {
  return <C extends RequestContext>(ctx: C): C => {
    const request = ctx.rawRequest;
    if (!policy.allows(request.headers.origin, request.headers.host)) {
      throw new ForbiddenException({
        message:
          'Origin not allowed: the chat accepts WebSockets from its own page, and from the origins in ALLOWED_ORIGINS.',
      });
    }
    const socket: Socket = request.socket;
    const admission = limits.admitConnection(rateLimitKey(socket.remoteAddress, UNKNOWN_ADDRESS));
    if (!admission.admitted) {
      const retryAfterMs = admission.budget === 'connect' ? admission.retryAfterMs : undefined;
      throw new TooManyRequestsException({
        message: refusalMessage(admission.budget, retryAfterMs),
        ...(retryAfterMs === undefined
          ? {}
          : { headers: { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } }),
      });
    }
    if (socket.closed) admission.release();
    else socket.once('close', admission.release);
    return ctx;
  };
}
