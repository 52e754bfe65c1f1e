import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_BODY_LIMIT } from './body';
import { RequestHeaders, ResponseHeaders } from './headers';
import type { TrieMatch } from './router/trie';
import { type ParsedParameters, parseParameters, parseTarget } from './url';

/**
 * What the state reads of the route a request matched: its parameter names, in pattern order. A
 * `RouteRecord` is one; naming only this keeps the state clear of the route table, whose types lead
 * back to `RequestContext`, the state's own user.
 */
export interface MatchedRoute {
  readonly paramNames: readonly string[];
}

/** What the dispatcher knows when it starts handling a request. */
export interface RequestStateInit {
  response: ServerResponse | undefined;
  /** The request method in upper case. */
  method: string;
  path: string;
  /** The route match whose parameters `pathParameters` holds (built on first use); none for no route. */
  match: TrieMatch<MatchedRoute> | undefined;
  /** The raw query string (without `?`), parsed on first use. */
  query: string;
  bodyLimit: number;
}

/**
 * Everything Arcade knows about one request. It is found from the IncomingMessage, so every
 * RequestContext built on the same request (a hook's subclass included) shares it.
 * What most handlers never touch (headers wrappers, the parsed query) is built on first use: a
 * request that reads none of it pays for none of it.
 */
export class RequestState {
  readonly request: IncomingMessage;
  /** Absent for upgrade requests: their status and headers are only recorded. */
  readonly response: ServerResponse | undefined;
  readonly method: string;
  readonly path: string;
  statusCode = 200;
  /** Whether a hook or handler assigned `statusCode` (an `undefined` result then keeps it). */
  statusCodeAssigned = false;
  bodyLimit: number;
  body: Promise<Buffer> | undefined = undefined;
  #match: TrieMatch<MatchedRoute> | undefined;
  #pathParameters: Record<string, string> | undefined = undefined;
  #queryString: string;
  #query: ParsedParameters | undefined = undefined;
  #requestHeaders: RequestHeaders | undefined = undefined;
  #responseHeaders: ResponseHeaders | undefined = undefined;

  constructor(request: IncomingMessage, init: RequestStateInit) {
    this.request = request;
    this.response = init.response;
    this.method = init.method;
    this.path = init.path;
    this.#match = init.match;
    this.#queryString = init.query;
    this.bodyLimit = init.bodyLimit;
  }

  /** The route's `:name` parameters (and the wildcard's rest under `'*'`), without a prototype. */
  get pathParameters(): Record<string, string> {
    this.#pathParameters ??= pathParametersOf(this.#match);
    return this.#pathParameters;
  }

  /**
   * The parsed query string.
   * @throws BadRequestException on malformed percent-encoding (the dispatcher reads it before the
   * hooks run when there is a query string, so a malformed one is answered 400 up front).
   */
  get query(): ParsedParameters {
    this.#query ??= parseParameters(this.#queryString, 'query string');
    return this.#query;
  }

  set query(value: ParsedParameters) {
    this.#query = value;
  }

  get requestHeaders(): RequestHeaders {
    this.#requestHeaders ??= new RequestHeaders(this.request);
    return this.#requestHeaders;
  }

  get responseHeaders(): ResponseHeaders {
    this.#responseHeaders ??= new ResponseHeaders();
    return this.#responseHeaders;
  }

  /** The response headers, or `undefined` when nobody ever asked for them (so none were recorded). */
  get recordedResponseHeaders(): ResponseHeaders | undefined {
    return this.#responseHeaders;
  }
}

/**
 * Makes records that inherit nothing (no Object.prototype in their chain, so `__proto__` or
 * `constructor` are ordinary keys) yet stay in V8's fast mode: `Object.create(null)` makes a
 * dictionary-mode object, several times slower to fill, and this runs for most requests.
 */
const ParameterRecord = function ParameterRecord(): void {} as unknown as new () => Record<string, string>;
ParameterRecord.prototype = Object.create(null);

function pathParametersOf(match: TrieMatch<MatchedRoute> | undefined): Record<string, string> {
  const parameters = new ParameterRecord();
  if (match === undefined) return parameters;
  const names = match.value.paramNames;
  for (let index = 0; index < names.length; index++) parameters[names[index]!] = match.params[index] ?? '';
  if (match.rest !== undefined) parameters['*'] = match.rest;
  return parameters;
}

/**
 * Where the state hangs on its request: a symbol-keyed own property rather than a WeakMap entry,
 * because every WeakMap entry is an ephemeron the garbage collector must trace specially, which
 * cost a measurable share of each request's CPU.
 */
const STATE = Symbol('arcade.requestState');

interface WithState {
  [STATE]?: RequestState;
}

/** Creates (or replaces) the state of a request. */
export function createRequestState(request: IncomingMessage, init: RequestStateInit): RequestState {
  const state = new RequestState(request, init);
  (request as IncomingMessage & WithState)[STATE] = state;
  return state;
}

/**
 * The state of a request. A request Arcade did not dispatch (a context built by hand, in a test
 * for instance) gets one on first use, parsed leniently from its URL.
 */
export function requestStateOf(request: IncomingMessage): RequestState {
  const existing = (request as IncomingMessage & WithState)[STATE];
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
  const state = createRequestState(request, {
    response: undefined,
    method: (request.method ?? 'GET').toUpperCase(),
    path,
    match: undefined,
    query: '',
    bodyLimit: DEFAULT_BODY_LIMIT,
  });
  state.query = query;
  return state;
}
