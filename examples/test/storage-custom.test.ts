import { start } from '../src/storage-custom';
import { useExample } from './support/example';
import { expectRelayed, joinRelay } from './support/room-relay';

type Calls = Record<string, number>;
const total = (calls: Calls) => Object.values(calls).reduce((sum, count) => sum + count, 0);

describe('storage-custom', () => {
  const example = useExample(start);

  it('runs the rooms on the custom CacheManager, which sees every storage call', async () => {
    const before = (await example().request('/api/storage/calls')).json<Calls>();
    const connect = (path: string) => example().connect(path);
    const alice = await joinRelay(connect, 'lobby');
    const bob = await joinRelay(connect, 'lobby');
    await expectRelayed(bob, 'stored elsewhere', [alice, bob]);

    const after = (await example().request('/api/storage/calls')).json<Calls>();
    expect(total(after)).toBeGreaterThan(total(before));
    const members = (await example().request('/api/rooms/lobby')).json<{ members: string[] }>().members;
    expect([...members].sort()).toEqual([alice.id, bob.id].sort());
  });
});
