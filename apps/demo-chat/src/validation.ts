/** Longest user name, in characters. */
export const MAX_NAME_LENGTH = 32;
/** Longest room name, in characters. */
export const MAX_ROOM_LENGTH = 40;
/** Longest chat or private message, in characters. */
export const MAX_TEXT_LENGTH = 2000;
/**
 * Largest WebSocket frame the chat reads, in UTF-8 bytes (the route's `maxPayload`): a `say` of
 * {@link MAX_TEXT_LENGTH} characters fits however it is written, and @arcade/ws closes the connection
 * of a bigger frame with 1009.
 */
export const MAX_FRAME_BYTES = 16 * 1024;

/** Which input rule a value broke. */
export type ChatInputErrorCode =
  | 'INVALID_NAME'
  | 'INVALID_ROOM'
  | 'INVALID_TEXT'
  | 'INVALID_RECIPIENT'
  | 'INVALID_FIELD';

/**
 * A client input the rules below refuse; `message` says, in words the user can act on, what to fix.
 * The schemas (src/chat-schemas.ts) turn it into an `INVALID_PAYLOAD` issue, a join refusal into an
 * `EventError` with its code, an HTTP route into a 400.
 */
export class ChatInputError extends Error {
  override readonly name = 'ChatInputError';
  constructor(
    readonly code: ChatInputErrorCode,
    message: string,
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
  code: 'INVALID_NAME' | 'INVALID_ROOM';
  whenEmpty: string;
  maxLength: number;
  tooLong: string;
  pattern: RegExp;
  badCharacters: string;
}

const NAME_RULE: LabelRule = {
  code: 'INVALID_NAME',
  whenEmpty: 'Choose a name: it cannot be empty.',
  maxLength: MAX_NAME_LENGTH,
  tooLong: `Names are at most ${MAX_NAME_LENGTH} characters long.`,
  pattern: NAME_PATTERN,
  badCharacters: "Names may use letters, digits, spaces and . _ ' - and must start with a letter or digit.",
};

const ROOM_RULE: LabelRule = {
  code: 'INVALID_ROOM',
  whenEmpty: 'Choose a room: its name cannot be empty.',
  maxLength: MAX_ROOM_LENGTH,
  tooLong: `Room names are at most ${MAX_ROOM_LENGTH} characters long.`,
  pattern: ROOM_PATTERN,
  badCharacters: 'Room names may use letters, digits, spaces, _ and - and must start with a letter or digit.',
};

function validateLabel(rule: LabelRule, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ChatInputError(rule.code, rule.whenEmpty);
  const label = normalizeLabel(value);
  if (characterCount(label) > rule.maxLength) throw new ChatInputError(rule.code, rule.tooLong);
  if (!rule.pattern.test(label)) throw new ChatInputError(rule.code, rule.badCharacters);
  return label;
}

/** A name or room as the chat keeps it: trimmed, inner runs of whitespace collapsed to one space. */
export function normalizeLabel(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

/** Validates a user name and returns it trimmed with inner whitespace collapsed. */
export function validateName(value: unknown): string {
  return validateLabel(NAME_RULE, value);
}

/**
 * Validates a room name and returns it trimmed with inner whitespace collapsed. A room joined through
 * the protocol is the client's exact string, so `authorizeJoin` refuses one that is not already in
 * this form (see {@link validateJoinedRoom}).
 */
export function validateRoom(value: unknown): string {
  return validateLabel(ROOM_RULE, value);
}

/**
 * Validates the room of a protocol join: the chat's room rules, and already normalized, since the
 * client keeps (and rejoins) the exact string it asked for.
 */
export function validateJoinedRoom(value: string): string {
  const room = validateRoom(value);
  if (room !== value) {
    throw new ChatInputError(
      'INVALID_ROOM',
      `Room names have no spaces at either end and no double spaces: join ${JSON.stringify(room)}.`,
    );
  }
  return room;
}

/** The longest connection id `whisper` accepts (ids of @arcade/ws are UUIDs). */
const MAX_RECIPIENT_LENGTH = 64;

/** Validates the recipient of a private message: a connection id. */
export function validateRecipient(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_RECIPIENT_LENGTH) {
    throw new ChatInputError(
      'INVALID_RECIPIENT',
      'A private message needs "to": the id of a connected user (pick someone from the member list).',
    );
  }
  return value;
}

/** Validates chat text: not empty or whitespace only, not too long, no control characters. Returns it trimmed. */
export function validateText(value: unknown): string {
  if (typeof value !== 'string') {
    throw new ChatInputError('INVALID_TEXT', 'The message must have a "text" string.');
  }
  const text = value.trim();
  if (text === '') {
    throw new ChatInputError('INVALID_TEXT', 'Empty messages are not sent: type some text first.');
  }
  if (characterCount(text) > MAX_TEXT_LENGTH) {
    throw new ChatInputError(
      'INVALID_TEXT',
      `Messages are at most ${MAX_TEXT_LENGTH} characters long (this one has ${characterCount(text)}).`,
    );
  }
  if (CONTROL_CHARACTERS.test(text)) {
    throw new ChatInputError('INVALID_TEXT', 'Messages cannot contain control characters.');
  }
  return text;
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
