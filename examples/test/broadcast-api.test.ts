import { start } from '../src/broadcast-api';
import { type RunningExample, useExample } from './support/example';

async function connect(example: RunningExample) {
  const { client, first } = await example.connectFor<{ type: 'welcome'; id: string }>('/ws', 'welcome');
  return { client, id: first.id };
}

describe('broadcast-api', () => {
  const example = useExample(start);

  it('POST /api/broadcast reaches every client and counts them', async () => {
    const alice = await connect(example());
    const bob = await connect(example());
    const answer = await example().post('/api/broadcast', { message: 'maintenance' });
    expect(answer.json()).toEqual({ sent: true, recipients: 2 });
    for (const { client } of [alice, bob]) {
      expect(await client.nextJson()).toEqual({
        event: 'broadcast',
        data: { message: 'maintenance', timestamp: expect.any(String) },
      });
    }
  });

  it('POST /api/message/:userId reaches that client only', async () => {
    const alice = await connect(example());
    const bob = await connect(example());
    const answer = await example().post(`/api/message/${bob.id}`, { text: 'psst' });
    expect(answer.json()).toEqual({ sent: true });
    expect(await bob.client.nextText()).toBe('{"event":"private-message","data":{"text":"psst"}}');
    // Alice's next frame is a later broadcast: the private message never reached her.
    await example().post('/api/broadcast', { message: 'after' });
    expect(await alice.client.nextJson()).toMatchObject({ event: 'broadcast', data: { message: 'after' } });
  });

  it('answers 404 for a user who is not connected, and 400 for a body that is not JSON', async () => {
    const missing = await example().post('/api/message/nobody', { text: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ error: { statusCode: 404, message: 'User not connected' } });
    const bad = await example().request('/api/broadcast', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(bad.status).toBe(400);
  });
});
