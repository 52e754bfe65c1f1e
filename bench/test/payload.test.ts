import { type DecodedPayload, decodePayload, encodePayload, KIND_MEASURED } from '../src/load/payload';

const decode = (text: string): DecodedPayload | undefined => {
  const out: DecodedPayload = { kind: 0, owner: 0, seq: 0, sentMicros: 0 };
  const buffer = Buffer.from(`junk${text}junk`, 'latin1');
  return decodePayload(buffer, 4, 4 + text.length, out) ? out : undefined;
};

describe('bench payloads', () => {
  it('pads a payload to the requested size with characters that need no JSON escaping', () => {
    const payload = encodePayload('m', 3, 17, 64);
    expect(payload).toHaveLength(64);
    expect(JSON.stringify(payload)).toBe(`"${payload}"`);
  });

  it('decodes what it encodes, in place inside a larger buffer', () => {
    const decoded = decode(encodePayload('m', 9, 123456, 64));
    expect(decoded).toMatchObject({ kind: KIND_MEASURED, owner: 9, seq: 123456 });
    expect(decoded?.sentMicros).toBeGreaterThan(0);
  });

  it('rejects text that is not a bench payload', () => {
    expect(decode('hello world')).toBeUndefined();
    expect(decode('m,1,2')).toBeUndefined();
    expect(decode('m,1,x,3,padding')).toBeUndefined();
  });
});
