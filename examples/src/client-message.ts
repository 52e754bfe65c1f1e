// Reading what a client sends, for the examples whose clients send JSON: the guide's best practice
// "Validate messages - don't trust client input". Anything but a JSON object reads as {}, and each
// field is checked before use.
import type { WebSocketData } from '@arcade/ws';

/** A client's message: a JSON object whose fields are not checked yet. */
export type ClientMessage = Readonly<Record<string, unknown>>;

/** The JSON object in a text frame; `{}` for a binary frame, malformed JSON or another JSON value. */
export function parseClientMessage(data: WebSocketData): ClientMessage {
  if (typeof data !== 'string') return {};
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as ClientMessage)
      : {};
  } catch {
    return {};
  }
}

/** The field `key` when it is a string, else `undefined`. */
export function stringField(message: ClientMessage, key: string): string | undefined {
  const value = message[key];
  return typeof value === 'string' ? value : undefined;
}
