import type { CacheManager } from '@arcade/cache';
import type { Logger } from '@arcade/core';
import type { ConnectionInfo, EventEmitter, WebSocketApi } from '@arcade/ws';
import type { ChatEvents, ChatLimits, ChatUser } from './chat-events';
import type { ClientLimits } from './client-limits';
import type { RoomDirectory } from './room-directory';

/** The @arcade/ws operations the chat uses, bound to one app (so several servers can share a process). */
export type ChatRealtime = Pick<
  WebSocketApi,
  | 'joinRoom'
  | 'leaveRoom'
  | 'getRoomMembers'
  | 'getRoomHistory'
  | 'getAllConnections'
  | 'getConnectionInfo'
  | 'updateConnectionMetadata'
>;

/** Everything a chat connection or route needs, created once per server. */
export interface ChatServices {
  realtime: ChatRealtime;
  /** The typed emits of the chat's events map, to rooms, connections and everyone of the cluster. */
  events: EventEmitter<ChatEvents>;
  cache: CacheManager;
  /** How many lines of a room's history `roomView` reads (the room history's size). */
  historyLength: number;
  rooms: RoomDirectory;
  /** The budgets of each client address (see `rateLimitKey`), across its connections, for every frame type. */
  clientLimits: ClientLimits;
  limits: ChatLimits;
  logger: Logger;
  serverInstanceId: () => string;
  /** Makes a message id that sorts by creation order within this process. */
  nextMessageId: () => string;
}

/** The name kept in a connection's metadata, or a placeholder for a connection that has not joined. */
export function userOf(info: ConnectionInfo | null, id: string): ChatUser {
  const name = info?.metadata?.name;
  return { id, name: typeof name === 'string' && name !== '' ? name : 'someone' };
}

/** The members of `room` with their names, read from connection metadata on any instance. */
export async function roomMembers(realtime: ChatRealtime, room: string): Promise<ChatUser[]> {
  const ids = await realtime.getRoomMembers(room);
  const infos = await Promise.all(ids.map((id) => realtime.getConnectionInfo(id)));
  return ids
    .map((id, index) => ({ info: infos[index] ?? null, user: userOf(infos[index] ?? null, id) }))
    .filter(({ info }) => info !== null)
    .map(({ user }) => user)
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
