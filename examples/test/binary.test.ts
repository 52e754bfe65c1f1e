import { start } from '../src/binary';
import { useExample } from './support/example';

describe('binary', () => {
  const example = useExample(start);

  it('sends five bytes on connect, echoes bytes as bytes and answers text with text', async () => {
    const client = await example().connect('/ws/binary');
    const hello = await client.next();
    expect(hello.isBinary).toBe(true);
    expect([...hello.data]).toEqual([1, 2, 3, 4, 5]);

    const bytes = new Uint8Array([0, 255, 128, 0x7b, 0x7d]);
    await client.send(bytes);
    const echoed = await client.next();
    expect(echoed.isBinary).toBe(true);
    expect(Buffer.compare(echoed.data, Buffer.from(bytes))).toBe(0);

    await client.send('hi');
    const text = await client.next();
    expect(text).toMatchObject({ isBinary: false, text: 'Received text: hi' });
  });
});
