import { join } from 'node:path';
import { type RedisTestCluster, startRedisCluster, startRedisServer } from '@arcade/cache-redis/testing';
import {
  httpRequest,
  NodeProcess,
  type ProcessExit,
  type ReadyMessage,
  TestClient,
  waitFor,
} from '@arcade/test-support';
import { storageKeys } from '../../src/registry/keys';
import { ClusterInspector, type Inspector, RedisInspector } from './redis-inspect';

/** The folder of the plain CommonJS instance scripts. */
export const fixturesDirectory = join(__dirname, '..', 'cluster', 'fixtures');

type RedisServer = Awaited<ReturnType<typeof startRedisServer>>;

/** An error as reported by an instance's control API. */
export interface RemoteError {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
  readonly constructorName?: string;
}

/** The outcome of one call made inside an instance. */
export type Outcome<T = unknown> =
  | { readonly ok: true; readonly value: T; readonly elapsedMs: number }
  | { readonly ok: false; readonly error: RemoteError; readonly elapsedMs: number };

/** A call to one of the app's ws functions, run inside an instance. */
export interface RemoteCall {
  readonly fn: string;
  readonly args: readonly unknown[];
}

/** Thrown by {@link ClusterInstance.call} when the remote call rejected. */
export class RemoteCallError extends Error {
  override readonly name = 'RemoteCallError';
  constructor(
    readonly remote: RemoteError,
    readonly elapsedMs: number,
  ) {
    super(`${remote.name}${remote.code ? ` (${remote.code})` : ''}: ${remote.message}`);
  }
}

/** The live state an instance reports about itself. */
export interface InstanceInfo {
  readonly instanceId: string;
  readonly localConnectionIds: string[];
  readonly hasLocalConnections: boolean;
  /** Subscriptions the instance holds on its storage now. */
  readonly liveSubscriptions: number;
  /** The channels it is subscribed to now. */
  readonly liveChannels: string[];
}

/** A client connected to one instance, with the connection id the instance greeted it with. */
export interface ClusterClient {
  readonly client: TestClient;
  readonly id: string;
  readonly instance: ClusterInstance;
}

/** Options of an instance process. */
export interface InstanceOptions {
  /** One Redis server (`redis://...`), or a Redis Cluster's seed nodes. */
  readonly redis: { readonly url: string } | { readonly clusterNodes: readonly string[] };
  /** `instanceLeaseMs` given to `initializeWebSocketStorage`. @default the package default */
  readonly leaseMs?: number;
  readonly keyPrefix?: string;
  /** `webSocket.history` of the instance. @default the package defaults */
  readonly history?: { readonly size?: number; readonly ttlMs?: number };
  /** Script under the fixtures folder. @default 'instance.js' */
  readonly fixture?: string;
}

/** Binary values travel through the JSON control API as `{ $bytes: base64 }`. */
export function encodeArg(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map(encodeArg);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, encodeArg(item)]));
  }
  return value;
}

/** The ready line of test/cluster/fixtures/instance.js. */
type InstanceReady = ReadyMessage & { readonly port: number; readonly instanceId: string };

/** One real server process started from a fixture script. */
export class ClusterInstance {
  /** Resolves when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  readonly clients = new Set<ClusterClient>();
  /** The id of every client ever connected through {@link connect}, closed or not. */
  readonly connectedIds: string[] = [];

  private constructor(private readonly process: NodeProcess<InstanceReady>) {
    this.exited = process.exited;
  }

  /** Spawns the fixture and resolves once it reports that it listens. */
  static async start(options: InstanceOptions): Promise<ClusterInstance> {
    const env: NodeJS.ProcessEnv = { PORT: '0' };
    if ('url' in options.redis) env.REDIS_URL = options.redis.url;
    else env.REDIS_CLUSTER_NODES = options.redis.clusterNodes.join(',');
    if (options.leaseMs !== undefined) env.LEASE_MS = String(options.leaseMs);
    if (options.keyPrefix !== undefined) env.KEY_PREFIX = options.keyPrefix;
    if (options.history?.size !== undefined) env.HISTORY_SIZE = String(options.history.size);
    if (options.history?.ttlMs !== undefined) env.HISTORY_TTL_MS = String(options.history.ttlMs);
    const script = join(fixturesDirectory, options.fixture ?? 'instance.js');
    return new ClusterInstance(await NodeProcess.start<InstanceReady>(script, { env }));
  }

  get port(): number {
    return this.process.ready.port;
  }

  get instanceId(): string {
    return this.process.ready.instanceId;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isRunning(): boolean {
    return this.process.isRunning;
  }

  /** What the process wrote on stderr (warnings and errors of its logger). */
  get errorOutput(): string {
    return this.process.errorOutput;
  }

  /** Runs `app[fn](...args)` inside the instance and reports how it settled. */
  async settle<T = unknown>(fn: string, ...args: unknown[]): Promise<Outcome<T>> {
    return this.control<Outcome<T>>('/control/call', { fn, args: encodeArg(args) });
  }

  /** Runs `app[fn](...args)` inside the instance; rejects with {@link RemoteCallError} when it rejected. */
  async call<T = unknown>(fn: string, ...args: unknown[]): Promise<T> {
    const outcome = await this.settle<T>(fn, ...args);
    if (!outcome.ok) throw new RemoteCallError(outcome.error, outcome.elapsedMs);
    return outcome.value;
  }

  /** Starts every call in order inside the instance without awaiting between them, then awaits all. */
  async batch(calls: readonly RemoteCall[]): Promise<Outcome[]> {
    const body = { calls: calls.map((call) => ({ fn: call.fn, args: encodeArg(call.args) })) };
    const answer = await this.control<{ outcomes: Outcome[] }>('/control/batch', body);
    return answer.outcomes;
  }

  /** Runs one call and lists the storage operations it made (and only it). */
  async counted(fn: string, ...args: unknown[]): Promise<{ outcome: Outcome; storageCalls: string[] }> {
    return this.control('/control/counted', { fn, args: encodeArg(args) });
  }

  /** How many pub/sub messages this instance received whose payload contains `token`. */
  async received(token: string): Promise<number> {
    const answer = await this.control<{ count: number }>('/control/received', { token });
    return answer.count;
  }

  async info(): Promise<InstanceInfo> {
    const answer = await httpRequest(`${this.url}/control/info`);
    if (answer.status !== 200) throw new Error(`info answered ${answer.status}: ${answer.text}`);
    return answer.json<InstanceInfo>();
  }

  /** Opens a WebSocket client on this instance and waits for its greeting. */
  async connect(): Promise<ClusterClient> {
    const client = await TestClient.connect(`ws://127.0.0.1:${this.port}/ws`);
    const welcome = await client.nextJson<{ type: string; id: string }>((value) => value.type === 'welcome');
    const connected: ClusterClient = { client, id: welcome.id, instance: this };
    this.clients.add(connected);
    this.connectedIds.push(connected.id);
    return connected;
  }

  /** Opens `count` clients, a few at a time. */
  async connectMany(count: number): Promise<ClusterClient[]> {
    const clients: ClusterClient[] = [];
    while (clients.length < count) {
      const wave = Math.min(20, count - clients.length);
      clients.push(...(await Promise.all(Array.from({ length: wave }, () => this.connect()))));
    }
    return clients;
  }

  /** Sends a signal that does not end the process (SIGSTOP freezes it, SIGCONT resumes it). */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.process.signal(signal);
  }

  /** Sends a signal and resolves once the process is gone (SIGKILL: no cleanup at all). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.process.kill(signal);
  }

  /** Closes its clients, then asks the instance to shut down gracefully (SIGTERM), SIGKILL after a bound. */
  async stop(): Promise<void> {
    await Promise.all([...this.clients].map((connected) => connected.client.close()));
    await this.process.stop();
  }

  private async control<T>(path: string, body: unknown): Promise<T> {
    if (!this.process.isRunning) {
      throw new Error(`instance ${this.instanceId} has exited:\n${this.process.errorOutput}`);
    }
    const answer = await httpRequest(`${this.url}${path}`, { method: 'POST', body });
    if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}: ${answer.text}`);
    return answer.json<T>();
  }
}

/** The prefix RedisCacheManager puts before every key when none is configured (its README). */
const ADAPTER_KEY_PREFIX = 'arcade:';

/** What the instances share: one `redis-server`, or a Redis Cluster of 3 masters with 1 replica each. */
export type RedisBackend = 'server' | 'cluster';

let defaultBackend: RedisBackend = 'server';

/**
 * Makes the clusters of this test file start on a Redis Cluster: the files under test/cluster/sharded
 * call it, then import a test file of test/cluster, so that the same cases prove the guarantees on both
 * (jest gives each test file its own modules, so the choice stays in that file).
 */
export function useRedisClusterBackend(): void {
  defaultBackend = 'cluster';
}

/** The storage one test cluster runs on. */
type Storage =
  | { readonly backend: 'server'; readonly server: RedisServer }
  | { readonly backend: 'cluster'; readonly cluster: RedisTestCluster };

/** Options of {@link Cluster.start}. */
export interface ClusterOptions {
  readonly instances: number;
  readonly leaseMs?: number;
  readonly keyPrefix?: string;
  readonly history?: InstanceOptions['history'];
  /** @default 'server', or 'cluster' after {@link useRedisClusterBackend} */
  readonly backend?: RedisBackend;
}

/** One real `redis-server` (or Redis Cluster) and N instance processes sharing it. */
export class Cluster {
  private readonly inspectors = new Set<Inspector>();

  private constructor(
    private readonly storage: Storage,
    readonly instances: ClusterInstance[],
    private readonly options: ClusterOptions,
  ) {}

  /** The one `redis-server` (kill, restart, pause it); not there on a Redis Cluster backend. */
  get redis(): RedisServer {
    if (this.storage.backend !== 'server') throw new Error('this test cluster runs on a Redis Cluster');
    return this.storage.server;
  }

  /** The Redis Cluster (kill a master, migrate a slot); not there on a single-server backend. */
  get redisCluster(): RedisTestCluster {
    if (this.storage.backend !== 'cluster') throw new Error('this test cluster runs on one redis-server');
    return this.storage.cluster;
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const backend = options.backend ?? defaultBackend;
    const storage: Storage =
      backend === 'server'
        ? { backend, server: await startRedisServer() }
        : { backend, cluster: await startRedisCluster() };
    const cluster = new Cluster(storage, [], options);
    // Settle every start before giving up, so that no instance starts after the cleanup.
    const started = await Promise.allSettled(
      Array.from({ length: options.instances }, () => cluster.spawn()),
    );
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) {
      await cluster.close();
      throw failure.reason;
    }
    return cluster;
  }

  /** Starts one more instance on the same Redis. */
  async spawn(): Promise<ClusterInstance> {
    const instance = await ClusterInstance.start({
      redis:
        this.storage.backend === 'server'
          ? { url: this.storage.server.url }
          : { clusterNodes: this.storage.cluster.urls },
      leaseMs: this.options.leaseMs,
      keyPrefix: this.options.keyPrefix,
      history: this.options.history,
    });
    this.instances.push(instance);
    return instance;
  }

  instance(index: number): ClusterInstance {
    const instance = this.instances[index];
    if (!instance) throw new Error(`no instance #${index}`);
    return instance;
  }

  /** Raw Redis connections to look at what is stored (one per master on a cluster), closed with the cluster. */
  async inspector(): Promise<Inspector> {
    const inspector =
      this.storage.backend === 'server'
        ? await RedisInspector.open(this.storage.server.port)
        : await ClusterInspector.open(this.storage.cluster);
    this.inspectors.add(inspector);
    return inspector;
  }

  /** A key of @arcade/ws (src/registry/keys.ts) as the instances' adapter stores it in Redis, with its prefix. */
  storedKey(key: string): string {
    return `${this.options.keyPrefix ?? ADAPTER_KEY_PREFIX}${key}`;
  }

  /** The Redis key of an instance's lease (docs/cluster.md). */
  leaseKey(instance: ClusterInstance): string {
    return this.storedKey(storageKeys.lease(instance.instanceId));
  }

  /** Stops every instance gracefully (SIGKILL after a bound), then Redis. */
  async close(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.stop()));
    await Promise.all([...this.inspectors].map((inspector) => inspector.close()));
    this.inspectors.clear();
    await (this.storage.backend === 'server' ? this.storage.server.stop() : this.storage.cluster.stop());
  }
}

/**
 * Emits `prefix n` to `room` from `sender` until one reaches `member` on another instance: after an
 * outage, cross-instance delivery has resumed once this resolves (it fails after `timeoutMs`).
 */
export async function waitForRoomDelivery(
  sender: ClusterInstance,
  member: ClusterClient,
  room: string,
  prefix: string,
  timeoutMs: number,
): Promise<void> {
  let round = 0;
  await waitFor(
    async () => {
      await sender.settle('emitToRoom', room, `${prefix} ${round++}`);
      return member.client.history.some((frame) => frame.text.startsWith(`${prefix} `));
    },
    { description: 'cross-instance delivery to resume', timeoutMs, intervalMs: 100 },
  );
}
