import type { ServerResponse } from 'node:http';
import { STATUS_CODES, validateHeaderName, validateHeaderValue } from 'node:http';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import { ArcadeHttpException, type ErrorBody } from './exceptions';
import type { HeaderValue } from './headers';
import { describeError, type Logger } from './logger';
import type { RequestState } from './request-state';

/** How errors are turned into responses. */
export interface ErrorPolicy {
  readonly logger: Logger;
  /** Adds the thrown value's name, message and stack to 500 bodies. Development only. */
  readonly exposeErrorDetails: boolean;
}

/** A response to an error, ready to be written on a ServerResponse or a raw socket. */
export interface ErrorResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Turns a thrown value into a response: an ArcadeHttpException gives its status and body; anything
 * else is logged with its stack and answered 500 with a generic message.
 */
export function errorResponseFor(
  error: unknown,
  policy: ErrorPolicy,
  where: Record<string, unknown>,
): ErrorResponse {
  if (error instanceof ArcadeHttpException) {
    if (error.statusCode >= 500) {
      policy.logger.warn('A handler answered with a server error', {
        ...where,
        statusCode: error.statusCode,
      });
    }
    return {
      statusCode: error.statusCode,
      headers: { ...error.headers },
      body: JSON.stringify(error.toJSON()),
    };
  }
  const fields = describeError(error);
  policy.logger.error('Unhandled error while handling a request', { ...where, ...fields });
  const body: ErrorBody = { error: { statusCode: 500, message: 'Internal server error' } };
  if (policy.exposeErrorDetails) {
    body.error.details = {
      name: String(fields.errorName),
      message: String(fields.errorMessage),
      ...(typeof fields.stack === 'string' ? { stack: fields.stack } : {}),
    };
  }
  return { statusCode: 500, headers: {}, body: JSON.stringify(body) };
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Answers an error on an HTTP response. Headers a hook or handler already recorded (CORS, for
 * instance) are kept, except the content headers. A response already under way is cut off.
 */
export function sendError(
  response: ServerResponse,
  failure: ErrorResponse,
  state: RequestState | undefined,
  logger: Logger,
): void {
  if (response.headersSent) {
    logger.warn('An error occurred after the response started; the connection is closed', {
      statusCode: failure.statusCode,
    });
    response.destroy();
    return;
  }
  try {
    const recorded = state?.recordedResponseHeaders;
    if (recorded !== undefined) {
      for (const [name, value] of recorded.entries()) {
        if (name === 'content-type' || name === 'content-length') continue;
        if (isValidHeader(name, value, logger)) response.setHeader(name, value);
      }
    }
    response.removeHeader('content-encoding');
    for (const [name, value] of Object.entries(failure.headers)) {
      if (isValidHeader(name, value, logger)) response.setHeader(name, value);
    }
    if (failure.statusCode === 413) response.setHeader('connection', 'close');
    response.setHeader('content-type', JSON_TYPE);
    response.setHeader('content-length', Buffer.byteLength(failure.body));
    response.writeHead(failure.statusCode);
    response.end(failure.body);
  } catch (error) {
    // Nothing may escape from here: the dispatcher's promise is not awaited, and an unhandled
    // rejection would end the process.
    logger.error('The error response could not be written; the connection is closed', describeError(error));
    response.destroy();
  }
}

/**
 * Whether Node accepts the header; one it refuses is logged and left out, so that an invalid
 * header recorded by a handler or carried by an exception cannot keep the error answer from going
 * out, nor inject lines into a response written on a raw socket.
 */
function isValidHeader(name: string, value: HeaderValue, logger: Logger): boolean {
  try {
    validateHeaderName(name);
    for (const item of Array.isArray(value) ? value : [value]) validateHeaderValue(name, item);
    return true;
  } catch (error) {
    logger.warn('An invalid response header was left out of the error response', {
      header: name,
      ...describeError(error),
    });
    return false;
  }
}

/**
 * Writes an error as a complete HTTP/1.1 response on a raw socket (upgrade requests have no
 * ServerResponse), then destroys the socket.
 */
export function sendErrorOnSocket(socket: Duplex, failure: ErrorResponse, logger: Logger): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const lines = [
    `HTTP/1.1 ${failure.statusCode} ${STATUS_CODES[failure.statusCode] ?? 'Error'}`,
    ...Object.entries(failure.headers)
      .filter(([name, value]) => isValidHeader(name, value, logger))
      .map(([name, value]) => `${name}: ${value}`),
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(failure.body)}`,
    'Connection: close',
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${failure.body}`, () => socket.destroy());
}

/**
 * Renders a handler's result:
 * `string` -> `text/html; charset=utf-8`; `undefined` -> 204 (or the status the handler set) with
 * no body; `Buffer`/`Uint8Array` -> as is; a Readable stream -> piped; anything else -> JSON.
 * A content type set by the handler always wins. A response the handler wrote itself is left alone.
 * @returns for a stream, a promise that settles when it has been handed to the socket; otherwise
 * `undefined`, the response being written already.
 */
export function sendResult(state: RequestState, result: unknown, logger: Logger): Promise<void> | undefined {
  const response = state.response;
  if (response === undefined || response.headersSent || response.writableEnded) return undefined;
  const recorded = state.recordedResponseHeaders;
  if (recorded !== undefined) {
    for (const [name, value] of recorded.entries()) response.setHeader(name, value);
  }
  if (result === undefined) {
    response.removeHeader('content-length');
    response.writeHead(state.statusCodeAssigned ? state.statusCode : 204);
    response.end();
    return undefined;
  }
  if (result instanceof Readable) {
    if (!response.hasHeader('content-type')) response.setHeader('content-type', 'application/octet-stream');
    response.writeHead(state.statusCode);
    return new Promise<void>((resolve) => {
      result.on('error', (error) => {
        logger.error('The response stream failed', describeError(error));
        response.destroy();
        resolve();
      });
      response.on('close', () => {
        result.destroy();
        resolve();
      });
      result.pipe(response);
    });
  }
  // Text stays a string: Node writes it in the same chunk as the head, where a Buffer would be a
  // second chunk (and an allocation).
  let body: string | Buffer;
  let contentType: string;
  if (typeof result === 'string') {
    body = result;
    contentType = 'text/html; charset=utf-8';
  } else if (result instanceof Uint8Array) {
    body = Buffer.from(result.buffer, result.byteOffset, result.byteLength);
    contentType = 'application/octet-stream';
  } else {
    const json = JSON.stringify(result);
    if (json === undefined) {
      throw new TypeError(`The handler returned a ${typeof result}, which cannot be rendered as JSON`);
    }
    body = json;
    contentType = JSON_TYPE;
  }
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (response.hasHeader('content-type')) {
    response.setHeader('content-length', length);
    response.writeHead(state.statusCode);
  } else {
    // Headers handed to writeHead as an object skip Node's per-header bookkeeping of setHeader.
    response.writeHead(state.statusCode, { 'content-type': contentType, 'content-length': length });
  }
  response.end(body);
  return undefined;
}
