// The chat's events map: the one description of what the page and the server say to each other over
// the `arcade.events.v1` protocol of @arcade/ws (`handleEvents`) and @arcade/client. The server's route
// (src/chat-route.ts) is typed by it, and so is the page (public/app.js imports these types in its
// JSDoc and `pnpm typecheck` checks it against them). Types only: nothing here exists at run time.
// The README ("WebSocket protocol") documents each member; keep the two in step.
import type { EventsMap, RoomPosition } from '@arcade/ws/protocol';

/** A person as the other members see them: the connection id (stable for one connection) and the chosen name. */
export interface ChatUser {
  id: string;
  name: string;
}

/** A chat line, as emitted to its room and kept in the room's history. `at` is the server's ISO time. */
export interface ChatLine {
  /** Unique; a line can reach a page both live and in a history reply: show each id once. */
  id: string;
  room: string;
  from: ChatUser;
  text: string;
  at: string;
}

/** One room as listed: its name and how many connections are in it, cluster-wide. */
export interface RoomSummary {
  name: string;
  memberCount: number;
}

/** A private message: to its recipient as an event, to its sender as the reply of `whisper`. */
export interface PrivateMessage {
  id: string;
  from: ChatUser;
  to: ChatUser;
  text: string;
  at: string;
}

/** Someone joined or left (or disconnected from) the room. */
export interface MemberNotice {
  room: string;
  member: ChatUser;
  /** Members of the room once this change is done. */
  memberCount: number;
  at: string;
}

/** Someone else in the room started or stopped typing. */
export interface TypingNotice {
  room: string;
  from: ChatUser;
  typing: boolean;
}

/** Limits the server enforces, sent in `welcome` so the page can check input before sending it. */
export interface ChatLimits {
  maxNameLength: number;
  maxRoomLength: number;
  maxTextLength: number;
  messagesPerWindow: number;
  windowMs: number;
}

/** The first event of every connection. */
export interface Welcome {
  connectionId: string;
  serverInstanceId: string;
  limits: ChatLimits;
}

/** The room a connection is in, as `roomView` reads it. */
export interface RoomView {
  room: string;
  you: ChatUser;
  /** Every member, this connection included, sorted by name. */
  members: ChatUser[];
  /** The room's last lines, oldest first, when asked for (`history: true`); otherwise empty. */
  lines: ChatLine[];
}

/** What `say` resolves once the line is kept and on its way to every member. */
export interface SentLine {
  id: string;
  position: RoomPosition;
}

/**
 * The `code`s of the chat's own error replies (`EventError`s of the server). A payload that breaks the
 * input rules gets @arcade/ws's `INVALID_PAYLOAD` instead, whose `issues[0].message` says what to fix.
 */
export type ChatErrorCode =
  /** The connection's `name` parameter breaks the name rules (a join). */
  | 'INVALID_NAME'
  /** The room name breaks the chat's room rules (a join). */
  | 'INVALID_ROOM'
  /** Join a room first (or this is not the room the connection is in). */
  | 'NOT_JOINED'
  /** The client address spent the budget of this kind of frame; the message says how long to wait. */
  | 'RATE_LIMITED'
  /** The private message's recipient is not connected. */
  | 'RECIPIENT_NOT_FOUND'
  /** The storage did not answer; try again in a moment. */
  | 'UNAVAILABLE';

/**
 * The chat's events map. Rooms are joined and left with the protocol's own `join` and `leave`
 * (`client.join(room)`, `client.leave(room)`), which the server checks (name, room rules, budget) and
 * tells the room about, and which give recovery after a reconnection; the connection's name is its
 * `name` query parameter (`createClient(url, { params: () => ({ name }) })`).
 */
export interface ChatEvents extends EventsMap {
  toServer: {
    /** A chat line to the room the connection is in. */
    say: (line: { text: string }) => SentLine;
    /** A private message to a connection of any instance; resolves the sender's copy. */
    whisper: (message: { to: string; text: string }) => PrivateMessage;
    /** Tells the others in the room this connection is (or stopped) typing. */
    typing: { typing: boolean };
    /** The rooms with members, busiest first. */
    listRooms: () => RoomSummary[];
    /** The members of the connection's room, and its last lines when `history` is true. */
    roomView: (query: { room: string; history: boolean }) => RoomView;
  };
  toClient: {
    welcome: Welcome;
    /** A chat line of the room, kept in its history (so it carries its position and is recovered). */
    line: ChatLine;
    whisper: PrivateMessage;
    memberJoined: MemberNotice;
    memberLeft: MemberNotice;
    typing: TypingNotice;
    /** An admin broadcast to every connection. */
    announcement: { text: string; at: string };
  };
}

/** The names of the frames a client sends to the chat's handlers, and the protocol's `join` and `leave`. */
export type ChatFrameKind = keyof ChatEvents['toServer'] | 'join' | 'leave';
