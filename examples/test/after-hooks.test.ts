import { waitFor } from '@arcade/test-support';
import { WebSocketManager } from '@arcade/ws';
import { start } from '../src/after-hooks';
import { useExample } from './support/example';

describe('after-hooks', () => {
  const example = useExample(start);

  it('logs the connection metrics once the connection has closed', async () => {
    const client = await example().connect('/ws/monitored');
    const [id] = await waitFor(
      () => {
        const ids = WebSocketManager.getConnectedIds();
        return ids.length === 1 && ids;
      },
      { description: 'the connection to be registered' },
    );
    for (const text of ['a', 'b', 'c']) await client.send(text);
    await client.close();

    const entry = await example().logger.waitFor((candidate) => candidate.message === 'WebSocket closed');
    expect(entry.fields).toEqual({ connectionId: id, duration: expect.any(Number), messages: 3 });
    expect(
      example().logger.entries.filter((candidate) => candidate.message === 'WebSocket closed'),
    ).toHaveLength(1);
  });
});
