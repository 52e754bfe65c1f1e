import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import {
  CLUSTER_SLOT_COUNT,
  type ClusterNodeInfo,
  keySlot,
  type RedisTestCluster,
  startRedisCluster,
} from '../src/testing';
import { crc16, parseClusterNodes, servesSlot } from '../src/testing/cluster-slots';

function clusterClient(cluster: RedisTestCluster): Cluster {
  const client = new Cluster(
    cluster.nodes.map(({ host, port }) => ({ host, port })),
    { redisOptions: { maxRetriesPerRequest: 1 } },
  );
  client.on('error', () => {
    // The killed node refuses connections; the client asks the others.
  });
  return client;
}

async function withClusterClient<T>(
  cluster: RedisTestCluster,
  use: (client: Cluster) => Promise<T>,
): Promise<T> {
  const client = clusterClient(cluster);
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function slotCount(nodes: readonly ClusterNodeInfo[]): number {
  return nodes.flatMap((node) => node.slots).reduce((sum, [first, last]) => sum + last - first + 1, 0);
}

const KEYS: Array<string | Buffer> = [
  '',
  'foo',
  '123456789',
  'user:1000',
  '{user1000}.following',
  '{user1000}.followers',
  'foo{}{bar}',
  'foo{{bar}}zap',
  'foo{bar}{zap}',
  '{}',
  '{}{x}',
  'a{',
  'a}b{c',
  '{{}}',
  'café ☕ 日本語',
  '🎉{🎈}',
  Buffer.from([0x00, 0xff, 0x7b, 0x01, 0x7d, 0x80]),
  Buffer.from([0xde, 0xad, 0xbe, 0xef]),
  ...Array.from({ length: 40 }, (_, index) => `key:${index * 7919}`),
];

describe('keySlot', () => {
  it('matches the reference values of the Redis Cluster specification', () => {
    // CRC16 XMODEM check value of "123456789" is 0x31C3.
    expect(keySlot('123456789')).toBe(0x31c3 % CLUSTER_SLOT_COUNT);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    // An empty tag is no tag: the whole key is hashed.
    expect(keySlot('foo{}{bar}')).toBe(crc16(Buffer.from('foo{}{bar}')) % CLUSTER_SLOT_COUNT);
    expect(keySlot('{}')).toBe(crc16(Buffer.from('{}')) % CLUSTER_SLOT_COUNT);
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'));
  });
});

/** The pids of the redis-server processes this test process started and that still run. */
function childRedisServers(): string[] {
  const output = execFileSync('ps', ['--ppid', String(process.pid), '-o', 'pid=,comm='], {
    encoding: 'utf8',
  });
  return output.split('\n').filter((line) => line.includes('redis-server'));
}

describe('startRedisCluster failures', () => {
  it('refuses fewer than 3 masters before starting anything', async () => {
    await expect(startRedisCluster({ masters: 2 })).rejects.toThrow(
      /masters must be an integer of at least 3/,
    );
  });

  it('names the failing step and stops every node it started', async () => {
    // A temporary folder of this test's own: other packages' tests start clusters in the shared one
    // at the same time (turbo runs packages in parallel).
    const scratch = mkdtempSync(join(tmpdir(), 'arcade-cluster-failure-'));
    const saved = { cli: process.env.REDIS_CLI_BIN, tmp: process.env.TMPDIR };
    process.env.REDIS_CLI_BIN = '/bin/false';
    process.env.TMPDIR = scratch;
    try {
      await expect(startRedisCluster()).rejects.toThrow(
        /redis-cli --cluster create 127\.0\.0\.1:\d+ .* failed/,
      );
    } finally {
      restoreEnv('REDIS_CLI_BIN', saved.cli);
      restoreEnv('TMPDIR', saved.tmp);
    }
    expect(childRedisServers()).toEqual([]);
    expect(readdirSync(scratch)).toEqual([]);
    rmSync(scratch, { recursive: true, force: true });
  });
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe('startRedisCluster', () => {
  let cluster: RedisTestCluster;

  beforeAll(async () => {
    cluster = await startRedisCluster();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('starts 3 masters with one replica each, covering all 16384 slots', async () => {
    expect(cluster.nodes).toHaveLength(6);
    expect(cluster.urls).toEqual(cluster.nodes.map(({ port }) => `redis://127.0.0.1:${port}`));
    const masters = await cluster.masters();
    const replicas = await cluster.replicas();
    expect(masters).toHaveLength(3);
    expect(replicas).toHaveLength(3);
    expect(slotCount(masters)).toBe(CLUSTER_SLOT_COUNT);
    expect(replicas.map((replica) => replica.masterId).sort()).toEqual(
      masters.map((master) => master.id).sort(),
    );
    for (const node of cluster.nodes) {
      const info = (await cluster.command(node.port, 'CLUSTER', 'INFO')) as string;
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_slots_assigned:16384');
    }
  });

  it('slotOf agrees with CLUSTER KEYSLOT, hash tags and bytes included', async () => {
    const port = cluster.nodes[0]!.port;
    for (const key of KEYS) {
      await expect(cluster.command(port, 'CLUSTER', 'KEYSLOT', key)).resolves.toBe(cluster.slotOf(key));
    }
  });

  it('masterForSlot names the master of each slot', async () => {
    const masters = await cluster.masters();
    for (const slot of [0, 5460, 5461, 10922, 10923, 16383]) {
      const owner = await cluster.masterForSlot(slot);
      expect(masters.map((master) => master.id)).toContain(owner.id);
      expect(owner.slots.some(([first, last]) => first <= slot && slot <= last)).toBe(true);
    }
  });

  it('serves a key written through an ioredis Cluster client', async () => {
    await withClusterClient(cluster, async (client) => {
      await client.set('{written}:k', 'v');
      await expect(client.get('{written}:k')).resolves.toBe('v');
    });
    const owner = await cluster.masterForSlot(cluster.slotOf('{written}:k'));
    await expect(cluster.command(owner.port, 'GET', '{written}:k')).resolves.toBe('v');
  });

  it('migrateSlot moves a slot and its keys to another master', async () => {
    const key = '{migrated}:k';
    const slot = cluster.slotOf(key);
    const source = await cluster.masterForSlot(slot);
    const target = (await cluster.masters()).find((master) => master.id !== source.id)!;
    await withClusterClient(cluster, (client) => client.set(key, 'moved'));

    await cluster.migrateSlot(slot, target.id);

    await expect(cluster.command(target.port, 'CLUSTER', 'COUNTKEYSINSLOT', slot)).resolves.toBe(1);
    await expect(cluster.command(source.port, 'CLUSTER', 'COUNTKEYSINSLOT', slot)).resolves.toBe(0);
    expect((await cluster.masterForSlot(slot)).id).toBe(target.id);
    for (const node of cluster.nodes) {
      const view = parseClusterNodes((await cluster.command(node.port, 'CLUSTER', 'NODES')) as string);
      expect(view.find((info) => info.role === 'master' && servesSlot(info, slot))?.id).toBe(target.id);
    }
    await withClusterClient(cluster, async (client) => {
      await expect(client.get(key)).resolves.toBe('moved');
    });
  });

  it('killMaster promotes the replica, and the data stays readable', async () => {
    const key = '{killed}:k';
    const slot = cluster.slotOf(key);
    const victim = await cluster.masterForSlot(slot);
    const replica = (await cluster.replicas()).find((node) => node.masterId === victim.id)!;
    await withClusterClient(cluster, (client) => client.set(key, 'survives'));
    // Replication is asynchronous: make sure the replica has the key before the crash.
    await expect(cluster.command(victim.port, 'WAIT', 1, 5000)).resolves.toBe(1);

    const failover = await cluster.killMaster(victim);

    expect(failover.killed.id).toBe(victim.id);
    expect(failover.master.id).toBe(replica.id);
    expect(failover.master.role).toBe('master');
    expect(failover.master.slots).toEqual(victim.slots);
    expect(failover.promotedAt).toBeGreaterThanOrEqual(failover.killedAt);
    const victimPid = cluster.nodes.find((node) => node.port === victim.port)!.pid;
    expect(isRunning(victimPid)).toBe(false);
    const masters = await cluster.masters();
    expect(masters).toHaveLength(3);
    expect(masters.map((master) => master.id)).toContain(replica.id);
    expect(slotCount(masters)).toBe(CLUSTER_SLOT_COUNT);
    await expect(cluster.command(victim.port, 'PING')).rejects.toThrow(/killed/);
    await withClusterClient(cluster, async (client) => {
      await expect(client.get(key)).resolves.toBe('survives');
      await expect(client.get('{written}:k')).resolves.toBe('v');
    });
  });

  it('stop ends every node, removes the folder and is idempotent', async () => {
    const { dir } = cluster;
    const pids = cluster.nodes.map((node) => node.pid);
    expect(existsSync(dir)).toBe(true);
    await cluster.stop();
    await cluster.stop();
    expect(pids.filter(isRunning)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    await expect(cluster.masters()).rejects.toThrow(/stopped/);
  });
});
