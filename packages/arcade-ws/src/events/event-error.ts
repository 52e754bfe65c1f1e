/**
 * Thrown by an events handler (or `authorizeJoin`) to refuse with a reason the client may act on: it
 * reaches the client as `{"t":"err","code":code,"message":message}` (with the request's `id`, or the
 * event's name), as they are, and is not logged. Anything else a handler throws reaches the client as
 * `HANDLER_FAILED` with a generic message and is logged on the server.
 *
 * ```ts
 * throw new EventError('NOT_FOUND', `No room ${room}`);
 * ```
 */
export class EventError extends Error {
  override readonly name = 'EventError';

  constructor(
    /** A stable, machine-readable code (non-empty): the client matches on it. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    if (typeof code !== 'string' || code === '') {
      throw new TypeError(
        'new EventError(code, message): code must be a non-empty string such as "NOT_FOUND"',
      );
    }
  }
}
