import { type RedisTestServer, startRedisServer } from '@arcade/cache-redis/testing';
import {
  ConnectFailedError,
  ConnectionLostError,
  SubprotocolRefusedError,
  TerminalCloseError,
} from '../../src/index';
import { e2eClient } from './support/e2e-client';
import { VALID_TOKEN } from './support/e2e-events';
import { Instance } from './support/instance';
import { proxyTo, urlThrough } from './support/network';
import { closeEverything } from './support/teardown';

// Every reconnection rule of the client (README, "Reconnection") against real @arcade/ws servers: a
// restarted server, a cut network (a TCP proxy between client and server), a silent network, a params
// provider that throws, a terminal close from onConnect, and a drain during a rolling deploy.

let redis: RedisTestServer;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterEach(closeEverything);

afterAll(() => redis.stop());

it('reconnects to a restarted server and rejoins its rooms by itself', async () => {
  const first = await Instance.start();
  const member = e2eClient(first.url());
  await member.join('news');
  await first.emitLines('news', 1, 2);
  await member.received('news', 2);

  const restarting = first.restart();
  expect(await member.nextStatus('reconnecting')).toMatchObject({ code: 1001 });
  const second = await restarting;
  // The private store went with the first server: the rejoin says what was kept is gone.
  expect(await member.nextJoin('news')).toEqual({
    room: 'news',
    info: { rejoin: true, recovered: false, position: null },
  });
  await second.emitLines('news', 3, 3);
  await member.received('news', 3);
  expect(member.numbersOf('news')).toEqual([1, 2, 3]);
  expect(second.app.localConnectionIds).toHaveLength(1);
});

it('reconnects after the network dropped the connection (1006) and recovers the room', async () => {
  const server = await Instance.start();
  const proxy = await proxyTo(server);
  const member = e2eClient(urlThrough(proxy));
  await member.join('news');
  const before = await member.client.request('whoami');

  proxy.cut();
  expect(await member.nextStatus('reconnecting')).toMatchObject({ code: 1006 });
  expect(await member.nextJoin('news')).toMatchObject({ info: { rejoin: true, recovered: true } });
  const after = await member.client.request('whoami');
  expect(after).not.toBe(before);
  expect(await server.app.getConnectionInfo(after)).toMatchObject({ rooms: new Set(['news']) });
});

it('replaces a connection the network silenced once its ping goes unanswered, and rejoins', async () => {
  const server = await Instance.start();
  const proxy = await proxyTo(server);
  const member = e2eClient(urlThrough(proxy), { pingIdleMs: 50, pongTimeoutMs: 50 });
  await member.join('news');
  const before = await member.client.request('whoami');

  proxy.freeze();
  expect(await member.nextStatus('reconnecting')).toMatchObject({
    code: null,
    reason: expect.stringContaining('no frame from the server'),
  });
  expect(await member.nextJoin('news')).toMatchObject({ info: { rejoin: true, recovered: true } });
  expect(await member.client.request('whoami')).not.toBe(before);
});

it('retries a params provider that threw, and the server sees the params of each connection', async () => {
  const server = await Instance.start();
  const proxy = await proxyTo(server);
  let calls = 0;
  const member = e2eClient(urlThrough(proxy), {
    params: () => {
      calls += 1;
      if (calls === 2) throw new Error('token service unavailable');
      return { user: 'ada', attempt: String(calls) };
    },
  });
  await member.join('news');

  proxy.cut();
  const failure = await member.errors.next();
  expect(failure).toBeInstanceOf(ConnectFailedError);
  expect(failure.message).toContain('token service unavailable');
  expect(await member.nextJoin('news')).toMatchObject({ info: { rejoin: true, recovered: true } });
  expect(server.seen.params).toEqual([
    { user: 'ada', attempt: '1' },
    { user: 'ada', attempt: '3' },
  ]);
});

it('stops on the 4401 of an onConnect that threw UnauthorizedException, and connect() starts again', async () => {
  const server = await Instance.start();
  let token = 'expired';
  const member = e2eClient(server.url('/guarded'), { params: () => ({ token }) });

  const closed = await member.nextStatus('closed');
  expect(closed.code).toBe(4401);
  expect(closed.error).toBeInstanceOf(TerminalCloseError);
  expect(closed.error).toMatchObject({ closeCode: 4401 });
  expect(await member.errors.next()).toBe(closed.error);
  // Not retried: no wait was scheduled, the server saw one upgrade, the client stays closed.
  expect(member.statuses.all.map((event) => event.status)).toEqual(['connecting', 'open', 'closed']);
  expect(server.seen.params).toEqual([{ token: 'expired' }]);
  expect(member.client.status).toBe('closed');

  token = VALID_TOKEN;
  member.client.connect();
  await member.nextStatus('open');
  await expect(member.client.request('add', { a: 1, b: 1 })).resolves.toBe(2);
  expect(server.seen.params).toEqual([{ token: 'expired' }, { token: VALID_TOKEN }]);
});

it('reconnects at once to another instance when its instance drains (1012), and recovers the room', async () => {
  const draining = await Instance.start({ redis: redis.url });
  const staying = await Instance.start({ redis: redis.url });
  // The load balancer: it sends the next connections to the instance that stays, as a deploy would.
  const balancer = await proxyTo(draining);
  // One failed attempt first: after it a backoff wait would be a draw in [0, 2 * minDelayMs); the wait
  // after a 1012 is a draw in [0, minDelayMs), whatever the failures before.
  balancer.block();
  const reconnect = { minDelayMs: 50, maxDelayMs: 1000, stableAfterMs: 60_000 };
  const member = e2eClient(urlThrough(balancer), { reconnect, random: () => 0.99 });
  expect(await member.nextStatus('reconnecting')).toMatchObject({ delayMs: 49 });
  balancer.restore();
  await member.join('deploy');
  await draining.emitLines('deploy', 1, 2);
  await member.received('deploy', 2);

  balancer.retarget(staying.port);
  const drained = draining.drain();
  const restart = await member.nextStatus('reconnecting');
  expect(restart).toMatchObject({ code: 1012 });
  expect(restart.delayMs).toBeLessThan(reconnect.minDelayMs);
  expect(await member.nextJoin('deploy')).toMatchObject({ info: { rejoin: true, recovered: true } });
  await drained;
  expect(staying.app.localConnectionIds).toHaveLength(1);
  await staying.emitLines('deploy', 3, 3);
  await member.received('deploy', 3);
  expect(member.numbersOf('deploy')).toEqual([1, 2, 3]);
  expect(await staying.historyOf('deploy')).toEqual([1, 2, 3]);
});

it('rejects a request in flight when the connection drops with ConnectionLostError; the next one goes out', async () => {
  const server = await Instance.start();
  const proxy = await proxyTo(server);
  const member = e2eClient(urlThrough(proxy));
  await member.nextStatus('open');
  const inFlight = member.client.request('hang');
  proxy.cut();
  await expect(inFlight).rejects.toBeInstanceOf(ConnectionLostError);
  await expect(member.client.request('add', { a: 2, b: 3 })).resolves.toBe(5);
});

it('stops with SubprotocolRefusedError on a route that does not speak the events protocol', async () => {
  const server = await Instance.start();
  const member = e2eClient(server.url('/raw'));
  const closed = await member.nextStatus('closed');
  expect(closed.error).toBeInstanceOf(SubprotocolRefusedError);
  expect(closed.error?.message).toContain('handleEvents');
  expect(member.statuses.all.map((event) => event.status)).toEqual(['connecting', 'closed']);
});
