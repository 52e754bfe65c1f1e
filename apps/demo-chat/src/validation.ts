import type { ChatErrorCode, ClientMessage } from './protocol';

/** Longest user name, in characters. */
export const MAX_NAME_LENGTH = 32;
/** Longest room name, in characters. */
export const MAX_ROOM_LENGTH = 40;
/** Longest chat or private message, in characters. */
export const MAX_TEXT_LENGTH = 2000;
/** Largest WebSocket frame the chat reads, in UTF-8 bytes; anything bigger is answered with `too_large`. */
export const MAX_FRAME_BYTES = 16 * 1024;

/** A client input the server refuses; `code` and `message` go back to the client as `{ type: 'error' }`. */
export class ChatInputError extends Error {
  override readonly name = 'ChatInputError';
  constructor(
    readonly code: ChatErrorCode,
    message: string,
    readonly requestType?: string,
    /** For `rate_limited`: milliseconds until the next message is accepted. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

// Letters, digits and marks from any script, plus a few separators; no control or markup characters.
const NAME_PATTERN = /^[\p{L}\p{N}\p{M}][\p{L}\p{N}\p{M} ._'-]*$/u;
const ROOM_PATTERN = /^[\p{L}\p{N}\p{M}][\p{L}\p{N}\p{M} _-]*$/u;
// Control characters other than tab and newline are never useful in chat text.
const CONTROL_CHARACTERS = /(?![\t\n\r])\p{Cc}/u;

function characterCount(value: string): number {
  return [...value].length;
}

/** How one kind of label (a user name, a room name) is checked. */
interface LabelRule {
  code: 'invalid_name' | 'invalid_room';
  whenEmpty: string;
  maxLength: number;
  tooLong: string;
  pattern: RegExp;
  badCharacters: string;
}

const NAME_RULE: LabelRule = {
  code: 'invalid_name',
  whenEmpty: 'Choose a name: it cannot be empty.',
  maxLength: MAX_NAME_LENGTH,
  tooLong: `Names are at most ${MAX_NAME_LENGTH} characters long.`,
  pattern: NAME_PATTERN,
  badCharacters: "Names may use letters, digits, spaces and . _ ' - and must start with a letter or digit.",
};

const ROOM_RULE: LabelRule = {
  code: 'invalid_room',
  whenEmpty: 'Choose a room: its name cannot be empty.',
  maxLength: MAX_ROOM_LENGTH,
  tooLong: `Room names are at most ${MAX_ROOM_LENGTH} characters long.`,
  pattern: ROOM_PATTERN,
  badCharacters: 'Room names may use letters, digits, spaces, _ and - and must start with a letter or digit.',
};

function validateLabel(rule: LabelRule, value: unknown, requestType: string | undefined): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ChatInputError(rule.code, rule.whenEmpty, requestType);
  }
  const label = value.trim().replace(/\s+/g, ' ');
  if (characterCount(label) > rule.maxLength) throw new ChatInputError(rule.code, rule.tooLong, requestType);
  if (!rule.pattern.test(label)) throw new ChatInputError(rule.code, rule.badCharacters, requestType);
  return label;
}

/** Validates a user name and returns it trimmed with inner whitespace collapsed. */
export function validateName(value: unknown, requestType?: string): string {
  return validateLabel(NAME_RULE, value, requestType);
}

/** Validates a room name and returns it trimmed with inner whitespace collapsed. */
export function validateRoom(value: unknown, requestType?: string): string {
  return validateLabel(ROOM_RULE, value, requestType);
}

/** Validates chat text: not empty or whitespace only, not too long, no control characters. Returns it trimmed. */
export function validateText(value: unknown, requestType?: string): string {
  if (typeof value !== 'string') {
    throw new ChatInputError('invalid_text', 'The message must have a "text" string.', requestType);
  }
  const text = value.trim();
  if (text === '') {
    throw new ChatInputError(
      'invalid_text',
      'Empty messages are not sent: type some text first.',
      requestType,
    );
  }
  if (characterCount(text) > MAX_TEXT_LENGTH) {
    throw new ChatInputError(
      'invalid_text',
      `Messages are at most ${MAX_TEXT_LENGTH} characters long (this one has ${characterCount(text)}).`,
      requestType,
    );
  }
  if (CONTROL_CHARACTERS.test(text)) {
    throw new ChatInputError('invalid_text', 'Messages cannot contain control characters.', requestType);
  }
  return text;
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Turns one WebSocket frame into a validated {@link ClientMessage}, or throws a {@link ChatInputError}
 * that says what is wrong in words the user can act on.
 */
export function parseClientMessage(frame: string | Uint8Array): ClientMessage {
  if (typeof frame !== 'string') {
    throw new ChatInputError('unsupported_frame', 'Binary frames are not supported: send JSON text.');
  }
  if (Buffer.byteLength(frame, 'utf8') > MAX_FRAME_BYTES) {
    throw new ChatInputError('too_large', `Frames are at most ${MAX_FRAME_BYTES} bytes.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    throw new ChatInputError(
      'invalid_json',
      'Frames must be JSON objects such as {"type":"message","text":"hi"}.',
    );
  }
  if (!isRecord(value) || typeof value.type !== 'string') {
    throw new ChatInputError('invalid_json', 'Frames must be JSON objects with a "type" string.');
  }
  const type = value.type;
  switch (type) {
    case 'join':
      return { type, name: validateName(value.name, type), room: validateRoom(value.room, type) };
    case 'leave':
    case 'list_rooms':
      return { type };
    case 'message':
      return { type, text: validateText(value.text, type) };
    case 'typing':
      return { type, typing: value.typing === true };
    case 'private': {
      if (typeof value.to !== 'string' || value.to === '' || value.to.length > 64) {
        throw new ChatInputError(
          'recipient_not_found',
          'A private message needs "to": the id of a connected user.',
          type,
        );
      }
      return { type, to: value.to, text: validateText(value.text, type) };
    }
    default:
      throw new ChatInputError(
        'unknown_type',
        `Unknown message type "${type.slice(0, 40)}": use join, leave, message, typing, private or list_rooms.`,
        type.slice(0, 40),
      );
  }
}
