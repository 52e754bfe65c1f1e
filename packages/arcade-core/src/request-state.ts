import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_BODY_LIMIT } from './body';
import { RequestHeaders, ResponseHeaders } from './headers';
import { type ParsedParameters, parseParameters, parseTarget } from './url';

/**
 * Everything Arcade knows about one request. It is found from the IncomingMessage, so every
 * RequestContext built on the same request (a hook's subclass included) shares it.
 */
export interface RequestState {
  readonly request: IncomingMessage;
  /** Absent for upgrade requests: their status and headers are only recorded. */
  readonly response: ServerResponse | undefined;
  readonly method: string;
  readonly path: string;
  readonly requestHeaders: RequestHeaders;
  readonly responseHeaders: ResponseHeaders;
  pathParameters: Record<string, string>;
  query: ParsedParameters;
  statusCode: number;
  /** Whether a hook or handler assigned `statusCode` (an `undefined` result then keeps it). */
  statusCodeAssigned: boolean;
  bodyLimit: number;
  body: Promise<Buffer> | undefined;
}

const states = new WeakMap<IncomingMessage, RequestState>();

/** What the dispatcher knows when it starts handling a request. */
export interface RequestStateInit {
  response: ServerResponse | undefined;
  path: string;
  pathParameters: Record<string, string>;
  query: ParsedParameters;
  bodyLimit: number;
}

/** Creates (or replaces) the state of a request. */
export function createRequestState(request: IncomingMessage, init: RequestStateInit): RequestState {
  const state: RequestState = {
    request,
    response: init.response,
    method: (request.method ?? 'GET').toUpperCase(),
    path: init.path,
    requestHeaders: new RequestHeaders(request),
    responseHeaders: new ResponseHeaders(),
    pathParameters: init.pathParameters,
    query: init.query,
    statusCode: 200,
    statusCodeAssigned: false,
    bodyLimit: init.bodyLimit,
    body: undefined,
  };
  states.set(request, state);
  return state;
}

/**
 * The state of a request. A request Arcade did not dispatch (a context built by hand, in a test
 * for instance) gets one on first use, parsed leniently from its URL.
 */
export function requestStateOf(request: IncomingMessage): RequestState {
  const existing = states.get(request);
  if (existing !== undefined) return existing;
  const target = request.url ?? '/';
  let path = target.split('?', 1)[0] ?? '/';
  let query: ParsedParameters = { last: Object.create(null), all: Object.create(null) };
  try {
    const parsed = parseTarget(target);
    path = parsed.path;
    query = parseParameters(parsed.query, 'query string');
  } catch {
    // Malformed input is answered with 400 by the dispatcher; here we only need something usable.
  }
  return createRequestState(request, {
    response: undefined,
    path,
    pathParameters: Object.create(null),
    query,
    bodyLimit: DEFAULT_BODY_LIMIT,
  });
}
