import type { TestClient } from '@arcade/test-support';
import { start } from '../src/chat';
import { type RunningExample, useExample } from './support/example';

interface Event<T = Record<string, unknown>> {
  event: string;
  data: T;
}

/** Connects, and reads the users list and the client's own id (its own user-joined, just before). */
async function join(example: RunningExample): Promise<{ client: TestClient; id: string; users: string[] }> {
  const { client, first } = await example.connectFor<{ type: 'users-list'; users: string[] }>(
    '/ws/chat',
    'users-list',
  );
  const joined = await client.nextJson<Event<{ userId: string }>>((value) => value.event === 'user-joined');
  return { client, id: joined.data.userId, users: first.users };
}

describe('chat (onConnect)', () => {
  const example = useExample(start);

  it('announces each newcomer to everyone and sends it the users list', async () => {
    const alice = await join(example());
    expect(alice.users).toEqual([alice.id]);
    const bob = await join(example());
    expect([...bob.users].sort()).toEqual([alice.id, bob.id].sort());
    expect(await alice.client.nextJson((value) => value.event === 'user-joined')).toEqual({
      event: 'user-joined',
      data: { userId: bob.id },
    });
  });

  it('broadcasts every message to every client', async () => {
    const alice = await join(example());
    const bob = await join(example());
    await bob.client.send('hi all');
    for (const receiver of [alice, bob]) {
      const frame = await receiver.client.nextJson<Event>((value) => value.event === 'chat');
      expect(frame.data).toEqual({ from: bob.id, message: 'hi all', timestamp: expect.any(String) });
    }
  });
});
