import { Cluster, type ClusterInstance, type Outcome } from '../support/cluster';
import { waitFor } from '../support/poll';
import { keysMentioning } from '../support/tracking-cache';

// DESIGN guarantee 6: Redis going away does not crash an instance, and it recovers by itself.
jest.setTimeout(90_000);

interface ConnectionJson {
  id: string;
  rooms: string[];
}

// DESIGN: calls that need Redis fail within 5 s; when Redis is back, recovery takes at most 5 s.
const failBoundMs = 5000;
const recoveryBoundMs = 5000;
// Head room for a loaded machine on top of the DESIGN bounds (process scheduling, HTTP round trip).
const slackMs = 3000;

let cluster: Cluster;

beforeEach(async () => {
  cluster = await Cluster.start({ instances: 2, leaseMs: 2000 });
});

afterEach(() => cluster?.close());

function expectUnavailable(outcome: Outcome, call: string): void {
  expect({ call, ok: outcome.ok }).toEqual({ call, ok: false });
  if (outcome.ok) return;
  expect({ call, name: outcome.error.name }).toEqual({ call, name: 'StorageUnavailableError' });
  expect(outcome.error.code).toBe('STORAGE_UNAVAILABLE');
  expect(outcome.elapsedMs).toBeLessThanOrEqual(failBoundMs + slackMs);
}

it('keeps local delivery during a Redis outage and resumes cross-instance delivery after a restart', async () => {
  const [a, b] = cluster.instances as [ClusterInstance, ClusterInstance];
  const [a1, a2] = await a.connectMany(2);
  const [b1] = await b.connectMany(1);
  for (const connected of [a1!, a2!, b1!]) await a.call('joinRoom', connected.id, 'room');
  await b.call('emitToRoom', 'room', 'before');
  for (const connected of [a1!, a2!, b1!]) expect(await connected.client.nextText()).toBe('before');

  await cluster.redis.kill();

  // Local delivery goes on: a room emit reaches the local members whatever the call answers.
  const roomEmit = await a.settle('emitToRoom', 'room', 'during outage');
  if (!roomEmit.ok) expectUnavailable(roomEmit, 'emitToRoom');
  expect(await a1!.client.nextText()).toBe('during outage');
  expect(await a2!.client.nextText()).toBe('during outage');
  expect(await a.call('emitTo', a1!.id, 'direct')).toBe(true);
  expect(await a1!.client.nextText()).toBe('direct');
  await a2!.client.send('echo during outage');
  expect(await a2!.client.nextText()).toBe('echo during outage');

  // Calls that need Redis fail with StorageUnavailableError, in bounded time.
  const needRedis: Array<[string, unknown[]]> = [
    ['getAllConnections', []],
    ['getRoomMembers', ['room']],
    ['joinRoom', [a1!.id, 'other']],
    ['emitToConnection', [b1!.id, 'x']],
    ['updateConnectionMetadata', [b1!.id, { x: 1 }]],
  ];
  const outcomes = await Promise.all(needRedis.map(([fn, args]) => a.settle(fn, ...args)));
  for (const [index, outcome] of outcomes.entries()) expectUnavailable(outcome, needRedis[index]![0]);
  expect(a.isRunning && b.isRunning).toBe(true);

  await cluster.redis.restart();

  // Cross-instance delivery resumes by itself: keep emitting until one reaches B.
  let round = 0;
  await waitFor(
    async () => {
      await a.settle('emitToRoom', 'room', `resumed ${round++}`);
      return b1!.client.history.some((frame) => frame.text.startsWith('resumed '));
    },
    {
      description: 'cross-instance delivery to resume',
      timeoutMs: recoveryBoundMs + slackMs,
      intervalMs: 100,
    },
  );

  // Each instance rewrote its own connections and memberships into the empty Redis.
  const everyone = [a1!.id, a2!.id, b1!.id].sort();
  await waitFor(
    async () => {
      const members = await b.call<string[]>('getRoomMembers', 'room');
      const all = await a.call<ConnectionJson[]>('getAllConnections');
      return [...members].sort().join() === everyone.join() && all.length === 3;
    },
    { description: 'storage to be rewritten', timeoutMs: recoveryBoundMs + slackMs, intervalMs: 100 },
  );
  expect(await b.call<ConnectionJson>('getConnectionInfo', a1!.id)).toMatchObject({ rooms: ['room'] });
  // Each instance rewrote its own lease too: both are named in the restarted, empty Redis.
  const inspector = await cluster.inspector();
  await waitFor(
    async () => {
      const stored = await inspector.snapshot();
      return [a, b].every((instance) => keysMentioning(stored, [instance.instanceId]).length > 0);
    },
    { description: 'both leases to be rewritten', timeoutMs: recoveryBoundMs + slackMs },
  );

  // Remote operations work again.
  expect(await a.call('joinRoom', b1!.id, 'after')).toBe(true);
  await a.call('emitToRoom', 'after', 'after restart');
  expect(await b1!.client.nextText((frame) => !frame.text.startsWith('resumed '))).toBe('after restart');
  expect(await a.call('emitToConnection', b1!.id, 'direct again')).toBe(true);
  expect(await b1!.client.nextText('direct again')).toBe('direct again');
  expect(a.isRunning && b.isRunning).toBe(true);
});

it('serves connections opened during an outage, forgets the ones closed during it, once Redis is back', async () => {
  const [a, b] = cluster.instances as [ClusterInstance, ClusterInstance];
  const [survivor] = await b.connectMany(1);
  const [leaving] = await a.connectMany(1);
  await a.call('joinRoom', leaving!.id, 'room');

  await cluster.redis.kill();
  await leaving!.client.close();
  // A connection opened during the outage is served locally.
  const late = await a.connect();
  await late.client.send('echo');
  expect(await late.client.nextText()).toBe('echo');
  await waitFor(async () => !(await a.info()).localConnectionIds.includes(leaving!.id), {
    description: 'A to drop the closed connection locally',
  });
  await cluster.redis.restart();

  const expected = [survivor!.id, late.id].sort();
  await waitFor(
    async () => {
      const all = await b.call<ConnectionJson[]>('getAllConnections');
      return (
        all
          .map((info) => info.id)
          .sort()
          .join() === expected.join()
      );
    },
    {
      description: 'the registry to hold exactly the live connections',
      timeoutMs: recoveryBoundMs + slackMs,
    },
  );
  expect(await b.call('emitToConnection', late.id, 'found you')).toBe(true);
  expect(await late.client.nextText()).toBe('found you');
  expect(await b.call('getRoomMembers', 'room')).toEqual([]);
  expect(a.isRunning && b.isRunning).toBe(true);
});
