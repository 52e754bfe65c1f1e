import { type RedisTestCluster, startRedisCluster } from '@arcade/cache-redis/testing';
import type { BenchOptions } from '../options';
import { runLoad, type ServerHandle, startServer, stopAll, type TargetName } from '../processes';
import type { Metrics } from '../protocol';
import { fanoutJob, filesFor } from './fanout';

/** Masters of the cluster each run starts (one replica each). */
export const CLUSTER_MASTERS = 3;

/**
 * The cluster's CPU per delivery from the load's per-process figures (`side<i>CpuUsPerDelivery`, the
 * masters first, then the replicas): the masters' sum, each master's share of it in per cent from the
 * busiest to the least busy (`redisMaster1SharePct` is the busiest), and the replicas' sum. The masters'
 * order is not kept: their ports are random, so "the busiest master" is what a median over rounds can say.
 */
export function clusterCpu(metrics: Metrics, masters: number): Metrics {
  const side: number[] = [];
  for (let i = 0; `side${i}CpuUsPerDelivery` in metrics; i++) side.push(metrics[`side${i}CpuUsPerDelivery`]!);
  const perMaster = side.slice(0, masters);
  const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
  const mastersCpu = sum(perMaster);
  const derived: Metrics = {
    redisCpuUsPerDelivery: mastersCpu,
    redisReplicaCpuUsPerDelivery: sum(side.slice(masters)),
  };
  for (const [i, cpu] of [...perMaster].sort((a, b) => b - a).entries()) {
    derived[`redisMaster${i + 1}CpuUsPerDelivery`] = cpu;
    derived[`redisMaster${i + 1}SharePct`] = mastersCpu > 0 ? (cpu / mastersCpu) * 100 : Number.NaN;
  }
  const rest = Object.fromEntries(Object.entries(metrics).filter(([key]) => !/^side\d+CpuUs/.test(key)));
  return { ...rest, ...derived };
}

const NODE_TIMEOUT_MS = 5000;
const ROLES_TIMEOUT_MS = 20_000;

/** The ports of the cluster's masters, sorted; throws unless there are {@link CLUSTER_MASTERS}. */
async function masterPorts(cluster: RedisTestCluster): Promise<number[]> {
  const ports = (await cluster.masters()).map((master) => master.port).sort((a, b) => a - b);
  if (ports.length !== CLUSTER_MASTERS)
    throw new Error(`the cluster has ${ports.length} masters (ports ${ports}), not ${CLUSTER_MASTERS}`);
  return ports;
}

/**
 * Waits until {@link CLUSTER_MASTERS} nodes answer ROLE as masters and as many as replicas linked to
 * theirs. `startRedisCluster` can resolve while the nodes still list a replica as a master without slots
 * (`redis-cli --cluster create` has sent CLUSTER REPLICATE but gossip has not spread it): seen here in
 * 1 start of 20 with its 1 s node timeout and in every start with 15 s, whose gossip is slower.
 */
async function waitForRoles(cluster: RedisTestCluster): Promise<void> {
  const deadline = Date.now() + ROLES_TIMEOUT_MS;
  for (;;) {
    const roles = (await Promise.all(
      cluster.nodes.map((node) => cluster.command(node.port, 'ROLE')),
    )) as unknown[][];
    const masters = roles.filter((role) => role[0] === 'master').length;
    const linked = roles.filter((role) => role[0] === 'slave' && role[3] === 'connected').length;
    // And the node that `masters()` asks has heard of it too.
    const seen = (await cluster.masters()).length;
    if (masters === CLUSTER_MASTERS && linked === CLUSTER_MASTERS && seen === CLUSTER_MASTERS) return;
    if (Date.now() > deadline)
      throw new Error(`the cluster's roles did not settle: ${masters} masters, ${linked} linked replicas`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * cluster-sharded: the cluster scenario's fan-out over two server processes, on a fresh Redis Cluster of
 * {@link CLUSTER_MASTERS} masters with one replica each (`startRedisCluster` of
 * `@arcade/cache-redis/testing`, which gives every node's pid), the servers given every node as a seed
 * (`REDIS_CLUSTER_NODES`). Every node's CPU is read apart from the servers'.
 */
export async function runClusterShardedScenario(target: TargetName, options: BenchOptions): Promise<Metrics> {
  const clients = options.rooms * options.members;
  const cluster = await startRedisCluster({
    masters: CLUSTER_MASTERS,
    replicasPerMaster: 1,
    // Not the test helper's 1 s: that lets a replica take over from a master that a loaded 2-core
    // machine kept off the CPU for a second, which would move the work between nodes mid-run.
    nodeTimeoutMs: NODE_TIMEOUT_MS,
  });
  const servers: ServerHandle[] = [];
  try {
    await waitForRoles(cluster);
    const before = await masterPorts(cluster);
    const byPort = [...cluster.nodes].sort((a, b) => a.port - b.port);
    const masters = byPort.filter((node) => before.includes(node.port));
    const replicas = byPort.filter((node) => !before.includes(node.port));
    const env = { REDIS_CLUSTER_NODES: cluster.urls.join(',') };
    for (let i = 0; i < 2; i++) {
      servers.push(await startServer(target, { env, openFiles: filesFor(clients) }));
    }
    const sidePids = [...masters, ...replicas].map((node) => node.pid);
    const metrics = await runLoad(fanoutJob(options, servers, sidePids), { openFiles: filesFor(clients) });
    const after = await masterPorts(cluster);
    if (after.join() !== before.join())
      throw new Error(`the cluster's masters changed during the run (ports ${before} then ${after})`);
    return clusterCpu(metrics, masters.length);
  } finally {
    await stopAll(servers);
    await cluster.stop();
  }
}
