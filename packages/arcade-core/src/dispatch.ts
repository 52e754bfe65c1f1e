// One piece: the two ways a request enters the app (a plain request, an upgrade), which share the
// route lookup, the request state, the query check and the error answers; the routing (router/),
// the hooks (hooks.ts) and the response writing (respond.ts) live apart.
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { BadRequestException, NotFoundException, UpgradeRequiredException } from './exceptions';
import type { AfterHook, BeforeHook, RouteHandler, UpgradeRequest } from './hooks';
import type { HttpMetrics } from './http-metrics';
import { isThenable } from './is-thenable';
import { describeError } from './logger';
import { RequestContext, type RouteInfo } from './request-context';
import { createRequestState, type RequestState } from './request-state';
import { type ErrorPolicy, errorResponseFor, sendError, sendErrorOnSocket, sendResult } from './respond';
import type { ComposedHooks, RouteRecord, RouteTable } from './route-table';
import type { TrieMatch } from './router/trie';
import type { StaticFiles } from './static-files';
import { type ParsedTarget, parseTarget } from './url';

/** What the dispatcher needs from the running server. */
export interface DispatchConfig extends ErrorPolicy {
  readonly table: RouteTable;
  readonly bodyLimit: number;
  readonly staticFiles: StaticFiles | undefined;
  /** Only with `runServer({ metrics })`: otherwise a request pays one `undefined` check for metrics. */
  readonly httpMetrics: HttpMetrics | undefined;
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

/** The handler's result (awaited), through the after hooks, rendered. */
async function finishRoute(
  config: DispatchConfig,
  state: RequestState,
  ctx: RequestContext,
  result: unknown,
  after: readonly AfterHook[],
): Promise<void> {
  const [, rendered] = await runAfterHooks(ctx, await result, after);
  await sendResult(state, rendered, config.logger);
}

async function runHooksAndRoute(
  config: DispatchConfig,
  state: RequestState,
  ctx: RequestContext,
  hooks: ComposedHooks,
  handler: RouteHandler,
): Promise<void> {
  const current = await runBeforeHooks(ctx, hooks.before);
  await finishRoute(config, state, current, await handler(current), hooks.after);
}

/**
 * Runs a route. A route without hooks whose handler returns a plain value is answered in the same
 * turn, without a promise: that is most routes, and the promise chain per hook list used to cost as
 * much as the rest of the request. Otherwise the steps are awaited in order, as they always were.
 * @returns `undefined` when the response was rendered synchronously, else the pending work.
 */
function runRoute(
  config: DispatchConfig,
  state: RequestState,
  route: RouteInfo,
  hooks: ComposedHooks,
  handler: RouteHandler,
): Promise<void> | undefined {
  const ctx = new RequestContext({ request: state.request, route });
  if (hooks.before.length !== 0) return runHooksAndRoute(config, state, ctx, hooks, handler);
  const result = handler(ctx);
  if (hooks.after.length !== 0 || isThenable(result)) {
    return finishRoute(config, state, ctx, result, hooks.after);
  }
  return sendResult(state, result, config.logger);
}

/** The state of a request at `target`, bound for `match` (undefined when no route matched). */
function stateOf(
  config: DispatchConfig,
  request: IncomingMessage,
  response: ServerResponse | undefined,
  method: string,
  target: ParsedTarget,
  match: TrieMatch<RouteRecord> | undefined,
): RequestState {
  return createRequestState(request, {
    response,
    method,
    path: target.path,
    match,
    query: target.query,
    bodyLimit: match?.value.bodyLimit ?? config.bodyLimit,
  });
}

/** Answers a failure of the request with the JSON error body (never throws). */
function answerError(
  config: DispatchConfig,
  request: IncomingMessage,
  response: ServerResponse,
  state: RequestState | undefined,
  routePath: string | undefined,
  error: unknown,
): void {
  const method = state?.method ?? (request.method ?? 'GET').toUpperCase();
  const where = { method, path: state?.path ?? request.url, route: routePath };
  sendError(response, errorResponseFor(error, config, where), state, config.logger);
}

/**
 * Handles one HTTP request: route (with global, group and route hooks), else static file, else
 * the notFound handler, else 404. Every failure is answered with the JSON error body; nothing is
 * thrown or rejected.
 */
export function dispatchRequest(
  config: DispatchConfig,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const method = (request.method ?? 'GET').toUpperCase();
  const observation = config.httpMetrics?.begin(response, method);
  let state: RequestState | undefined;
  let routePath: string | undefined;
  try {
    const target = parseTarget(request.url ?? '/');
    const { table } = config;
    const match = table.matchHttp(method, target.segments);
    if (observation !== undefined && match !== undefined) observation.route = match.value.pattern;
    if (match === undefined) {
      state = stateOf(config, request, response, method, target, undefined);
      validateQuery(state, target.query);
      serveUnmatched(config, state, response, target.segments).catch((error: unknown) =>
        answerError(config, request, response, state, undefined, error),
      );
      return;
    }
    const record = match.value;
    routePath = record.pattern;
    state = stateOf(config, request, response, method, target, match);
    validateQuery(state, target.query);
    if (record.handler === undefined) {
      throw new UpgradeRequiredException({ headers: { upgrade: 'websocket' } });
    }
    const pending = runRoute(config, state, record.route, table.hooksOf(record), record.handler);
    if (pending !== undefined) {
      const routed = state;
      pending.catch((error: unknown) =>
        answerError(config, request, response, routed, record.pattern, error),
      );
    }
  } catch (error) {
    answerError(config, request, response, state, routePath, error);
  }
}

/** A request no route matched: a static file, else the notFound handler (global hooks around it), else 404. */
async function serveUnmatched(
  config: DispatchConfig,
  state: RequestState,
  response: ServerResponse,
  segments: string[],
): Promise<void> {
  const { table, staticFiles } = config;
  if (staticFiles !== undefined && (await staticFiles.serve(state.request, response, segments))) return;
  if (table.notFound === undefined) throw new NotFoundException();
  const hooks = { before: table.globalBefore, after: table.globalAfter, version: -1 };
  await runRoute(config, state, { method: state.method, path: state.path }, hooks, table.notFound);
}

function serveUpgradeAsPlainRequest(config: DispatchConfig, request: IncomingMessage, socket: Duplex): void {
  const response = new ServerResponse(request);
  response.shouldKeepAlive = false;
  response.assignSocket(socket as Socket);
  response.once('finish', () => {
    response.detachSocket(socket as Socket);
    socket.end();
  });
  // Node stops parsing at the headers of a request that offers an upgrade: its body stays on the
  // socket, unread, and the handler would see an empty one. Refused, never lost silently.
  if (
    request.headers['transfer-encoding'] !== undefined ||
    Number(request.headers['content-length'] ?? 0) > 0
  ) {
    const refusal = new BadRequestException({
      message:
        'A request with a body cannot offer a protocol upgrade here (Upgrade: h2c is not supported); send it without the Upgrade and Connection: Upgrade headers',
    });
    sendError(response, errorResponseFor(refusal, config, {}), undefined, config.logger);
    return;
  }
  dispatchRequest(config, request, response);
}

/** One upgrade-socket error listener per config, shared by every upgraded socket. */
const upgradeErrorListeners = new WeakMap<DispatchConfig, (error: Error) => void>();

function upgradeErrorListenerOf(config: DispatchConfig): (error: Error) => void {
  let listener = upgradeErrorListeners.get(config);
  if (listener === undefined) {
    listener = (error) => config.logger.debug('Upgrade socket error', describeError(error));
    upgradeErrorListeners.set(config, listener);
  }
  return listener;
}

/** How the server keeps an upgraded socket while core still owns it (server.ts). */
export interface UpgradeTracking {
  /** Core owns `socket` past the `upgrade` event: `close()` destroys it if it is still open then. */
  track(socket: Duplex): void;
  /** The socket's new owner (a plugin) took it over: `close()` leaves it alone. */
  untrack(socket: Duplex): void;
}

/**
 * Core keeps an upgrade's socket past its `upgrade` event. The http server no longer watches it, so
 * without this 'error' listener a reset would crash the process; `tracking` lets close() destroy it.
 */
function keepSocket(config: DispatchConfig, socket: Duplex, tracking: UpgradeTracking): void {
  socket.on('error', upgradeErrorListenerOf(config));
  tracking.track(socket);
}

/** Answers `error` (the JSON error response) on the raw socket of an upgrade, which core keeps. */
export function refuseUpgrade(
  config: DispatchConfig,
  socket: Duplex,
  error: unknown,
  tracking: UpgradeTracking,
): void {
  keepSocket(config, socket, tracking);
  sendErrorOnSocket(socket, errorResponseFor(error, config, {}), config.logger);
}

/**
 * One upgrade while core may still own its socket. Core holds the socket (its 'error' listener, the
 * server's tracking) only from the moment it keeps it past the `upgrade` event's turn, and until the
 * upgrade handler takes it over.
 */
class UpgradeInProgress {
  routePath: string | undefined;
  private held = false;
  private takenOver = false;

  constructor(
    private readonly config: DispatchConfig,
    private readonly request: IncomingMessage,
    private readonly socket: Duplex,
    private readonly tracking: UpgradeTracking,
    readonly method: string,
  ) {}

  /** `UpgradeRequest.takeOverSocket`: the handler owns the socket for good. */
  readonly takeOverSocket = (): void => {
    if (this.takenOver) return;
    this.takenOver = true;
    if (!this.held) return;
    this.socket.off('error', upgradeErrorListenerOf(this.config));
    this.tracking.untrack(this.socket);
  };

  /** Core keeps the socket past this turn (a no-op once held or taken over). */
  hold(): void {
    if (this.held || this.takenOver) return;
    this.held = true;
    keepSocket(this.config, this.socket, this.tracking);
  }

  /** A hook or the handler failed: answered on the socket, or only logged once it was taken over. */
  fail(error: unknown): void {
    const config = this.config;
    const where = { method: this.method, path: this.request.url, route: this.routePath, upgrade: true };
    if (this.takenOver) {
      // The socket is the plugin's now: core neither writes on it nor closes it.
      config.logger.error('An upgrade handler failed after takeOverSocket()', {
        ...where,
        ...describeError(error),
      });
      return;
    }
    this.hold();
    sendErrorOnSocket(this.socket, errorResponseFor(error, config, where), config.logger);
  }
}

/**
 * Handles an HTTP `upgrade` event: runs the global, group and route before hooks of the matching
 * upgrade route, then its handler. Failures are written on the raw socket.
 *
 * A route without before hooks runs its handler in the event's own turn. A handler that takes the
 * socket over before it returns (`@arcade/ws` does) leaves core nothing to do for it, so core never
 * attaches its listener or tracks it: two listener changes and a set entry per connection, on and
 * off within the same turn, in which no socket event can fire. Whatever stays with core past its
 * turn (hooks to await, a handler that has not taken the socket over, an error to answer) gets them.
 */
export function dispatchUpgrade(
  config: DispatchConfig,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  tracking: UpgradeTracking,
): void {
  const method = (request.method ?? 'GET').toUpperCase();
  const upgrade = new UpgradeInProgress(config, request, socket, tracking, method);
  try {
    const target = parseTarget(request.url ?? '/');
    const match = config.table.matchUpgrade(method, target.segments);
    if (match === undefined) {
      // Not an upgrade route: answer as plain HTTP (clients may offer `Upgrade: h2c` on any request).
      upgrade.hold();
      serveUpgradeAsPlainRequest(config, request, socket);
      return;
    }
    const record = match.value;
    upgrade.routePath = record.pattern;
    const state = stateOf(config, request, undefined, method, target, match);
    validateQuery(state, target.query);
    const ctx = new RequestContext({ request, route: record.route });
    const handed: UpgradeRequest = { request, socket, head, takeOverSocket: upgrade.takeOverSocket };
    const before = config.table.hooksOf(record).before;
    if (before.length !== 0) {
      upgrade.hold();
      runBeforeHooks(ctx, before)
        .then((current) => record.upgrade?.(current, handed))
        .then(undefined, (error: unknown) => upgrade.fail(error));
      return;
    }
    const result = record.upgrade?.(ctx, handed);
    upgrade.hold();
    if (isThenable(result)) result.then(undefined, (error: unknown) => upgrade.fail(error));
  } catch (error) {
    upgrade.fail(error);
  }
}
