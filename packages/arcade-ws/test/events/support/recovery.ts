import type { App } from '@arcade/core';
import { type EventsMap, eventEmitter, type RoomPosition } from '@arcade/ws';
import type { ProtocolClient } from './protocol-client';

/** The events map of the recovery tests: the server sends numbered lines. */
export interface LineEvents extends EventsMap {
  toServer: Record<string, never>;
  toClient: { line: { n: number } };
}

/** A route where any client may join any room. */
export function defineLineRoute(app: App): void {
  app.route.get('/events').handleEvents<LineEvents>({ events: {}, authorizeJoin: () => true });
}

/** Emits lines `from..to` to `room` with history, one after the other; resolves the last position. */
export async function emitLines(app: App, room: string, from: number, to: number): Promise<RoomPosition> {
  let position: RoomPosition | undefined;
  for (let n = from; n <= to; n += 1) {
    position = await eventEmitter<LineEvents>(app).toRoom(room, { history: true }).emit('line', { n });
  }
  if (!position) throw new Error('emitLines needs from <= to');
  return position;
}

/**
 * What a client received of `room`, in arrival order: `h<n>` for the history frame of line n, `res` for
 * a join reply. Exactly what recovery must get right: no gap, no duplicate, replay before the reply.
 */
export function sequenceOf(client: ProtocolClient, room: string): string[] {
  const sequence: string[] = [];
  for (const frame of client.client.history) {
    if (frame.isBinary) continue;
    const value = JSON.parse(frame.text) as { t?: string; room?: string; data?: { n?: number } };
    if (value.t === 'res') sequence.push('res');
    else if (value.room === room) sequence.push(`h${value.data?.n}`);
  }
  return sequence;
}

/** `['h<from>', ..., 'h<to>']`. */
export function lines(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, index) => `h${from + index}`);
}
