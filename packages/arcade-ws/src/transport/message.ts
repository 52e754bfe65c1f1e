/** What an emit sends: a text frame (string) or a binary frame (bytes). */
export type EncodedMessage = string | Uint8Array;

/** The arguments every emit function takes after its target: `(message)` or `(event, data)`. */
export type EmitArguments = [message: unknown] | [event: string, data: unknown];

/**
 * The one emit rule, decided by the number of arguments:
 * - `(message)`: a string is sent as is (text frame), a `Uint8Array`/`Buffer` (or `ArrayBuffer`) as a
 *   binary frame, any other value as `JSON.stringify(value)` text;
 * - `(event, data)`: the text `JSON.stringify({ event, data })`.
 *
 * Throws a `TypeError` for a value JSON cannot represent (`undefined`, a function, a symbol).
 */
export function encodeMessage(...args: EmitArguments): EncodedMessage {
  if (args.length >= 2) {
    const [event, data] = args as [string, unknown];
    return JSON.stringify({ event, data });
  }
  return encodeOne(args[0]);
}

/** {@link encodeMessage} of `(message)`, for callers with one argument: no array of arguments per emit. */
export function encodeOne(message: unknown): EncodedMessage {
  if (typeof message === 'string' || message instanceof Uint8Array) return message;
  if (message instanceof ArrayBuffer) return new Uint8Array(message);
  const text = JSON.stringify(message);
  if (text === undefined) {
    throw new TypeError(`Cannot emit ${typeof message}: a message is a string, bytes, or a JSON value`);
  }
  return text;
}
