import { getRoomMembers } from '@arcade/ws';
import { start } from '../src/stream-viewers';
import { nextOfType, type RunningExample, useExample } from './support/example';

interface ViewerUpdate {
  type: 'viewer_update';
  viewerCount: number;
  newViewer: string;
}

/** Opens a viewer of `streamId`; resolves its id, from the viewer_update it receives about itself. */
async function watch(example: RunningExample, streamId: string) {
  const { client, first } = await example.connectFor<ViewerUpdate>(`/ws/stream/${streamId}`, 'viewer_update');
  return { client, id: first.newViewer, update: first };
}

describe('stream-viewers', () => {
  const example = useExample(start);

  it('counts the viewers of a stream and tells every viewer about a new one', async () => {
    const first = await watch(example(), '42');
    expect(first.update.viewerCount).toBe(1);
    const second = await watch(example(), '42');
    expect(second.update.viewerCount).toBe(2);
    expect(await first.client.nextJson()).toEqual(second.update);
    expect([...(await getRoomMembers('stream:42'))].sort()).toEqual([first.id, second.id].sort());
  });

  it('sends chat and reactions to the viewers of that stream only', async () => {
    const first = await watch(example(), '42');
    const second = await watch(example(), '42');
    const elsewhere = await watch(example(), '7');
    await nextOfType(first.client, 'viewer_update'); // about the second viewer

    await first.client.send(JSON.stringify({ type: 'chat', username: 'ada', text: 'great stream' }));
    await second.client.send(JSON.stringify({ type: 'reaction', reaction: '🎉' }));
    for (const { client } of [first, second]) {
      expect(await client.nextJson()).toEqual({
        type: 'stream_chat',
        from: 'ada',
        message: 'great stream',
        timestamp: expect.any(String),
      });
      expect(await client.nextJson()).toEqual({ type: 'viewer_reaction', reaction: '🎉', from: second.id });
    }
    // The viewer of stream 7 gets its own stream's chat first: nothing of stream 42 reached it.
    await elsewhere.client.send(JSON.stringify({ type: 'chat', username: 'lin', text: 'hello 7' }));
    expect(await elsewhere.client.nextJson()).toMatchObject({ type: 'stream_chat', from: 'lin' });
  });
});
