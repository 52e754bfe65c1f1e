import type { WebSocketApi } from '@arcade/ws';
import type { ChatLine } from './chat-events';
import { isRecord } from './validation';

/** How many lines of a room are kept (the newest) and sent to a user who joins it. */
export const HISTORY_LENGTH = 50;

/** How long a room's lines are kept after its last line: 10 minutes. */
export const HISTORY_TTL_MS = 10 * 60 * 1000;

/**
 * Bounds of every room's history. The lines live in @arcade/ws room history (`chat.toRoom(room,
 * { history: true }).emit('line', line)`), in the same storage as the connection registry, so a user joining on another
 * instance sees them; @arcade/ws keeps at most `size` lines per room and drops a room's lines `ttlMs`
 * after its last one, whatever the clients do.
 */
export interface ChatHistoryOptions {
  /** Lines kept per room, and read by `roomView` with `history: true`. @default {@link HISTORY_LENGTH} */
  size?: number;
  /** How long a room's lines are kept after its last line, in milliseconds. @default {@link HISTORY_TTL_MS} */
  ttlMs?: number;
}

/**
 * The chat line of `room` that a stored history message holds (the `line` event the chat emitted: the
 * text `{"event":"line","data":{...}}`), or `undefined` for anything else: a binary frame, text that
 * is not JSON, another event, or a line that is not one of this room in the chat's shape (another app
 * may emit to a room of the same name).
 */
export function chatLineOf(message: string | Uint8Array, room: string): ChatLine | undefined {
  if (typeof message !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value.event !== 'line' || !isRecord(value.data)) return undefined;
  const { id, text, at, from } = value.data;
  if (value.data.room !== room || !isRecord(from)) return undefined;
  if (typeof id !== 'string' || typeof text !== 'string' || typeof at !== 'string') return undefined;
  if (typeof from.id !== 'string' || typeof from.name !== 'string') return undefined;
  return { id, room, from: { id: from.id, name: from.name }, text, at };
}

/** The last `limit` chat lines of `room`, oldest first, read from its @arcade/ws room history. */
export async function recentLines(
  realtime: Pick<WebSocketApi, 'getRoomHistory'>,
  room: string,
  limit: number,
): Promise<ChatLine[]> {
  const { messages } = await realtime.getRoomHistory(room, { limit });
  return messages.flatMap(({ message }) => chatLineOf(message, room) ?? []);
}
