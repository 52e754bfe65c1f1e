/**
 * The JSON protocol between the chat page and the server. Every WebSocket frame is one JSON object
 * with a `type`. The README documents each message; keep the two in step.
 */

/** A person as the other members see them: the connection id (stable for one connection) and the chosen name. */
export interface ChatUser {
  id: string;
  name: string;
}

/** Messages a client sends. */
export type ClientMessage =
  | { type: 'join'; name: string; room: string }
  | { type: 'leave' }
  | { type: 'message'; text: string }
  | { type: 'typing'; typing: boolean }
  | { type: 'private'; to: string; text: string }
  | { type: 'list_rooms' };

/** The type tags a client may send. */
export type ClientMessageType = ClientMessage['type'];

/** One room as listed: its name and how many connections are in it, cluster-wide. */
export interface RoomSummary {
  name: string;
  memberCount: number;
}

/** A chat line as broadcast to a room and kept in its history. `at` is the server's ISO timestamp. */
export interface ChatLine {
  type: 'message';
  id: string;
  room: string;
  from: ChatUser;
  text: string;
  at: string;
}

/** Stable error codes sent to the client in `{ type: 'error' }`. */
export type ChatErrorCode =
  | 'invalid_json'
  | 'unsupported_frame'
  | 'too_large'
  | 'unknown_type'
  | 'invalid_name'
  | 'invalid_room'
  | 'invalid_text'
  | 'not_joined'
  | 'rate_limited'
  | 'recipient_not_found'
  | 'unavailable';

/** Messages the server sends. */
export type ServerMessage =
  | { type: 'welcome'; connectionId: string; serverInstanceId: string; limits: ChatLimits }
  | { type: 'joined'; room: string; you: ChatUser; members: ChatUser[]; history: ChatLine[] }
  | { type: 'left'; room: string }
  | ChatLine
  | { type: 'member_joined'; room: string; member: ChatUser; memberCount: number; at: string }
  | { type: 'member_left'; room: string; member: ChatUser; memberCount: number; at: string }
  | { type: 'typing'; room: string; from: ChatUser; typing: boolean }
  | { type: 'private'; id: string; from: ChatUser; to: ChatUser; text: string; at: string }
  | { type: 'rooms'; rooms: RoomSummary[] }
  | { type: 'announcement'; text: string; at: string }
  | { type: 'error'; code: ChatErrorCode; message: string; requestType?: string; retryAfterMs?: number };

/** Limits the server enforces, announced in `welcome` so the page can validate before sending. */
export interface ChatLimits {
  maxNameLength: number;
  maxRoomLength: number;
  maxTextLength: number;
  messagesPerWindow: number;
  windowMs: number;
}
