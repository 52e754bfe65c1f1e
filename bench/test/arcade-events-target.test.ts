import { waitFor } from '@arcade/test-support';
import { BenchClient } from '../src/load/bench-client';
import { runEcho } from '../src/load/echo';
import { runFanout } from '../src/load/fanout';
import { TARGETS } from '../src/processes';
import { startArcade } from '../src/targets/arcade-server';
import type { RunningTarget } from '../src/targets/serve';
import { collector } from './support/collector';

// The `arcade-events` target's server, in this process (one per test file: it runs on the default app),
// with the environment its target entry gives it.
describe('the arcade-events target and the events dialect of the load generator', () => {
  let server: RunningTarget;
  const clients: BenchClient[] = [];
  beforeAll(async () => {
    server = await startArcade(TARGETS['arcade-events'].env);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(() => server.close());

  const open = async (path: string, listener = collector().listener): Promise<BenchClient> => {
    const client = await BenchClient.open(server.port, path, TARGETS['arcade-events'].dialect, listener);
    clients.push(client);
    return client;
  };

  it('re-emits an `m` event to the members of the room in the URL, and to no other room', async () => {
    const [a, b, other] = [collector(), collector(), collector()];
    const publisher = await open('/ws/bench/r1', a.listener);
    await open('/ws/bench/r1', b.listener);
    await open('/ws/bench/r2', other.listener);
    // The server joins in onConnect, which it awaits before the first frame: no probe needed here.
    publisher.send('m,1,2,3,xxxx');
    await waitFor(() => a.texts.length === 1 && b.texts.length === 1, {
      description: 'the event on both members of r1',
    });
    expect([a.texts, b.texts]).toEqual([['m,1,2,3,xxxx'], ['m,1,2,3,xxxx']]);
    publisher.send('m,1,3,4,xxxx');
    await waitFor(() => a.texts.length === 2, { description: 'the second event' });
    expect(other.texts).toEqual([]);
  });

  it('answers each `echo` request with a `res` frame whose payload the listener gets', async () => {
    const replies = collector();
    const client = await open('/ws/echo', replies.listener);
    // Ids grow past one digit: the reply's payload is found after the id, whatever its length.
    const sent = Array.from({ length: 12 }, (_, i) => `e,0,${i},5,${'x'.repeat(i)}`);
    for (const payload of sent) client.request(payload);
    await waitFor(() => replies.texts.length === sent.length, { description: 'every reply' });
    expect(replies.texts).toEqual(sent);
  });

  it('is refused to a client that does not offer the subprotocol', async () => {
    await expect(BenchClient.open(server.port, '/ws/echo', 'raw', () => undefined)).rejects.toThrow(
      'upgrade to /ws/echo refused: HTTP/1.1 400',
    );
  });

  it('carries the fan-out load with every delivery counted', async () => {
    const metrics = await runFanout({
      kind: 'fanout',
      endpoints: [{ port: server.port, dialect: 'events' }],
      serverPids: [process.pid],
      sidePids: [],
      rooms: 2,
      membersPerRoom: 5,
      window: 4,
      payloadBytes: 48,
      warmupMs: 50,
      durationMs: 300,
      connectConcurrency: 5,
    });
    expect(metrics.lostDeliveries).toBe(0);
    expect(metrics.measuredMessages).toBeGreaterThan(0);
    expect(metrics.deliveredPerSec).toBeGreaterThan(0);
  });

  it('carries the echo load on requests, every reply counted for its server', async () => {
    const [metrics] = await runEcho({
      kind: 'echo',
      servers: [{ port: server.port, dialect: 'events', pid: process.pid }],
      connections: 4,
      route: 'echo',
      rate: 400,
      payloadBytes: 48,
      warmupMs: 50,
      durationMs: 300,
      slices: 2,
      connectConcurrency: 4,
    });
    expect(metrics!.lost).toBe(0);
    expect(metrics!.sentPerSec).toBeGreaterThan(0);
    expect(metrics!.rttP99Ms).toBeGreaterThanOrEqual(metrics!.rttP50Ms!);
  });
});
