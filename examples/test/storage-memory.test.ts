import { start } from '../src/storage-memory';
import { useExample } from './support/example';
import { expectRelayed, joinRelay } from './support/room-relay';

describe('storage-memory', () => {
  const example = useExample(start);

  it('keeps rooms in memory: a message reaches every member of its room only', async () => {
    const connect = (path: string) => example().connect(path);
    const alice = await joinRelay(connect, 'lobby');
    const bob = await joinRelay(connect, 'lobby');
    const carol = await joinRelay(connect, 'kitchen');
    await expectRelayed(alice, 'hello lobby', [alice, bob]);
    await expectRelayed(carol, 'hello kitchen', [carol]);
    expect(bob.client.unconsumed).toEqual([]);

    const members = (await example().request('/api/rooms/lobby')).json<{ members: string[] }>().members;
    expect([...members].sort()).toEqual([alice.id, bob.id].sort());
  });
});
