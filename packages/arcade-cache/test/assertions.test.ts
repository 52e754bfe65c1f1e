import {
  assertBytes,
  assertMessage,
  assertSameMembers,
  assertSameString,
  quote,
  sizeName,
} from '../src/testing/assertions';

/** The message `check` fails with. */
function failure(check: () => void): string {
  try {
    check();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the assertion passed');
}

describe('the failure messages of the conformance suite', () => {
  it('name a string with its control characters escaped, and a long one by its length', () => {
    expect(quote('a\u0000b\n')).toBe('"a\\u0000b\\n"');
    expect(quote('x'.repeat(65_536))).toBe(`"${'x'.repeat(40)}…" (65536 characters)`);
    expect(sizeName(new Uint8Array(1_048_576))).toBe('message of 1048576 bytes');
    expect(sizeName('x'.repeat(65_536))).toBe('message of 65536 characters');
    expect(sizeName('a\u0000b', 'key')).toBe('key "a\\u0000b"');
  });

  it('say where a string changed, naming it', () => {
    expect(failure(() => assertSameString('ab', 'a\u0000b', 'key "a\\u0000b"'))).toBe(
      'key "a\\u0000b": expected "a\\u0000b", got "ab"; 2 characters instead of 3, the first difference at index 1',
    );
    expect(failure(() => assertSameString('a\u0000c', 'a\u0000b', 'member'))).toBe(
      'member: expected "a\\u0000b", got "a\\u0000c"; they differ from index 2 on',
    );
  });

  it('say where bytes differ, or that they were cut short', () => {
    const sent = Uint8Array.from([1, 2, 3, 4]);
    expect(failure(() => assertBytes(Uint8Array.from([1, 2, 9, 4]), sent, 'message of 4 bytes'))).toBe(
      'message of 4 bytes: the bytes differ from offset 2 on (got 0x09, expected 0x03)',
    );
    expect(failure(() => assertBytes(sent.subarray(0, 2), sent, 'message of 4 bytes'))).toBe(
      'message of 4 bytes: got 2 bytes instead of 4, the same up to there (cut short or padded?)',
    );
  });

  it('take a Buffer and a Uint8Array of the same bytes for the same message', () => {
    const bytes = [0, 1, 255];
    expect(() => assertBytes(Buffer.from(bytes), Uint8Array.from(bytes), 'm')).not.toThrow();
    expect(() => assertBytes(Uint8Array.from(bytes), Buffer.from(bytes), 'm')).not.toThrow();
    expect(() => assertMessage(new Uint8Array(Buffer.from(bytes)), Buffer.from(bytes), 'm')).not.toThrow();
  });

  it('report text for bytes, or bytes for text, as the wrong kind rather than different content', () => {
    expect(failure(() => assertMessage('abc', Buffer.from('abc'), 'message of 3 bytes'))).toBe(
      'message of 3 bytes: expected bytes (3), got the string "abc" (bytes came back as text)',
    );
    expect(failure(() => assertMessage(Buffer.from('abc'), 'abc', 'message "abc"'))).toBe(
      'message "abc": expected the string "abc", got Buffer of 3 bytes <61 62 63> (text came back as bytes)',
    );
  });

  it('name the members missing and those that should not be there', () => {
    expect(failure(() => assertSameMembers(['ab', 'a'], ['a\u0000b', 'a'], 'setMembers'))).toBe(
      'setMembers: "a\\u0000b" is missing, "ab" should not be there',
    );
    expect(() => assertSameMembers(['b', 'a'], ['a', 'b'], 'setMembers')).not.toThrow();
  });
});
