import { e2eClient } from './support/e2e-client';
import { Instance } from './support/instance';
import { proxyTo, urlThrough } from './support/network';
import { closeEverything } from './support/teardown';

// The offline queue against a real server (README, "The offline queue"): what `send` and `request`
// queued while the network was cut reaches the server on the next connection, in order, after the
// rooms were rejoined (the server's `post` handler refuses a post from a connection not in the room).

afterEach(closeEverything);

it('delivers what was sent while disconnected after the rejoin, in order', async () => {
  const server = await Instance.start();
  const proxy = await proxyTo(server);
  const member = e2eClient(urlThrough(proxy));
  await member.join('orders');
  await member.join('audit');
  const timeline: string[] = [];
  member.client.onJoin((room) => timeline.push(`join ${room}`));
  member.client.on('line', ({ n }, meta) => timeline.push(`${meta.room} ${n}`));

  proxy.block();
  await member.nextStatus('reconnecting');
  expect(member.client.send('post', { room: 'orders', n: 1 })).toBe('queued');
  const sum = member.client.request('add', { a: 20, b: 22 });
  expect(member.client.send('post', { room: 'audit', n: 2 })).toBe('queued');
  expect(member.client.send('post', { room: 'orders', n: 3 })).toBe('queued');
  proxy.restore();

  await expect(sum).resolves.toBe(42);
  await member.received('orders', 3);
  await member.received('audit', 2);
  expect(server.seen.posts).toEqual([
    { room: 'orders', n: 1 },
    { room: 'audit', n: 2 },
    { room: 'orders', n: 3 },
  ]);
  // Both rooms rejoined before the first queued frame was written.
  expect(timeline.slice(0, 2).sort()).toEqual(['join audit', 'join orders']);
  expect(member.errors.all).toEqual([]);
  expect(await server.historyOf('orders')).toEqual([1, 3]);
  expect(await server.historyOf('audit')).toEqual([2]);
});

it("delivers a full queue and the rejoins of many rooms within the server's default rate limit", async () => {
  const server = await Instance.start();
  const proxy = await proxyTo(server);
  const member = e2eClient(urlThrough(proxy), { requestTimeoutMs: 5000 });
  const rooms = Array.from({ length: 40 }, (_, index) => `room-${index}`);
  await Promise.all(rooms.map((room) => member.join(room)));

  proxy.block();
  await member.nextStatus('reconnecting');
  // The default queueSize (100): 99 posts, then a request, all answered once the rooms are rejoined.
  const posts = Array.from({ length: 99 }, (_, index) => ({
    room: rooms[index % rooms.length] ?? '',
    n: index,
  }));
  for (const post of posts) expect(member.client.send('post', post)).toBe('queued');
  const last = member.client.request('whoami');
  proxy.restore();

  await expect(last).resolves.toEqual(expect.any(String));
  expect(server.seen.posts).toEqual(posts);
  expect(server.logger.entries.filter((entry) => entry.level === 'warn')).toEqual([]);
});

it('holds what an open client sends beyond its send rate in the queue, so the server drops nothing', async () => {
  const server = await Instance.start();
  const member = e2eClient(server.url());
  await member.join('burst');
  const posts = Array.from({ length: 150 }, (_, n) => ({ room: 'burst', n }));
  const outcomes = posts.map((post) => member.client.send('post', post));

  // The default sendRate allows 50 at once and the join took one, which may have come back while the
  // join's answer travelled (the bucket refills one per 10 ms, up to 50); the default queueSize keeps 100.
  const sent = outcomes.indexOf('queued');
  expect([49, 50]).toContain(sent);
  const dropped = posts.length - sent - 100;
  expect(outcomes).toEqual([
    ...Array(sent).fill('sent'),
    ...Array(100).fill('queued'),
    ...Array(dropped).fill('dropped'),
  ]);
  await member.received('burst', sent + 100 - 1);
  expect(server.seen.posts).toEqual(posts.slice(0, sent + 100));
  expect(server.logger.entries.filter((entry) => entry.level === 'warn')).toEqual([]);
});
