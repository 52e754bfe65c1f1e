import type { TcpProxy } from '@arcade/test-support';
import { eventEmitter } from '@arcade/ws';
import type { EventMeta } from '../../src/index';
import { type E2eClient, e2eClient } from './support/e2e-client';
import type { E2eEvents } from './support/e2e-events';
import { Instance, type InstanceOptions } from './support/instance';
import { proxyTo, urlThrough } from './support/network';
import { closeEverything } from './support/teardown';

// Rooms against a real server beyond the plain replay (recovery.test.ts): leaving, history messages
// that are not events, and the rejoins that cannot recover (README, "Rooms and recovery").

afterEach(closeEverything);

/** A server, and a member of it behind a proxy the test cuts. */
async function memberBehindProxy(options: InstanceOptions = {}): Promise<[Instance, E2eClient, TcpProxy]> {
  const server = await Instance.start(options);
  const network = await proxyTo(server);
  return [server, e2eClient(urlThrough(network)), network];
}

/** Cuts the member off and waits until it knows. */
async function cutOff(member: E2eClient, network: TcpProxy): Promise<void> {
  network.block();
  await member.nextStatus('reconnecting');
}

it('leaves a room: no more of its lines, and it is not rejoined after a reconnection', async () => {
  const [server, member, network] = await memberBehindProxy();
  await member.join('news');
  await member.join('sport');
  await member.client.leave('news');
  expect([...member.client.rooms.keys()]).toEqual(['sport']);
  const id = await member.client.request('whoami');
  expect((await server.app.getConnectionInfo(id))?.rooms).toEqual(new Set(['sport']));

  network.cut();
  expect(await member.nextJoin('sport')).toMatchObject({ info: { rejoin: true } });
  await server.emitLines('news', 1, 1);
  await server.emitLines('sport', 2, 2);
  await member.received('sport', 2);
  expect(member.lines.all.map(({ room, n }) => `${room} ${n}`)).toEqual(['sport 2']);
  expect(member.joins.pending).toEqual([]);
});

it('recovers history messages that are not events (text, bytes) for onRaw, with their positions', async () => {
  const [server, member, network] = await memberBehindProxy();
  const raw: Array<[data: string | Uint8Array, meta: EventMeta]> = [];
  member.client.onRaw((data, meta) => raw.push([data, meta]));
  await member.join('mixed');
  await server.app.emitToRoom('mixed', 'plain text', { history: true });
  await server.emitLines('mixed', 1, 1);
  await member.received('mixed', 1);

  await cutOff(member, network);
  await server.app.emitToRoom('mixed', new Uint8Array([0, 1, 255]), { history: true });
  // Looks like an event frame but holds a key of the history frame: kept, and replayed, as text.
  await server.app.emitToRoom('mixed', '{"event":"line","data":{"n":2},"t":"x"}', { history: true });
  await server.emitLines('mixed', 3, 3);
  network.restore();
  expect(await member.nextJoin('mixed')).toMatchObject({ info: { recovered: true } });
  await member.received('mixed', 3);

  const epoch = member.client.rooms.get('mixed')?.epoch;
  expect(raw).toEqual([
    ['plain text', { room: 'mixed', position: { epoch, offset: 1 } }],
    [new Uint8Array([0, 1, 255]), { room: 'mixed', position: { epoch, offset: 3 } }],
    ['{"event":"line","data":{"n":2},"t":"x"}', { room: 'mixed', position: { epoch, offset: 4 } }],
  ]);
  expect(member.lines.all.map(({ n, position }) => [n, position?.offset])).toEqual([
    [1, 2],
    [3, 5],
  ]);
});

it("replays a history larger than the connection's outbound buffer without closing it as a slow consumer", async () => {
  const [server, member, network] = await memberBehindProxy({ historySize: 1000 });
  await member.join('large');
  await server.emitLines('large', 1, 1);
  await member.received('large', 1);

  await cutOff(member, network);
  // 600 lines of 10 kB: 6 MB to replay, above maxBufferedBytes (4 MiB by default).
  const lines = eventEmitter<E2eEvents>(server.app).toRoom('large', { history: true });
  const text = 'x'.repeat(10_000);
  for (let n = 2; n <= 600; n += 1) await lines.emit('line', { n, text });
  network.restore();

  expect(await member.nextJoin('large')).toMatchObject({ info: { rejoin: true, recovered: true } });
  expect(member.numbersOf('large')).toEqual(Array.from({ length: 600 }, (_, index) => index + 1));
  expect(member.statuses.all.filter((event) => event.status === 'reconnecting')).toHaveLength(1);
});

it('answers recovered: false, replaying nothing, when more was missed than the history keeps', async () => {
  const [server, member, network] = await memberBehindProxy({ historySize: 3 });
  await member.join('busy');
  await server.emitLines('busy', 1, 1);
  await member.received('busy', 1);

  await cutOff(member, network);
  const newest = await server.emitLines('busy', 2, 5);
  network.restore();
  expect(await member.nextJoin('busy')).toMatchObject({
    info: { rejoin: true, recovered: false, position: newest },
  });
  expect(member.numbersOf('busy')).toEqual([1]);
  expect(await server.historyOf('busy')).toEqual([3, 4, 5]);
});

it('tells the app recovered: false when a room it saw no history of got some while it was away', async () => {
  const [server, member, network] = await memberBehindProxy();
  expect(await member.join('quiet')).toEqual({ recovered: true, position: null });

  await cutOff(member, network);
  const kept = await server.emitLines('quiet', 1, 2);
  network.restore();
  // With no position to send, the client could not ask for a replay: the server said recovered, the
  // client tells the app the truth (README, "A room without position").
  expect(await member.nextJoin('quiet')).toMatchObject({
    info: { rejoin: true, recovered: false, position: kept },
  });
  expect(member.numbersOf('quiet')).toEqual([]);
});
