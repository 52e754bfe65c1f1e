import type { Frame } from '@arcade/test-support';

/** What a message must look like on the wire: a text frame, or a binary frame with these bytes. */
export type ExpectedFrame = { readonly text: string } | { readonly bytes: readonly number[] };

/**
 * The one emit rule (docs/design.md, "Emits, rooms and connections"), case by case: `(target, message)`
 * sends `message` as is (string -> text, bytes -> binary, anything else `JSON.stringify`).
 */
export const messageCases: ReadonlyArray<[label: string, message: unknown, expected: ExpectedFrame]> = [
  ['a numeric string', '123', { text: '123' }],
  ['an empty string', '', { text: '' }],
  ['a JSON-looking object string', '{"a":1}', { text: '{"a":1}' }],
  ['a JSON-looking quoted string', '"quoted"', { text: '"quoted"' }],
  ['a JSON-looking array string', '[1,2]', { text: '[1,2]' }],
  ['the string null', 'null', { text: 'null' }],
  ['the string true', 'true', { text: 'true' }],
  ['unicode text', 'héllo 世界 🎉 \u0000 \u2028', { text: 'héllo 世界 🎉 \u0000 \u2028' }],
  ['a Uint8Array', new Uint8Array([0, 1, 254, 255]), { bytes: [0, 1, 254, 255] }],
  ['a Buffer', Buffer.from('{"a":1}'), { bytes: [...Buffer.from('{"a":1}')] }],
  ['an empty Uint8Array', new Uint8Array(0), { bytes: [] }],
  ['a number', 123, { text: '123' }],
  ['null', null, { text: 'null' }],
  ['a boolean', false, { text: 'false' }],
  ['an object', { a: 1, b: ['x'] }, { text: '{"a":1,"b":["x"]}' }],
  ['an array', [1, '2'], { text: '[1,"2"]' }],
];

/** `(target, event, data)` sends the text `JSON.stringify({ event, data })`. */
export const eventCases: ReadonlyArray<[label: string, event: string, data: unknown, text: string]> = [
  ['object data', 'chat', { m: 'hi' }, '{"event":"chat","data":{"m":"hi"}}'],
  ['string data', 'chat', '123', '{"event":"chat","data":"123"}'],
  ['empty string data', 'chat', '', '{"event":"chat","data":""}'],
  ['null data', 'chat', null, '{"event":"chat","data":null}'],
  ['unicode event', 'ünï', '🎉', '{"event":"ünï","data":"🎉"}'],
];

/** Asserts that a received frame is exactly the expected one (kind and bytes). */
export function expectFrame(frame: Frame, expected: ExpectedFrame): void {
  if ('text' in expected) {
    expect({ isBinary: frame.isBinary, text: frame.text }).toEqual({ isBinary: false, text: expected.text });
  } else {
    expect({ isBinary: frame.isBinary, bytes: [...frame.data] }).toEqual({
      isBinary: true,
      bytes: expected.bytes,
    });
  }
}
