// One piece: the life of one test cluster (start, wait until settled, fail a master over, move a
// slot, stop), all of it reading the same node views; the slot maths and the process helpers live in
// cluster-slots.ts and redis-process.ts.
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import {
  CLUSTER_SLOT_COUNT,
  type ClusterNodeInfo,
  keySlot,
  parseClusterNodes,
  servesSlot,
  slotMap,
} from './cluster-slots';
import { findRedisCli, findRedisServer } from './find-redis-server';
import {
  delay,
  freePort,
  launchOnFreePort,
  releaseDirectory,
  terminate,
  trackDirectory,
} from './redis-process';

/** Options of {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /** How many masters share the 16384 slots; Redis Cluster needs at least 3. @default 3 */
  masters?: number;
  /** How many replicas follow each master. @default 1 */
  replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long a node may not answer before failover starts. @default 1000 */
  nodeTimeoutMs?: number;
  /** How long to wait for each `redis-server` to answer PING. @default 10000 */
  readyTimeoutMs?: number;
  /** The bound of each wait for the cluster: its creation, a failover, a slot migration. @default 20000 */
  waitTimeoutMs?: number;
}

/** Where one node of the cluster listens (the seed list), and its process id. */
export interface RedisClusterNodeAddress {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly pid: number;
}

/** What {@link RedisTestCluster.killMaster} resolves. */
export interface RedisClusterFailover {
  /** The master that was killed, as the cluster saw it just before. */
  readonly killed: ClusterNodeInfo;
  /** Its replica, now the master of its slots. */
  readonly master: ClusterNodeInfo;
  /** `Date.now()` when SIGKILL was sent. */
  readonly killedAt: number;
  /** `Date.now()` when the replica was first seen calling itself master (to the poll interval). */
  readonly promotedAt: number;
}

/** A Redis Cluster of `redis-server` children started for a test, on 127.0.0.1. */
export interface RedisTestCluster {
  /** Every node started, masters and replicas (killed ones included): a seed list. */
  readonly nodes: readonly RedisClusterNodeAddress[];
  /** The `url` of every node. */
  readonly urls: readonly string[];
  /** The temporary folder of the nodes (their `nodes-<port>.conf`); removed by `stop()`. */
  readonly dir: string;
  /** The masters the cluster has now (`CLUSTER NODES`), failed ones left out. */
  masters(): Promise<ClusterNodeInfo[]>;
  /** The replicas the cluster has now (`CLUSTER NODES`), failed ones left out. */
  replicas(): Promise<ClusterNodeInfo[]>;
  /** The hash slot of `key`, as `CLUSTER KEYSLOT` computes it (hash tags included). */
  slotOf(key: string | Uint8Array): number;
  /** The master serving `slot` now. */
  masterForSlot(slot: number): Promise<ClusterNodeInfo>;
  /**
   * SIGKILLs a master, then waits until one of its replicas has taken its slots and every surviving
   * node reports `cluster_state:ok` and the same slot map.
   */
  killMaster(node: { readonly port: number } | number): Promise<RedisClusterFailover>;
  /**
   * Moves `slot`, keys included, to the master `toMasterId` (IMPORTING / MIGRATING, `MIGRATE ... KEYS`,
   * then `CLUSTER SETSLOT <slot> NODE` on every master), and waits until every node agrees.
   */
  migrateSlot(slot: number, toMasterId: string): Promise<void>;
  /** Sends one raw command to the node on `port` and resolves its answer. */
  command(port: number, ...args: Array<string | number | Buffer>): Promise<unknown>;
  /** Stops every node still running (SIGTERM) and removes the folder. Idempotent. */
  stop(): Promise<void>;
}

interface Member {
  readonly port: number;
  readonly child: ChildProcess;
  killed: boolean;
  client?: Redis;
}

/** What one node says about the cluster, or why it could not be asked. */
type NodeView =
  | { member: Member; nodes: ClusterNodeInfo[]; state: string; linkUp: boolean }
  | { member: Member; error: string };

const HOST = '127.0.0.1';
const PORT_ATTEMPTS = 5;
const POLL_INTERVAL_MS = 50;
const COMMAND_TIMEOUT_MS = 3000;
const MIGRATE_BATCH = 100;
const MIGRATE_TIMEOUT_MS = 5000;
const MIN_MASTERS = 3;

const execFileAsync = promisify(execFile);

function assertCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min)
    throw new RangeError(`${name} must be an integer of at least ${min}, got ${value}`);
}

function describeNode(node: ClusterNodeInfo): string {
  return `${node.role} ${node.id.slice(0, 8)} on ${node.host}:${node.port}`;
}

/**
 * Starts a Redis Cluster: `masters` masters with `replicasPerMaster` replicas each, every one a
 * private `redis-server` (no persistence, 127.0.0.1, a free port and a free cluster bus port, one
 * temporary folder for all), joined by `redis-cli --cluster create`. Resolves once every node reports
 * `cluster_state:ok`, knows every other node, agrees on the slot map, and every replica is in sync.
 * On failure everything started is stopped. Honours `REDIS_SERVER_BIN` and `REDIS_CLI_BIN`.
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisTestCluster> {
  const masterCount = options.masters ?? 3;
  const replicasPerMaster = options.replicasPerMaster ?? 1;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const waitTimeoutMs = options.waitTimeoutMs ?? 20_000;
  assertCount('masters', masterCount, MIN_MASTERS);
  assertCount('replicasPerMaster', replicasPerMaster, 0);
  assertCount('nodeTimeoutMs', nodeTimeoutMs, 1);
  const bin = findRedisServer();
  const cli = findRedisCli(bin);
  const dir = mkdtempSync(join(tmpdir(), 'arcade-redis-cluster-'));
  trackDirectory(dir);

  const members: Member[] = [];
  let stopped = false;
  let stopping: Promise<void> | undefined;

  const clientOf = (member: Member): Redis => {
    if (member.client === undefined || member.client.status === 'end') {
      const client = new Redis({
        host: HOST,
        port: member.port,
        enableReadyCheck: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: COMMAND_TIMEOUT_MS,
        commandTimeout: COMMAND_TIMEOUT_MS,
      });
      client.on('error', () => {
        // A node killed or stopped: the command in flight rejects, the next one reconnects.
      });
      member.client = client;
    }
    return member.client;
  };
  const closeClient = (member: Member): void => {
    const { client } = member;
    member.client = undefined;
    // disconnect() on a client that already ended arms a 2 s timer in ioredis that nothing clears.
    if (client && client.status !== 'end') client.disconnect();
  };
  const memberOn = (port: number): Member => {
    const member = members.find((candidate) => candidate.port === port);
    if (!member) throw new Error(`No node of this cluster listens on port ${port}`);
    return member;
  };
  const call = (member: Member, ...args: Array<string | number | Buffer>): Promise<unknown> => {
    if (stopped) return Promise.reject(new Error('This Redis cluster was stopped'));
    if (member.killed) return Promise.reject(new Error(`The node on port ${member.port} was killed`));
    const [name, ...rest] = args;
    return clientOf(member).call(String(name), ...rest);
  };
  const live = (): Member[] => members.filter((member) => !member.killed);

  const viewOf = async (member: Member): Promise<NodeView> => {
    try {
      const [info, nodes] = (await Promise.all([
        call(member, 'CLUSTER', 'INFO'),
        call(member, 'CLUSTER', 'NODES'),
      ])) as [string, string];
      const parsed = parseClusterNodes(nodes);
      const myself = parsed.find((node) => node.flags.includes('myself'));
      let linkUp = true;
      if (myself?.role === 'replica') {
        const replication = (await call(member, 'INFO', 'replication')) as string;
        linkUp = /^master_link_status:up\r?$/m.test(replication);
      }
      const state = /^cluster_state:(\w+)/m.exec(info)?.[1] ?? 'unknown';
      return { member, nodes: parsed, state, linkUp };
    } catch (error) {
      return { member, error: error instanceof Error ? error.message : String(error) };
    }
  };
  const observe = (): Promise<NodeView[]> => Promise.all(live().map(viewOf));

  /** Why the live nodes do not form one settled cluster yet, or `undefined` when they do. */
  const unsettled = (views: readonly NodeView[]): string | undefined => {
    const livePorts = live().map((member) => member.port);
    let agreed: string | undefined;
    for (const view of views) {
      const where = `node ${HOST}:${view.member.port}`;
      if ('error' in view) return `${where} does not answer: ${view.error}`;
      if (view.state !== 'ok') return `${where} reports cluster_state:${view.state}`;
      const known = view.nodes.filter((node) => !node.failing && !node.flags.includes('handshake'));
      const unknown = livePorts.filter((port) => !known.some((node) => node.port === port));
      if (unknown.length > 0) return `${where} does not know the nodes on ports ${unknown.join(', ')} yet`;
      // A replica that has not taken its master yet is listed as a master that serves nothing.
      const idle = known.find((node) => node.role === 'master' && node.slots.length === 0);
      if (idle)
        return `${where} still sees ${HOST}:${idle.port} as a master without slots (a replica not attached yet)`;
      if (!view.linkUp) return `${where} (a replica) is not in sync with its master yet`;
      const map = slotMap(view.nodes);
      if (map.covered !== CLUSTER_SLOT_COUNT)
        return `${where} sees ${map.covered} of ${CLUSTER_SLOT_COUNT} slots served`;
      if (agreed === undefined) agreed = map.signature;
      else if (agreed !== map.signature)
        return `the nodes do not agree on the slot map yet (${where} differs)`;
    }
    return undefined;
  };

  /** Polls until `check` finds nothing missing; throws naming what still was after `waitTimeoutMs`. */
  const waitUntil = async (what: string, check: (views: NodeView[]) => string | undefined): Promise<void> => {
    const deadline = Date.now() + waitTimeoutMs;
    for (;;) {
      if (stopped) throw new Error(`This Redis cluster was stopped while waiting for ${what}`);
      const missing = check(await observe());
      if (missing === undefined) return;
      if (Date.now() >= deadline)
        throw new Error(`Timed out after ${waitTimeoutMs} ms waiting for ${what}: ${missing}`);
      await delay(POLL_INTERVAL_MS);
    }
  };

  const topology = async (): Promise<ClusterNodeInfo[]> => {
    const member = live()[0];
    if (!member) throw new Error('No node of this cluster is running');
    return parseClusterNodes((await call(member, 'CLUSTER', 'NODES')) as string);
  };
  const masters = async () => (await topology()).filter((node) => node.role === 'master' && !node.failing);
  const replicas = async () => (await topology()).filter((node) => node.role === 'replica' && !node.failing);
  const masterForSlot = async (slot: number): Promise<ClusterNodeInfo> => {
    const owner = (await masters()).find((node) => servesSlot(node, slot));
    if (!owner) throw new Error(`No master serves slot ${slot}`);
    return owner;
  };

  const halt = async (signal: 'SIGTERM' | 'SIGKILL') => {
    for (const member of members) closeClient(member);
    await Promise.all(members.map((member) => terminate(member.child, signal)));
    releaseDirectory(dir);
  };

  try {
    const launches = await Promise.allSettled(
      Array.from({ length: masterCount * (1 + replicasPerMaster) }, () =>
        launchOnFreePort({ bin, dir, readyTimeoutMs }, PORT_ATTEMPTS, async (port) => [
          '--cluster-enabled',
          'yes',
          // The bus port is not port + 10000: an ephemeral port plus 10000 may exceed 65535.
          '--cluster-port',
          String(await freePort()),
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          String(nodeTimeoutMs),
          // A replica may always take over, however long ago it heard from its master.
          '--cluster-replica-validity-factor',
          '0',
          // Replicas sync at once instead of after the default 5 s of waiting for more of them.
          '--repl-diskless-sync-delay',
          '0',
        ]),
      ),
    );
    for (const launch of launches)
      if (launch.status === 'fulfilled') members.push({ ...launch.value, killed: false });
    const failed = launches.find((launch) => launch.status === 'rejected');
    if (failed) throw failed.reason;

    const addresses = members.map((member) => `${HOST}:${member.port}`);
    const createArgs = ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerMaster)];
    try {
      await execFileAsync(cli, [...createArgs, '--cluster-yes'], {
        timeout: waitTimeoutMs,
        killSignal: 'SIGKILL',
      });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      const output = `${stdout}${stderr}`.trim().slice(-4000);
      throw new Error(`redis-cli ${createArgs.join(' ')} failed: ${(error as Error).message}\n${output}`);
    }
    await waitUntil('the new cluster to be ready', unsettled);
  } catch (error) {
    stopped = true;
    await halt('SIGKILL');
    throw error;
  }

  const nodes: RedisClusterNodeAddress[] = members.map((member) => ({
    host: HOST,
    port: member.port,
    url: `redis://${HOST}:${member.port}`,
    pid: member.child.pid ?? -1,
  }));

  return {
    nodes,
    urls: nodes.map((node) => node.url),
    dir,
    masters,
    replicas,
    slotOf: keySlot,
    masterForSlot,
    command: (port, ...args) => call(memberOn(port), ...args),

    async killMaster(node) {
      const member = memberOn(typeof node === 'number' ? node : node.port);
      const before = await topology();
      const killed = before.find((info) => info.port === member.port);
      if (!killed || killed.role !== 'master' || killed.failing)
        throw new Error(`The node on port ${member.port} is not a master of this cluster`);
      const candidates = before.filter((info) => info.masterId === killed.id && !info.failing);
      if (candidates.length === 0)
        throw new Error(
          `The ${describeNode(killed)} has no replica to take over: start the cluster with replicas`,
        );

      member.killed = true;
      closeClient(member);
      const killedAt = Date.now();
      await terminate(member.child, 'SIGKILL');

      let promotedAt: number | undefined;
      let master: ClusterNodeInfo | undefined;
      await waitUntil(`a replica of the killed ${describeNode(killed)} to take over`, (views) => {
        for (const view of views) {
          if ('error' in view) continue;
          const self = view.nodes.find((info) => info.flags.includes('myself'));
          if (promotedAt === undefined && self?.role === 'master' && candidates.some((c) => c.id === self.id))
            promotedAt = Date.now();
        }
        const first = views[0];
        if (first === undefined || 'error' in first) return unsettled(views);
        master = first.nodes.find(
          (info) => info.role === 'master' && candidates.some((c) => c.id === info.id),
        );
        if (!master) return `no replica of ${killed.id.slice(0, 8)} is master yet`;
        return unsettled(views);
      });
      if (!master) throw new Error('unreachable: the failover wait resolved without a new master');
      return { killed, master, killedAt, promotedAt: promotedAt ?? Date.now() };
    },

    async migrateSlot(slot, toMasterId) {
      if (!Number.isInteger(slot) || slot < 0 || slot >= CLUSTER_SLOT_COUNT)
        throw new RangeError(`slot must be an integer from 0 to ${CLUSTER_SLOT_COUNT - 1}, got ${slot}`);
      const current = (await topology()).filter((node) => node.role === 'master' && !node.failing);
      const source = current.find((node) => servesSlot(node, slot));
      const target = current.find((node) => node.id === toMasterId);
      if (!source) throw new Error(`No master serves slot ${slot}`);
      if (!target) throw new Error(`${toMasterId} is not a live master of this cluster`);
      if (source.id === target.id) return;
      const from = memberOn(source.port);
      const to = memberOn(target.port);

      await call(to, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.id);
      await call(from, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.id);
      for (;;) {
        const keys = (await clientOf(from).callBuffer(
          'CLUSTER',
          'GETKEYSINSLOT',
          slot,
          MIGRATE_BATCH,
        )) as Buffer[];
        if (keys.length === 0) break;
        await call(from, 'MIGRATE', HOST, target.port, '', 0, MIGRATE_TIMEOUT_MS, 'KEYS', ...keys);
      }
      // The target first, so that it owns the slot before the source redirects clients to it.
      const others = current.filter((node) => node.id !== source.id && node.id !== target.id);
      for (const node of [target, source, ...others])
        await call(memberOn(node.port), 'CLUSTER', 'SETSLOT', slot, 'NODE', target.id);

      await waitUntil(`every node to see slot ${slot} served by ${toMasterId.slice(0, 8)}`, (views) => {
        for (const view of views) {
          if ('error' in view) continue;
          const owner = view.nodes.find((node) => node.role === 'master' && servesSlot(node, slot));
          if (owner?.id !== toMasterId)
            return `node ${HOST}:${view.member.port} still sees slot ${slot} on ${owner?.id.slice(0, 8) ?? 'no master'}`;
        }
        return unsettled(views);
      });
    },

    stop() {
      if (!stopping) {
        stopped = true;
        stopping = halt('SIGTERM');
      }
      return stopping;
    },
  };
}
