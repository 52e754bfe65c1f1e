import { start } from '../src/echo';
import { useExample } from './support/example';

describe('echo', () => {
  const example = useExample(start);

  it('welcomes each client with its own id and echoes its messages in order', async () => {
    const client = await example().connect('/ws');
    const welcome = await client.nextText();
    expect(welcome).toMatch(/^Welcome! Your ID is [A-Za-z0-9_-]{10,}$/);
    const other = await example().connect('/ws');
    expect(await other.nextText()).not.toBe(welcome);

    await client.send('hello');
    await client.send('world');
    expect(await client.nextText()).toBe('Echo: hello');
    expect(await client.nextText()).toBe('Echo: world');
  });

  it('echoes binary frames as the same bytes', async () => {
    const client = await example().connect('/ws');
    await client.nextText();
    await client.send(new Uint8Array([0, 1, 254, 255]));
    const frame = await client.next();
    expect(frame.isBinary).toBe(true);
    expect([...frame.data]).toEqual([0, 1, 254, 255]);
  });

  it('logs the disconnection', async () => {
    const client = await example().connect('/ws');
    const id = (await client.nextText()).replace('Welcome! Your ID is ', '');
    await client.close();
    await example().logger.waitFor((entry) => entry.message === `Client ${id} disconnected`);
  });

  it('answers a plain HTTP request to the WebSocket route with 426', async () => {
    expect((await example().request('/ws')).status).toBe(426);
  });
});
