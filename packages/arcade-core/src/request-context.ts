import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BodyParseFailure,
  type BodyParseResult,
  BodyParseSuccess,
  isJsonMediaType,
  mediaTypeOf,
  parseJson,
  readBody,
} from './body';
import { ArcadeHttpException } from './exceptions';
import type { RequestHeaders, ResponseHeaders } from './headers';
import { type RequestState, requestStateOf } from './request-state';
import { parseParameters } from './url';

/** The route a request matched: its method (`'ANY'` for `route.any`) and its pattern. */
export interface RouteInfo {
  readonly method: string;
  /** The pattern as registered (with its group prefix), e.g. `/ws/chat/:roomId`. */
  readonly path: string;
}

/** What a {@link RequestContext} (or a subclass) is built from. */
export interface RequestContextInit {
  request: IncomingMessage;
  route: RouteInfo;
}

/**
 * The request as hooks and handlers see it. All of its state (parameters, body, response headers,
 * status) belongs to the underlying IncomingMessage, so a subclass built in a before hook with
 * `new AuthedContext({ request: ctx.rawRequest, route: ctx.route, user })` is the same request as
 * `ctx`, and so is `Object.assign(ctx, { user })`.
 */
export class RequestContext {
  /** The Node request. */
  readonly rawRequest: IncomingMessage;
  /** The matched route. */
  readonly route: RouteInfo;

  constructor(init: RequestContextInit) {
    this.rawRequest = init.request;
    this.route = init.route;
  }

  /** The Node response; `undefined` on upgrade routes. Writing to it yourself bypasses result rendering. */
  get rawResponse(): ServerResponse | undefined {
    return stateOf(this).response;
  }

  /** The request path as sent, without the query string. */
  get path(): string {
    return stateOf(this).path;
  }

  /** The request method in upper case. */
  get method(): string {
    return stateOf(this).method;
  }

  /** The request headers (`value(name)`, `cookie`). */
  get requestHeaders(): RequestHeaders {
    return stateOf(this).requestHeaders;
  }

  /** The headers the response will carry. */
  get responseHeaders(): ResponseHeaders {
    return stateOf(this).responseHeaders;
  }

  /** The route's `:name` parameters, percent-decoded; a wildcard's matched rest is under `'*'`. */
  get pathParameters(): Record<string, string> {
    return stateOf(this).pathParameters;
  }

  /**
   * The query parameters, percent-decoded (`+` is a space). A repeated key holds its LAST value
   * (`?a=1&a=2` gives `a: '2'`); {@link queryParametersAll} has every value.
   */
  get queryParameters(): Record<string, string> {
    return stateOf(this).query.last;
  }

  /** Every value of every query parameter, in order (`?a=1&a=2` gives `a: ['1', '2']`). */
  get queryParametersAll(): Record<string, string[]> {
    return stateOf(this).query.all;
  }

  /** The response status. @default 200 (204 when the handler returns `undefined`) */
  get statusCode(): number {
    return stateOf(this).statusCode;
  }

  set statusCode(value: number) {
    if (!Number.isInteger(value) || value < 100 || value > 999) {
      throw new RangeError(`statusCode must be an integer from 100 to 999, got ${value}`);
    }
    stateOf(this).statusCode = value;
    stateOf(this).statusCodeAssigned = true;
  }

  /**
   * The raw body, read once and cached (at most the body limit).
   * @throws PayloadTooLargeException (answered 413) when the body exceeds the limit.
   */
  bodyBytes(): Promise<Buffer> {
    const state = stateOf(this);
    if (state.body === undefined) {
      // An upgrade request hands its socket over; there is no body to read from it.
      state.body =
        state.response === undefined
          ? Promise.resolve(Buffer.alloc(0))
          : readBody(this.rawRequest, state.bodyLimit);
    }
    return state.body;
  }

  /** The body decoded as UTF-8. */
  async body(): Promise<string> {
    return (await this.bodyBytes()).toString('utf8');
  }

  /** The body parsed as JSON (any JSON value). Needs a JSON content type. */
  async json(): Promise<BodyParseResult<unknown>> {
    const unsupported = unsupportedContentType(this, false);
    if (unsupported !== undefined) return unsupported;
    return parseJson(await this.body());
  }

  /**
   * The body as an object: JSON content types must hold a JSON object; form-urlencoded bodies give
   * strings (a repeated key keeps its last value). Anything else is a failure.
   */
  async jsonMap(): Promise<BodyParseResult<Record<string, unknown>>> {
    const unsupported = unsupportedContentType(this, true);
    if (unsupported !== undefined) return unsupported;
    const text = await this.body();
    if (mediaTypeOf(this.requestHeaders.value('content-type')) === 'application/x-www-form-urlencoded') {
      try {
        return new BodyParseSuccess<Record<string, unknown>>(parseParameters(text, 'form body').last);
      } catch (error) {
        const message = error instanceof ArcadeHttpException ? error.message : 'Malformed form body';
        return new BodyParseFailure('MALFORMED_BODY', message, error);
      }
    }
    const parsed = parseJson(text);
    if (!parsed.success) return parsed;
    const value = parsed.value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return new BodyParseFailure('UNEXPECTED_SHAPE', 'The JSON body is not an object');
    }
    return new BodyParseSuccess(value as Record<string, unknown>);
  }

  /** The body as a JSON array. Needs a JSON content type. */
  async jsonList(): Promise<BodyParseResult<unknown[]>> {
    const unsupported = unsupportedContentType(this, false);
    if (unsupported !== undefined) return unsupported;
    const parsed = parseJson(await this.body());
    if (!parsed.success) return parsed;
    if (!Array.isArray(parsed.value))
      return new BodyParseFailure('UNEXPECTED_SHAPE', 'The JSON body is not an array');
    return new BodyParseSuccess<unknown[]>(parsed.value);
  }
}

function unsupportedContentType(ctx: RequestContext, allowForm: boolean): BodyParseFailure | undefined {
  const mediaType = mediaTypeOf(ctx.requestHeaders.value('content-type'));
  if (isJsonMediaType(mediaType)) return undefined;
  if (allowForm && mediaType === 'application/x-www-form-urlencoded') return undefined;
  const accepted = allowForm ? 'application/json or application/x-www-form-urlencoded' : 'application/json';
  return new BodyParseFailure(
    'UNSUPPORTED_CONTENT_TYPE',
    `Expected ${accepted}, got ${mediaType === '' ? 'no content type' : mediaType}`,
  );
}

/** The per-request record shared by every context of this request (kept off the class so that
 *  subclasses are free to use any member name). */
function stateOf(ctx: RequestContext): RequestState {
  return requestStateOf(ctx.rawRequest);
}
