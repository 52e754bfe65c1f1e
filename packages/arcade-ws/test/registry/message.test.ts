import { encodeMessage } from '../../src/index';
import { decodeEnvelope, encodeEnvelope, senderMatcher } from '../../src/registry/envelope';

describe('encodeMessage', () => {
  it.each([
    ['a string as is', ['{"looks":"like json"}'], '{"looks":"like json"}'],
    ['an empty string as is', [''], ''],
    ['a number as JSON', [123], '123'],
    ['null as JSON', [null], 'null'],
    ['an object as JSON', [{ a: [1, 'b'] }], '{"a":[1,"b"]}'],
    ['an event and data as {event, data}', ['chat', { from: 'x' }], '{"event":"chat","data":{"from":"x"}}'],
    ['an event with a string payload', ['chat', '123'], '{"event":"chat","data":"123"}'],
  ] as Array<[string, [unknown] | [string, unknown], string]>)('encodes %s', (_label, args, expected) => {
    expect(encodeMessage(...args)).toBe(expected);
  });

  it('keeps bytes binary: Uint8Array, Buffer and ArrayBuffer', () => {
    const bytes = new Uint8Array([0, 1, 255]);
    expect(encodeMessage(bytes)).toBe(bytes);
    expect(encodeMessage(Buffer.from([7]))).toEqual(Buffer.from([7]));
    expect(encodeMessage(bytes.buffer)).toEqual(bytes);
  });

  it('refuses a value JSON cannot represent', () => {
    expect(() => encodeMessage(undefined)).toThrow(TypeError);
  });
});

describe('cluster envelope', () => {
  it.each([
    ['JSON-looking text', '{"a":1}'],
    ['an empty string', ''],
    ['unicode text', 'héllo 🎲 \u2028'],
    ['bytes', new Uint8Array([0, 1, 2, 255])],
    ['empty bytes', new Uint8Array(0)],
  ] as Array<
    [string, string | Uint8Array]
  >)('carries %s exactly, with its kind and header', (_label, payload) => {
    const decoded = decodeEnvelope(encodeEnvelope('room', { s: 'instance-a' }, payload));
    expect(decoded?.kind).toBe('room');
    expect(decoded?.header).toEqual({ s: 'instance-a' });
    expect(decoded?.payload).toEqual(payload);
    expect(typeof decoded?.payload).toBe(typeof payload);
  });

  it('ignores messages it did not write', () => {
    expect(decodeEnvelope('hello')).toBeUndefined();
    expect(decodeEnvelope(new Uint8Array([9, 9, 9]))).toBeUndefined();
    expect(decodeEnvelope(new Uint8Array([1, 1, 0, 0, 0, 0, 200]))).toBeUndefined();
  });
});

describe('senderMatcher', () => {
  it('recognises the sender id exactly, not a prefix of it', () => {
    const isMine = senderMatcher('abc');
    expect(isMine(encodeEnvelope('room', { s: 'abc' }, 'x'))).toBe(true);
    expect(isMine(encodeEnvelope('room', { x: ['1'], s: 'abc' } as { s: string }, 'x'))).toBe(true);
    expect(isMine(encodeEnvelope('room', { s: 'abcd' }, 'x'))).toBe(false);
    expect(isMine(encodeEnvelope('room', { s: 'ab' }, 'x'))).toBe(false);
    expect(isMine('{"s":"abc"}')).toBe(false);
  });
});
