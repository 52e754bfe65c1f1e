import { encodeMessage } from '../../src/index';
import { decodeEnvelope, encodeEnvelope, SenderEnvelopes, senderMatcher } from '../../src/registry/envelope';

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

  it.each([
    ['a text payload and a short ASCII header', 'string', { s: 'a' }, 'héllo'],
    ['no payload', 'string', { s: 'a' }, undefined],
    ['a binary payload', 'bytes', { s: 'a' }, new Uint8Array([1])],
    ['a header with non-ASCII text', 'bytes', { s: 'a', x: ['é'] }, 'text'],
    ['a header of 127 bytes', 'string', { s: 'a', x: ['i'.repeat(109)] }, 'text'],
    ['a header of 128 bytes', 'bytes', { s: 'a', x: ['i'.repeat(110)] }, 'text'],
  ] as Array<
    [string, string, { s: string }, string | Uint8Array | undefined]
  >)('with %s, is published as %s, whose bytes are the binary layout', (_label, form, header, payload) => {
    const message = encodeEnvelope('request', header, payload);
    expect(typeof message === 'string' ? 'string' : 'bytes').toBe(form);
    const expected = { kind: 'request', header, payload };
    expect(decodeEnvelope(message)).toEqual(expected);
    // What an adapter puts on the wire for a string is its UTF-8 bytes: the same envelope.
    if (typeof message === 'string') expect(decodeEnvelope(Buffer.from(message, 'utf8'))).toEqual(expected);
  });

  it('ignores messages it did not write', () => {
    expect(decodeEnvelope('hello')).toBeUndefined();
    expect(decodeEnvelope(new Uint8Array([9, 9, 9]))).toBeUndefined();
    expect(decodeEnvelope(new Uint8Array([1, 1, 0, 0, 0, 0, 200]))).toBeUndefined();
    expect(decodeEnvelope('\x01\x01\x01\x00\x00\x00\x50{"s":"a"}')).toBeUndefined(); // header past the end
    expect(decodeEnvelope('\x01\x01\x03\x00\x00\x00\x09{"s":"a"}x')).toBeUndefined(); // binary flag in text
    expect(decodeEnvelope('\x01\x01\x01\x00\x01\x00\x09{"s":"a"}x')).toBeUndefined(); // long-header form
    expect(decodeEnvelope('\x01\x09\x01\x00\x00\x00\x09{"s":"a"}x')).toBeUndefined(); // unknown kind
    expect(decodeEnvelope('\x01\x01\x01\x00\x00\x00\x09{"s":1}xyz')).toBeUndefined(); // no sender
  });
});

describe('SenderEnvelopes', () => {
  it('frames a header of just the sender as encodeEnvelope does, and knows its own messages', () => {
    const envelopes = new SenderEnvelopes('abc');
    for (const payload of ['text', '', new Uint8Array([0, 255]), undefined]) {
      const message = envelopes.plain('broadcast', payload);
      expect(message).toEqual(encodeEnvelope('broadcast', { s: 'abc' }, payload));
      expect(envelopes.isOwn(message)).toBe(true);
      expect(new SenderEnvelopes('ab').isOwn(message)).toBe(false);
    }
  });
});

describe('senderMatcher', () => {
  it('recognises the sender id exactly, not a prefix of it', () => {
    const isMine = senderMatcher('abc');
    expect(isMine(encodeEnvelope('room', { s: 'abc' }, 'x'))).toBe(true);
    expect(isMine(encodeEnvelope('room', { x: ['1'], s: 'abc' } as { s: string }, 'x'))).toBe(true);
    expect(isMine(encodeEnvelope('room', { s: 'abcd' }, 'x'))).toBe(false);
    expect(isMine(encodeEnvelope('room', { s: 'ab' }, 'x'))).toBe(false);
    expect(isMine(encodeEnvelope('room', { s: 'abc' }, new Uint8Array([1])))).toBe(true);
    expect(isMine(encodeEnvelope('room', { s: 'abcd' }, new Uint8Array([1])))).toBe(false);
    expect(isMine('{"s":"abc"}')).toBe(false);
    expect(isMine(Buffer.from('{"s":"abc"}'))).toBe(false);
  });
});
