import { InvalidRoomNameError } from '../errors';
import { loneSurrogateIndex } from '../internal/text';

/** Longest room name accepted, in UTF-16 code units (JavaScript string length). */
export const MAX_ROOM_NAME_LENGTH = 256;

// C0 controls, DEL and C1 controls: they break logs and line-based tools (redis-cli, monitoring).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Throws {@link InvalidRoomNameError} unless `room` is a 1–256 character string without control
 * characters, and well-formed UTF-16.
 */
export function assertRoomName(room: unknown): asserts room is string {
  if (
    typeof room !== 'string' ||
    room.length === 0 ||
    room.length > MAX_ROOM_NAME_LENGTH ||
    CONTROL_CHARACTER.test(room)
  ) {
    throw new InvalidRoomNameError(room);
  }
  const index = loneSurrogateIndex(room);
  if (index !== -1) {
    const unit = room.charCodeAt(index).toString(16);
    throw new InvalidRoomNameError(
      room,
      `this one is not well-formed UTF-16: a lone surrogate \\u${unit} at index ${index} (half of a` +
        ' character such as an emoji, cut off by slice() or substring()?), which a UTF-8 storage such as' +
        ' Redis would keep as U+FFFD, the name of other rooms',
    );
  }
}
