import { InvalidRoomNameError } from './errors';

/** Longest room name accepted, in UTF-16 code units (JavaScript string length). */
export const MAX_ROOM_NAME_LENGTH = 256;

// C0 controls, DEL and C1 controls: they break logs and line-based tools (redis-cli, monitoring).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** Throws {@link InvalidRoomNameError} unless `room` is a 1–256 character string without control characters. */
export function assertRoomName(room: unknown): asserts room is string {
  if (
    typeof room !== 'string' ||
    room.length === 0 ||
    room.length > MAX_ROOM_NAME_LENGTH ||
    CONTROL_CHARACTER.test(room)
  ) {
    throw new InvalidRoomNameError(room);
  }
}
