// What the app passes to the client's methods, checked at the call: a mistake throws (or rejects) there,
// with what to fix, instead of surfacing later on the wire.
import { describeError, usageError } from './errors.js';

/** An event or room name: a non-empty string. */
export function checkName(what: string, name: unknown): void {
  if (typeof name !== 'string' || name === '') {
    throw usageError(
      'INVALID_ARGUMENT',
      `${what} must be a non-empty string, got ${JSON.stringify(name) ?? typeof name}`,
    );
  }
}

/** {@link checkName} for a method that answers with a promise: the rejection to return, or `undefined`. */
export function rejectBadName(what: string, name: unknown): Promise<never> | undefined {
  try {
    checkName(what, name);
    return undefined;
  } catch (error) {
    return Promise.reject(error);
  }
}

export function checkListener(what: string, listener: unknown): void {
  if (typeof listener !== 'function') {
    throw usageError(
      'INVALID_ARGUMENT',
      `${what}(listener): the listener must be a function, got ${typeof listener}`,
    );
  }
}

/** One `emit` or `req` frame; a payload JSON cannot encode (a BigInt, a cycle) is refused here, at the call. */
export function encodeCall(
  t: 'emit' | 'req',
  event: string,
  payload: unknown[],
  id: number | undefined,
): string {
  const frame: Record<string, unknown> = id === undefined ? { t, event } : { t, id, event };
  if (payload.length > 0 && payload[0] !== undefined) frame.data = payload[0];
  try {
    return JSON.stringify(frame);
  } catch (error) {
    throw usageError(
      'UNSERIALIZABLE_PAYLOAD',
      `the payload of "${event}" cannot be sent as JSON: ${describeError(error)}`,
      error,
    );
  }
}
