import type { Writable } from 'node:stream';
import * as ws from 'ws';
import { PreparedFrame } from '../../src/transport/prepared-frame';

// ws exports its frame parser at runtime; @types/ws does not declare it.
const { Receiver } = ws as unknown as {
  Receiver: new (options: { isServer: boolean; maxPayload: number }) => Writable;
};

/** Parses frames the way a client does, with ws's own Receiver (as a client: unmasked frames). */
function parse(frame: PreparedFrame): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false, maxPayload: 0 });
    receiver.on('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary }));
    receiver.on('error', reject);
    receiver.write(frame.bytes);
  });
}

describe('PreparedFrame', () => {
  it.each([
    0, 1, 125, 126, 65_535, 65_536, 200_000,
  ])('frames a %i-byte binary message that a client parses back byte for byte', async (size) => {
    const payload = Uint8Array.from({ length: size }, (_, index) => index % 251);
    const frame = PreparedFrame.from(payload);
    const parsed = await parse(frame);
    expect(parsed.isBinary).toBe(true);
    expect(Buffer.compare(parsed.data, Buffer.from(payload))).toBe(0);
    expect(frame.byteLength).toBe(frame.bytes.length);
  });

  it.each([
    '',
    'hello',
    '{"looks":"like json"}',
    '123',
    'héllo wörld ✓ 🎮',
    'x'.repeat(70_000),
  ])('frames the string %j as a text frame holding its UTF-8 bytes', async (text) => {
    const parsed = await parse(PreparedFrame.from(text));
    expect(parsed.isBinary).toBe(false);
    expect(parsed.data.toString('utf8')).toBe(text);
  });

  it('uses the shortest RFC 6455 length encoding', () => {
    expect(PreparedFrame.from('a'.repeat(125)).byteLength).toBe(2 + 125);
    expect(PreparedFrame.from('a'.repeat(126)).byteLength).toBe(4 + 126);
    expect(PreparedFrame.from('a'.repeat(65_536)).byteLength).toBe(10 + 65_536);
  });

  it('frames a Buffer as binary and copies it, so later changes to the source do not leak', async () => {
    const source = Buffer.from([1, 2, 3]);
    const frame = PreparedFrame.from(source);
    source[0] = 9;
    const parsed = await parse(frame);
    expect([...parsed.data]).toEqual([1, 2, 3]);
  });

  it('refuses a value that is neither a string nor bytes', () => {
    expect(() => PreparedFrame.from(42 as unknown as string)).toThrow(TypeError);
  });
});
