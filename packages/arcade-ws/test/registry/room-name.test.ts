import { InvalidRoomNameError } from '../../src/index';
import { isWellFormed } from '../../src/internal/text';
import { assertRoomName } from '../../src/registry/room-name';

// A string that is not well-formed UTF-16 has no UTF-8 form: Redis stores each lone surrogate as
// U+FFFD, so `secret\ud800`, `secret\udbff` and `secret\ufffd` would be one key and one channel.

/** The error `assertRoomName(room)` throws (fails the test when it throws none). */
function rejectionOf(room: string): InvalidRoomNameError {
  try {
    assertRoomName(room);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRoomNameError);
    return error as InvalidRoomNameError;
  }
  throw new Error(`assertRoomName accepted ${JSON.stringify(room)}`);
}

/** Whether `text` survives UTF-8 unchanged: the oracle for well-formedness, independent of the code. */
function survivesUtf8(text: string): boolean {
  return Buffer.from(text, 'utf8').toString('utf8') === text;
}

describe('assertRoomName and well-formed UTF-16', () => {
  it.each([
    ['a lone high surrogate', 'secret\ud800', 6, 'd800'],
    ['a lone low surrogate', 'secret\udc00', 6, 'dc00'],
    ['a reversed pair (low before high)', 'a\udc00\ud800b', 1, 'dc00'],
    ['a high surrogate at the end (an emoji cut in half)', `player ${'🎮'.slice(0, 1)}`, 7, 'd83c'],
    ['a low surrogate at the start (the other half)', `${'🎮'.slice(1)}player`, 0, 'dfae'],
    ['a high surrogate followed by another character', 'a\udbffb', 1, 'dbff'],
    ['a high surrogate before a whole pair', 'a\ud800\ud83c\udfae', 1, 'd800'],
    ['a lone surrogate past the 40 characters the message quotes', `${'r'.repeat(200)}\udfff`, 200, 'dfff'],
  ])('rejects %s, saying why and where', (_label, room, index, unit) => {
    expect(survivesUtf8(room)).toBe(false);
    const error = rejectionOf(room);
    expect(error.code).toBe('INVALID_ROOM_NAME');
    expect(error.room).toBe(room);
    expect(error.message).toContain('not well-formed UTF-16');
    expect(error.message).toContain(`lone surrogate \\u${unit} at index ${index}`);
    // Safe to log: the message itself survives UTF-8, the name in it escaped by JSON.stringify.
    expect(survivesUtf8(error.message)).toBe(true);
  });

  it('names the three colliding names of the issue apart in their messages', () => {
    const messages = ['secret\ud800', 'secret\udbff'].map((room) => rejectionOf(room).message);
    expect(messages[0]).toContain('"secret\\ud800"');
    expect(messages[1]).toContain('"secret\\udbff"');
    expect(() => assertRoomName('secret\ufffd')).not.toThrow();
  });

  it.each([
    ['an emoji', '🎮'],
    ['a musical symbol outside the BMP', '𝄞'],
    ['U+FFFD written as a character', 'secret\ufffd'],
    ['mixed text, pairs and U+FFFD', 'salle 🎮 𝄞 \ufffd: stream:42'],
    ['128 emoji: 256 code units', '🎮'.repeat(128)],
    ['the last and first code points around the surrogates', '\ud7ff\ue000\u{10ffff}\u{10000}'],
  ])('accepts %s', (_label, room) => {
    expect(survivesUtf8(room)).toBe(true);
    expect(() => assertRoomName(room)).not.toThrow();
  });

  it('still rejects the other invalid names with their own reason, not a surrogate one', () => {
    for (const room of ['', 'r'.repeat(257), 'a\nb', '🎮'.repeat(129)]) {
      expect(rejectionOf(room).message).not.toContain('surrogate');
    }
  });
});

describe('isWellFormed', () => {
  // Every string of up to three code units over the edges of the surrogate ranges and their neighbours.
  const units = ['A', '\ud7ff', '\ud800', '\udbff', '\udc00', '\udfff', '\ue000', '\ufffd'];
  const strings = [''];
  for (let length = 1; length <= 3; length += 1) {
    for (const text of strings.filter((candidate) => candidate.length === length - 1)) {
      strings.push(...units.map((unit) => text + unit));
    }
  }

  it('agrees with String.prototype.isWellFormed and with a UTF-8 round trip on all of them', () => {
    // Node 20 has the method; lib ES2022 does not declare it.
    const native = (text: string) => (text as unknown as { isWellFormed(): boolean }).isWellFormed();
    expect(strings).toHaveLength(1 + 8 + 64 + 512);
    const disagreements = strings.filter(
      (text) => isWellFormed(text) !== native(text) || isWellFormed(text) !== survivesUtf8(text),
    );
    expect(disagreements.map((text) => JSON.stringify(text))).toEqual([]);
    expect(strings.filter(isWellFormed).length).toBeGreaterThan(0);
    expect(strings.filter((text) => !isWellFormed(text)).length).toBeGreaterThan(0);
  });

  it('is what assertRoomName checks: on all of them, it rejects exactly the ones not well-formed', () => {
    const rejected = (room: string): boolean => {
      try {
        assertRoomName(room);
        return false;
      } catch {
        return true;
      }
    };
    const mismatches = strings.slice(1).filter((room) => rejected(room) === isWellFormed(room));
    expect(mismatches.map((room) => JSON.stringify(room))).toEqual([]);
  });
});
