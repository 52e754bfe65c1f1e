import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger, RequestContext } from '@arcade/core';
import { nanoid } from 'nanoid';
import type { RawData, WebSocket } from 'ws';
import type { WebSocketManager } from '../registry/manager';
import { ConnectionSocket, type WebSocketData } from './arcade-websocket';
import { startHeartbeat } from './heartbeat';
import { SocketConnection } from './local-connection';
import type { ResolvedConnectionOptions } from './options';
import { TokenBucket } from './rate-limiter';
import type { WebSocketAfterHook, WebSocketConnectHandler, WebSocketHandler } from './types';

/** Close code for an exception in the handler or onConnect ("Internal Error"). */
export const CLOSE_INTERNAL_ERROR = 1011;
/** Close code for a peer over the rate limit ("Policy Violation"). */
export const CLOSE_POLICY_VIOLATION = 1008;

/** The user's side of a WebSocket route. */
export interface RouteCallbacks<C extends RequestContext> {
  readonly handler: WebSocketHandler<C>;
  readonly onConnect: WebSocketConnectHandler<C> | undefined;
  readonly afterHooks: readonly WebSocketAfterHook<C>[];
}

export interface ConnectionParams<C extends RequestContext> {
  readonly ctx: C;
  readonly ws: WebSocket;
  readonly socket: Duplex;
  readonly request: IncomingMessage;
  readonly route: RouteCallbacks<C>;
  readonly options: ResolvedConnectionOptions;
  readonly manager: WebSocketManager;
  /** Read on every use: the app's logger changes once the server starts. */
  readonly logger: () => Logger;
  /** Called as soon as the socket has closed (before the after hooks). */
  readonly onSocketClosed: () => void;
}

/** A running connection: `finished` settles (never rejects) once its after hooks have run. */
export interface RunningConnection {
  readonly connection: SocketConnection;
  readonly ws: WebSocket;
  readonly finished: Promise<void>;
}

/**
 * Runs one upgraded connection, per DESIGN: a nanoid id -> `manager.addConnection` -> await
 * `onConnect` -> handler; on close -> `manager.removeConnection`; once both the removal and the
 * handler have settled -> after hooks (in order) -> `manager.forgetConnection`.
 *
 * Error policy: nothing thrown by user code escapes (the process never crashes because of it).
 * - `addConnection`, `onConnect` or the handler throws/rejects: logged as an error, the connection is
 *   closed with 1011 (the handler is skipped after a failed `onConnect`); the after hooks still run.
 * - a listener, `onDone` or `onError` throws/rejects: logged as an error; the connection stays open.
 * - an after hook or `removeConnection` throws: logged; the remaining steps still run.
 */
export function runConnection<C extends RequestContext>(params: ConnectionParams<C>): RunningConnection {
  const { ctx, ws, socket, request, route, options, manager } = params;
  const id = nanoid();
  const log = (message: string, error: unknown): void =>
    params.logger().error(message, { connectionId: id, path: ctx.route.path, error: describeError(error) });

  const connection = new SocketConnection(id, ws, socket, options.maxBufferedBytes);
  const websocket = new ConnectionSocket(ws, connection, options.maxBufferedBytes, (error, source) =>
    log(`WebSocket ${source} threw`, error),
  );

  const limiter = options.rateLimit ? new TokenBucket(options.rateLimit) : undefined;
  const onExceed = options.rateLimit ? options.rateLimit.onExceed : 'drop';
  let dropLogged = false;
  ws.on('message', (data, isBinary) => {
    if (limiter && !limiter.take()) {
      if (onExceed === 'close') {
        connection.close(CLOSE_POLICY_VIOLATION, 'Rate limit exceeded');
      } else if (!dropLogged) {
        dropLogged = true;
        params.logger().warn('WebSocket rate limit exceeded: dropping messages', {
          connectionId: id,
          path: ctx.route.path,
        });
      }
      return;
    }
    websocket.receive(toWebSocketData(data, isBinary));
  });
  // ws closes the socket itself after an 'error' (1009 for maxPayload, 1002/1007 for bad frames);
  // a listener must exist or the EventEmitter would throw.
  ws.on('error', (error) => {
    params.logger().debug('WebSocket protocol error', { connectionId: id, error: error.message });
    websocket.fail(error);
  });
  const stopHeartbeat = options.heartbeat ? startHeartbeat(ws, options.heartbeat) : undefined;
  const closed = new Promise<void>((resolve) => {
    ws.once('close', () => {
      stopHeartbeat?.();
      params.onSocketClosed();
      websocket.end();
      resolve();
    });
  });

  const registered = manager.addConnection(connection, {
    userAgent: request.headers['user-agent'],
    remoteAddress: request.socket.remoteAddress,
  });

  const run = async (): Promise<unknown> => {
    try {
      await registered;
      if (route.onConnect) await route.onConnect(ctx, websocket, id);
      // Called even if the peer left meanwhile: its buffered messages (and onDone) still reach listen().
      return await route.handler(ctx, websocket, id);
    } catch (error) {
      log('WebSocket connection setup or handler failed; closing with 1011', error);
      connection.close(CLOSE_INTERNAL_ERROR, 'Internal error');
      return undefined;
    }
  };

  // Not behind the handler: a handler that runs on (or never settles) must not keep a closed
  // connection in storage, listed and in its rooms. Behind the registration, which it undoes.
  const removed = (async (): Promise<void> => {
    await closed;
    await registered.catch(() => undefined);
    try {
      await manager.removeConnection(id);
    } catch (error) {
      log('Removing a closed WebSocket connection from storage failed', error);
    }
  })();

  const finish = async (): Promise<void> => {
    const [result] = await Promise.all([run(), removed]);
    let current: readonly [C, unknown, string] = [ctx, result, id];
    for (const hook of route.afterHooks) {
      try {
        const next = await hook(...current);
        if (next) current = [next[0], next[1], next[2] ?? id];
      } catch (error) {
        log('WebSocket after hook threw', error);
      }
    }
    manager.forgetConnection(id);
  };

  const finished = finish().catch((error: unknown) => log('WebSocket connection teardown failed', error));
  return { connection, ws, finished };
}

function toWebSocketData(data: RawData, isBinary: boolean): WebSocketData {
  // ws hands out Buffers unless a user changed `raw.binaryType`.
  const bytes = Array.isArray(data)
    ? Buffer.concat(data)
    : data instanceof ArrayBuffer
      ? Buffer.from(data)
      : data;
  return isBinary ? bytes : bytes.toString('utf8');
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
