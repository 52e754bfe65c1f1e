import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeException } from './exceptions';

/** A body that parsed: `value` holds the result. */
export class BodyParseSuccess<T> {
  readonly success = true as const;
  constructor(readonly value: T) {}
}

/** Stable reasons of a {@link BodyParseFailure}. */
export type BodyParseFailureCode =
  /** The `Content-Type` is missing or is not one the parser reads. */
  | 'UNSUPPORTED_CONTENT_TYPE'
  /** The body is not valid JSON (or not valid form encoding). */
  | 'MALFORMED_BODY'
  /** The body parsed but is not the expected shape (an object for `jsonMap`, an array for `jsonList`). */
  | 'UNEXPECTED_SHAPE';

/** A body that did not parse; nothing is thrown, the handler decides what to answer. */
export class BodyParseFailure {
  readonly success = false as const;
  constructor(
    readonly code: BodyParseFailureCode,
    readonly message: string,
    readonly cause?: unknown,
  ) {}
}

/** What `json()`, `jsonMap()` and `jsonList()` resolve to. */
export type BodyParseResult<T> = BodyParseSuccess<T> | BodyParseFailure;

/** 1 MiB: the default body limit. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Reads the whole request body, at most `limit` bytes. A declared `Content-Length` over the limit
 * is refused before anything is read; a streamed body stops being read at the limit. Both throw
 * {@link PayloadTooLargeException}; the caller answers with `Connection: close` so the rest is
 * never read.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(tooLarge(limit));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Keep the socket moving but discard the rest: the 413 goes out with `Connection: close`.
        request.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      // 'close' before 'end' means the client went away mid-body.
      if (request.complete) return;
      cleanup();
      reject(new Error('The client closed the connection before the request body was complete'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}

function tooLarge(limit: number): PayloadTooLargeException {
  return new PayloadTooLargeException({ message: `Payload too large: the limit is ${limit} bytes` });
}

/** The media type of a `Content-Type` header in lower case, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** `application/json`, `text/json` and any `+json` suffix type. */
export function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType === 'text/json' || mediaType.endsWith('+json');
}

/** Parses JSON text into a result (never throws). */
export function parseJson(text: string): BodyParseResult<unknown> {
  try {
    return new BodyParseSuccess<unknown>(JSON.parse(text));
  } catch (error) {
    return new BodyParseFailure(
      'MALFORMED_BODY',
      `The body is not valid JSON: ${(error as Error).message}`,
      error,
    );
  }
}
