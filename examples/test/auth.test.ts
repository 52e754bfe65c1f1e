import { expectUpgradeRefused } from '@arcade/test-support';
import { WebSocketManager } from '@arcade/ws';
import { start } from '../src/auth';
import { useExample } from './support/example';

describe('auth', () => {
  const example = useExample(start);

  it('accepts a token in the Authorization header and gives the handler the user', async () => {
    const client = await example().connect('/ws/private', { headers: { authorization: 'token-alice' } });
    expect(await client.nextText()).toBe('Welcome Alice!');
    await client.send('whoami');
    expect(await client.nextText()).toBe('Alice');
    const [id] = WebSocketManager.getConnectedIds();
    expect(WebSocketManager.getConnectionData(id!)).toEqual({ user: { name: 'Alice' } });
  });

  it('accepts a token in the auth-token cookie', async () => {
    const client = await example().connect('/ws/private', {
      headers: { cookie: 'theme=dark; auth-token=token-bob' },
    });
    expect(await client.nextText()).toBe('Welcome Bob!');
  });

  it.each([
    ['no token', {}],
    ['an unknown token', { authorization: 'token-mallory' }],
  ])('refuses the upgrade with 401 given %s', async (_case, headers) => {
    const refused = await expectUpgradeRefused(example().wsUrl('/ws/private'), { headers });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toEqual({ error: { statusCode: 401, message: 'Unauthorized' } });
    expect(WebSocketManager.getConnectedIds()).toEqual([]);
  });
});
