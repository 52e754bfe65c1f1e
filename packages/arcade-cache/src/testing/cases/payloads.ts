import { patternBytes } from '../assertions';

export const KIB = 1024;
export const MIB = 1024 * KIB;

/**
 * Names that a careless adapter merges or refuses: with NUL (a C string ends there, some drivers
 * drop it), line breaks and other control characters (text protocols, logs), glob characters (SCAN
 * MATCH, PSUBSCRIBE), braces (Redis Cluster hash tags), unicode. Each differs from another one of the
 * list only by such a character, so one dropped, cut at or replaced shows as two names sharing data.
 */
export const TRICKY_NAMES: readonly string[] = [
  'a\u0000b',
  'ab',
  'a',
  'a\u0000',
  '\u0000a',
  '\u0000',
  'a\u0000\u0000b',
  'a\nb',
  'a\r\nb',
  'a\tb',
  'a\u007fb',
  'a b',
  'a*',
  'a?',
  '[ab]',
  '{a}b',
  'a\\b',
  'é',
  'e\u0301',
  '🌍',
];

/**
 * The start of a cluster envelope of `@arcade/ws` in its text form: version, kind and flags, then a
 * 32-bit header length whose high bytes are NUL, then the header JSON.
 */
const ENVELOPE_HEADER = '{"s":"conformance-suite"}';
const ENVELOPE_TEXT_PREFIX = `\u0001\u0001\u0001\u0000\u0000\u0000${String.fromCharCode(ENVELOPE_HEADER.length)}${ENVELOPE_HEADER}`;
/** 64 UTF-16 code units of text with NUL, line breaks and characters of 2, 3 and 4 UTF-8 bytes. */
const TEXT_CHUNK = 'chat message: héllo wörld, 你好 🌍\u0000\n{"json":"inside"} \\ "q" \t end.';

/**
 * Text shaped like an `@arcade/ws` envelope, `length` UTF-16 code units long (more bytes in UTF-8):
 * NUL bytes in its header, then text with NUL, unicode and JSON-looking parts. No surrogate pair is
 * cut: it is well-formed, as every string `@arcade/ws` sends.
 */
export function envelopeText(length: number): string {
  const body = length - ENVELOPE_TEXT_PREFIX.length;
  const chunks = Math.floor(body / TEXT_CHUNK.length);
  return ENVELOPE_TEXT_PREFIX + TEXT_CHUNK.repeat(chunks) + 'x'.repeat(body - chunks * TEXT_CHUNK.length);
}

/**
 * A `Buffer` of `length` bytes shaped like an `@arcade/ws` envelope in its binary form: the prefix
 * with NUL bytes, the header, then pseudo-random payload bytes (every value, 0 included).
 */
export function envelopeBytes(length: number): Buffer {
  const header = Buffer.from(ENVELOPE_HEADER);
  const prefix = Buffer.from([1, 1, 3, 0, 0, 0, header.length]);
  const payload = patternBytes(length - prefix.length - header.length);
  return Buffer.concat([prefix, header, payload]);
}
