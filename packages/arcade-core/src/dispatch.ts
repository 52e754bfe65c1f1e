import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { NotFoundException, UpgradeRequiredException } from './exceptions';
import type { AfterHook, BeforeHook, RouteHandler } from './hooks';
import { describeError } from './logger';
import { RequestContext, type RouteInfo } from './request-context';
import { createRequestState, type RequestState } from './request-state';
import { type ErrorPolicy, errorResponseFor, sendError, sendErrorOnSocket, sendResult } from './respond';
import type { RouteRecord, RouteTable } from './route-table';
import type { TrieMatch } from './router/trie';
import type { StaticFiles } from './static-files';
import { parseTarget } from './url';

/** What the dispatcher needs from the running server. */
export interface DispatchConfig extends ErrorPolicy {
  readonly table: RouteTable;
  readonly bodyLimit: number;
  readonly staticFiles: StaticFiles | undefined;
}

function pathParametersOf(match: TrieMatch<RouteRecord>): Record<string, string> {
  const parameters: Record<string, string> = Object.create(null);
  match.value.paramNames.forEach((name, index) => {
    parameters[name] = match.params[index] ?? '';
  });
  if (match.rest !== undefined) parameters['*'] = match.rest;
  return parameters;
}

/**
 * Parses a non-empty query string up front, so that a malformed one is answered 400 whether or not
 * the handler reads it; an empty one is left for first use.
 */
function validateQuery(state: RequestState, query: string): void {
  if (query !== '') void state.query;
}

async function runBeforeHooks(ctx: RequestContext, hooks: readonly BeforeHook[]): Promise<RequestContext> {
  let current = ctx;
  for (const hook of hooks) {
    const next: unknown = await hook(current);
    if (!(next instanceof RequestContext)) {
      throw new TypeError('A before hook must return a RequestContext (the one it was given, or a subclass)');
    }
    current = next;
  }
  return current;
}

async function runAfterHooks(
  ctx: RequestContext,
  result: unknown,
  hooks: readonly AfterHook[],
): Promise<[RequestContext, unknown]> {
  let current: [RequestContext, unknown] = [ctx, result];
  for (const hook of hooks) {
    const next: unknown = await hook(current[0], current[1]);
    if (!Array.isArray(next) || next.length !== 2 || !(next[0] instanceof RequestContext)) {
      throw new TypeError('An after hook must return [context, result]');
    }
    current = [next[0], next[1]];
  }
  return current;
}

async function runRoute(
  config: DispatchConfig,
  state: RequestState,
  route: RouteInfo,
  before: readonly BeforeHook[],
  handler: RouteHandler,
  after: readonly AfterHook[],
): Promise<void> {
  const ctx = await runBeforeHooks(new RequestContext({ request: state.request, route }), before);
  const result = await handler(ctx);
  const [, rendered] = await runAfterHooks(ctx, result, after);
  await sendResult(state, rendered, config.logger);
}

/**
 * Handles one HTTP request: route (with global, group and route hooks), else static file, else
 * the notFound handler, else 404. Every failure is answered with the JSON error body.
 */
export async function dispatchRequest(
  config: DispatchConfig,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const method = (request.method ?? 'GET').toUpperCase();
  let state: RequestState | undefined;
  let routePath: string | undefined;
  try {
    const target = parseTarget(request.url ?? '/');
    const { table } = config;
    const match = table.matchHttp(method, target.segments);
    if (match !== undefined) {
      const record = match.value;
      routePath = record.pattern;
      state = createRequestState(request, {
        response,
        method,
        path: target.path,
        pathParameters: pathParametersOf(match),
        query: target.query,
        bodyLimit: record.bodyLimit ?? config.bodyLimit,
      });
      validateQuery(state, target.query);
      if (record.handler === undefined) {
        throw new UpgradeRequiredException({ headers: { upgrade: 'websocket' } });
      }
      await runRoute(
        config,
        state,
        { method: record.method, path: record.pattern },
        [...table.globalBefore, ...record.before],
        record.handler,
        [...table.globalAfter, ...record.after],
      );
      return;
    }
    state = createRequestState(request, {
      response,
      method,
      path: target.path,
      pathParameters: Object.create(null),
      query: target.query,
      bodyLimit: config.bodyLimit,
    });
    validateQuery(state, target.query);
    if (
      config.staticFiles !== undefined &&
      (await config.staticFiles.serve(request, response, target.segments))
    ) {
      return;
    }
    if (table.notFound === undefined) throw new NotFoundException();
    await runRoute(
      config,
      state,
      { method, path: target.path },
      table.globalBefore,
      table.notFound,
      table.globalAfter,
    );
  } catch (error) {
    const where = { method, path: state?.path ?? request.url, route: routePath };
    sendError(response, errorResponseFor(error, config, where), state, config.logger);
  }
}

function serveUpgradeAsPlainRequest(config: DispatchConfig, request: IncomingMessage, socket: Duplex): void {
  const response = new ServerResponse(request);
  response.shouldKeepAlive = false;
  response.assignSocket(socket as Socket);
  response.once('finish', () => {
    response.detachSocket(socket as Socket);
    socket.end();
  });
  void dispatchRequest(config, request, response);
}

/**
 * Handles an HTTP `upgrade` event: runs the global, group and route before hooks of the matching
 * upgrade route, then its handler. Failures are written on the raw socket.
 */
export async function dispatchUpgrade(
  config: DispatchConfig,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  // After an upgrade the http server no longer watches the socket: an unhandled 'error' would crash.
  socket.on('error', (error) => config.logger.debug('Upgrade socket error', describeError(error)));
  const method = (request.method ?? 'GET').toUpperCase();
  let routePath: string | undefined;
  try {
    const target = parseTarget(request.url ?? '/');
    const match = config.table.matchUpgrade(method, target.segments);
    if (match === undefined) {
      // Not an upgrade route: answer as plain HTTP (clients may offer `Upgrade: h2c` on any request).
      serveUpgradeAsPlainRequest(config, request, socket);
      return;
    }
    const record = match.value;
    routePath = record.pattern;
    const state = createRequestState(request, {
      response: undefined,
      method,
      path: target.path,
      pathParameters: pathParametersOf(match),
      query: target.query,
      bodyLimit: record.bodyLimit ?? config.bodyLimit,
    });
    validateQuery(state, target.query);
    const ctx = await runBeforeHooks(
      new RequestContext({ request, route: { method: record.method, path: record.pattern } }),
      [...config.table.globalBefore, ...record.before],
    );
    await record.upgrade?.(ctx, { request, socket, head });
  } catch (error) {
    const where = { method, path: request.url, route: routePath, upgrade: true };
    sendErrorOnSocket(socket, errorResponseFor(error, config, where), config.logger);
  }
}
