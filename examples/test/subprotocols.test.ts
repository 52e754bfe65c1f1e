import { expectUpgradeRefused } from '@arcade/test-support';
import { start } from '../src/subprotocols';
import { useExample } from './support/example';

describe('subprotocols', () => {
  const example = useExample(start);

  it('negotiates chat-v1 when the client offers it, and speaks it', async () => {
    const client = await example().connect('/ws/protocol', { protocols: ['chat-v0', 'chat-v1'] });
    expect(client.protocol).toBe('chat-v1');
    await client.send(JSON.stringify({ text: 'hi' }));
    expect(await client.nextJson()).toEqual({ type: 'ack', protocol: 'chat-v1', text: 'hi' });
    await client.send('not json');
    expect(await client.nextJson()).toMatchObject({ type: 'error' });
  });

  it.each([[[]], [['chat-v2']]])('refuses the upgrade with 400 when offered %j', async (protocols) => {
    const refused = await expectUpgradeRefused(example().wsUrl('/ws/protocol'), { protocols });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toEqual({ error: { statusCode: 400, message: 'Unsupported protocol' } });
  });
});
