import net from 'node:net';
import { ChatClient } from './support/chat-client';
import { type ClusterScript, startClusterScript, stopClusterScript } from './support/cluster-script';

// `scripts/cluster.js --redis-cluster`, what `npm run cluster -- --redis-cluster` runs: a real local
// Redis Cluster (3 masters, 3 replicas) and two instances of the built server (dist/main.js), separate
// processes that reach the cluster only through REDIS_CLUSTER_NODES.
let cluster: ClusterScript;
const clients: ChatClient[] = [];

async function clientOn(url: string, name: string): Promise<ChatClient> {
  const c = await ChatClient.connect(url, name);
  clients.push(c);
  return c;
}

/** The seed nodes the script printed, which it gave the instances as REDIS_CLUSTER_NODES. */
function seedNodes(): URL[] {
  const line = /^Redis Cluster \(3 masters, 3 replicas\): (\S+)$/m.exec(cluster.output);
  if (!line?.[1]) throw new Error(`cluster.js printed no Redis Cluster line:\n${cluster.output}`);
  return line[1].split(',').map((url) => new URL(url));
}

/** Whether something accepts TCP connections on `port` of 127.0.0.1. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  cluster = await startClusterScript(['--redis-cluster']);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  if (cluster) await stopClusterScript(cluster);
});

it('starts a Redis Cluster of six nodes and two instances on it', async () => {
  const nodes = seedNodes();
  expect(nodes).toHaveLength(6);
  for (const node of nodes) expect(await accepts(Number(node.port))).toBe(true);
  expect(cluster.urlA).not.toBe(cluster.urlB);
});

it('delivers a chat line sent on one instance to a user on the other', async () => {
  const ada = await clientOn(cluster.urlA, 'Ada');
  const bea = await clientOn(cluster.urlB, 'Bea');
  await ada.join('sharded');
  const joined = await bea.join('sharded');
  expect(joined.members.map((m) => m.name)).toEqual(['Ada', 'Bea']);

  await ada.say('hello from instance A');
  expect(await bea.next('line', (line) => line.text === 'hello from instance A')).toMatchObject({
    room: 'sharded',
    from: { id: ada.connectionId, name: 'Ada' },
  });
  await bea.say('hello from instance B');
  expect(await ada.next('line', (line) => line.text === 'hello from instance B')).toMatchObject({
    from: { id: bea.connectionId, name: 'Bea' },
  });
});

it('shows the room history written on one instance to a user joining on the other', async () => {
  const ada = await clientOn(cluster.urlA, 'Ada');
  await ada.join('remembered');
  await ada.say('first');
  await ada.say('second');
  const bea = await clientOn(cluster.urlB, 'Bea');
  const joined = await bea.join('remembered');
  expect(joined.lines.map((line) => line.text)).toEqual(['first', 'second']);
});

it('stops both instances and every node of the Redis Cluster on Ctrl+C', async () => {
  const nodes = seedNodes();
  expect(await stopClusterScript(cluster, 'SIGINT')).toBe(0);
  for (const node of nodes) expect(await accepts(Number(node.port))).toBe(false);
  expect(await accepts(Number(new URL(cluster.urlA).port))).toBe(false);
  expect(await accepts(Number(new URL(cluster.urlB).port))).toBe(false);
});
