import { TestClient } from '@arcade/test-support';
import { startServer, type TestServer } from '../support/server';
import { ProtocolClient } from './support/protocol-client';
import { defineTestRoutes, type Observed } from './support/test-events';

// The route's rate limit on the events protocol (docs/events-protocol.md, "Rate limit"): a dropped
// request, join or leave is answered RATE_LIMITED instead of leaving its caller to time out, a ping
// still gets its pong, and a run of dropped events is answered once.

let server: TestServer;
let observed: Observed;
let client: ProtocolClient;

beforeEach(async () => {
  observed = { calls: [] };
  server = await startServer((app) => defineTestRoutes(app, observed), {
    serverOptions: { webSocket: { rateLimit: { messages: 3, perMs: 3_600_000, onExceed: 'drop' } } },
  });
  client = await ProtocolClient.connect(server.wsUrl('/events'));
});

afterEach(async () => {
  await TestClient.terminateAll();
  await server.close();
});

/** The next frame is the pong of a ping sent now: nothing was answered in between. */
async function expectNothingElseBeforePong(): Promise<void> {
  await client.send({ t: 'ping' });
  expect(await client.client.nextText()).toBe('{"t":"pong"}');
}

it('answers what the limit dropped: requests, joins and leaves by id, a run of events once, pings always', async () => {
  expect(await client.request('add', { a: 1, b: 2 })).toMatchObject({ t: 'res', data: 3 });
  await client.emit('say', { text: 'in time' });
  expect(await client.client.nextJson()).toEqual({ event: 'said', data: { text: 'in time' } });
  expect(await client.request('add', { a: 2, b: 2 })).toMatchObject({ t: 'res', data: 4 });

  const limited = { t: 'err', code: 'RATE_LIMITED', message: expect.stringContaining('rate limit') };
  expect(await client.request('add', { a: 3, b: 3 })).toEqual({ ...limited, id: 3 });
  expect(await client.join('lobby')).toEqual({ ...limited, id: 4 });
  expect(await client.leave('lobby')).toEqual({ ...limited, id: 5 });
  await client.emit('say', { text: 'too late' });
  expect(await client.nextError()).toEqual({ ...limited, event: 'say' });
  await client.emit('say', { text: 'later still' });
  await client.emit('poke');
  await expectNothingElseBeforePong();
  expect(observed.calls).toEqual([['say', { text: 'in time' }]]);
  expect(client.client.isOpen).toBe(true);
  expect(server.logger.entries.filter((entry) => entry.message.includes('rate limit'))).toHaveLength(1);
});

it('drops a frame that is not a protocol frame unanswered while over the limit', async () => {
  for (const a of [1, 2, 3]) expect(await client.request('add', { a, b: 0 })).toMatchObject({ data: a });
  await client.client.send('not json');
  await client.send({ t: 'nonsense', id: 9 });
  await expectNothingElseBeforePong();
});
