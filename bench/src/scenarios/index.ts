import type { BenchOptions, ScenarioName } from '../options';
import type { TargetName } from '../processes';
import type { Metrics } from '../protocol';
import { runClusterScenario } from './cluster';
import { CLUSTER_MASTERS, runClusterShardedScenario } from './cluster-sharded';
import { runConnectionsScenario } from './connections';
import { runEchoRound } from './echo';
import { runFanoutScenario } from './fanout';
import { runHttpRound } from './http';

/** A column of a scenario's table: the median over rounds of one metric. */
export interface Column {
  metric: string;
  header: string;
  digits: number;
}

/** A same-round ratio column: `metric(target) / metric(baseline)` per round, then the median. */
export interface RatioColumn {
  metric: string;
  baseline: TargetName;
  header: string;
}

interface ScenarioBase {
  name: ScenarioName;
  describe(options: BenchOptions): string;
  /** The targets of a default run. */
  targets: TargetName[];
  /** Every target this scenario can run (`--target` picks among them). */
  accepts: TargetName[];
  columns: Column[];
  ratios: RatioColumn[];
}

/** Measures one target at a time: the runner calls `run` for each target of a round in turn. */
interface SequentialScenario extends ScenarioBase {
  run(target: TargetName, options: BenchOptions): Promise<Metrics>;
  runRound?: never;
}

/**
 * Measures every target of a round together (so they share the machine's drift): one result per target,
 * in the order given, which the runner rotates every round.
 */
interface RoundScenario extends ScenarioBase {
  runRound(targets: readonly TargetName[], options: BenchOptions): Promise<PromiseSettledResult<Metrics>[]>;
  run?: never;
}

export type Scenario = SequentialScenario | RoundScenario;

const WS_TARGETS: TargetName[] = ['arcade', 'ws', 'ws-batch', 'socketio'];
/** The room scenarios also run `arcade-history`: the same server, emitting with `{ history: true }`. */
const ROOM_TARGETS: TargetName[] = ['arcade', 'arcade-history', 'ws', 'ws-batch', 'socketio'];
const HTTP_TARGETS: TargetName[] = ['arcade', 'fastify', 'node-http'];

/** Ratio columns against one baseline, headed "<label> ÷ <baseline>". */
function sameRoundRatios(baseline: TargetName, metrics: ReadonlyArray<[string, string]>): RatioColumn[] {
  return metrics.map(([metric, label]) => ({ metric, baseline, header: `${label} ÷ ${baseline}` }));
}

const FANOUT_COLUMNS: Column[] = [
  { metric: 'deliveredPerSec', header: 'delivered msg/s', digits: 0 },
  { metric: 'p50Ms', header: 'p50 ms', digits: 2 },
  { metric: 'p99Ms', header: 'p99 ms', digits: 2 },
  { metric: 'lostDeliveries', header: 'lost', digits: 0 },
  { metric: 'cpuUsPerDelivery', header: 'server CPU µs/delivery', digits: 2 },
];

export const SCENARIO_LIST: Scenario[] = [
  {
    name: 'fanout',
    describe: (o) =>
      `${o.rooms} rooms × ${o.members} clients, one publisher per room, window ${o.window}, ` +
      `${o.payloadBytes}-byte text messages; one server process`,
    targets: ROOM_TARGETS,
    accepts: ROOM_TARGETS,
    run: runFanoutScenario,
    columns: [
      ...FANOUT_COLUMNS,
      { metric: 'peakRssMiB', header: 'peak RSS MiB', digits: 0 },
      { metric: 'loadCpuPercent', header: 'loadgen CPU %', digits: 0 },
    ],
    ratios: [
      { metric: 'deliveredPerSec', baseline: 'ws', header: 'msg/s ÷ ws' },
      { metric: 'deliveredPerSec', baseline: 'socketio', header: 'msg/s ÷ socketio' },
      { metric: 'cpuUsPerDelivery', baseline: 'ws', header: 'CPU ÷ ws' },
      { metric: 'cpuUsPerDelivery', baseline: 'ws-batch', header: 'CPU ÷ ws-batch' },
    ],
  },
  {
    name: 'echo',
    describe: (o) =>
      `${o.echoConnections} connections per target, ${o.echoRate} msg/s in total (open loop), ` +
      `${o.payloadBytes}-byte messages; the targets serve at the same time and take turns in ` +
      `${o.slices} interleaved slices each`,
    targets: ['arcade', 'ws', 'socketio'],
    accepts: WS_TARGETS,
    runRound: runEchoRound,
    columns: [
      { metric: 'sentPerSec', header: 'msg/s', digits: 0 },
      { metric: 'rttP50Ms', header: 'RTT p50 ms', digits: 2 },
      { metric: 'rttP99Ms', header: 'p99 ms', digits: 2 },
      { metric: 'rttP999Ms', header: 'p99.9 ms', digits: 2 },
      { metric: 'lost', header: 'lost', digits: 0 },
      { metric: 'cpuUsPerMessage', header: 'server CPU µs/msg', digits: 2 },
      { metric: 'loadCpuPercent', header: 'loadgen CPU %', digits: 0 },
    ],
    ratios: [
      { metric: 'cpuUsPerMessage', baseline: 'ws', header: 'CPU ÷ ws' },
      { metric: 'cpuUsPerMessage', baseline: 'socketio', header: 'CPU ÷ socketio' },
      { metric: 'rttP99Ms', baseline: 'ws', header: 'p99 ÷ ws' },
    ],
  },
  {
    name: 'connections',
    describe: (o) =>
      `${o.idleConnections} idle connections (each in one of 10 rooms); memory after full GCs (until one frees nothing more)`,
    targets: ['arcade', 'ws', 'socketio'],
    accepts: WS_TARGETS,
    run: runConnectionsScenario,
    columns: [
      { metric: 'connections', header: 'open', digits: 0 },
      { metric: 'connectsPerSec', header: 'connects/s', digits: 0 },
      { metric: 'rssPerConnKiB', header: 'RSS KiB/conn', digits: 2 },
      { metric: 'heapPerConnKiB', header: 'heap KiB/conn', digits: 2 },
      { metric: 'rssMiB', header: 'RSS MiB', digits: 0 },
    ],
    ratios: [
      { metric: 'rssPerConnKiB', baseline: 'ws', header: 'RSS/conn ÷ ws' },
      { metric: 'rssPerConnKiB', baseline: 'socketio', header: 'RSS/conn ÷ socketio' },
      { metric: 'connectsPerSec', baseline: 'ws', header: 'connects/s ÷ ws' },
    ],
  },
  {
    name: 'cluster',
    describe: () =>
      `fan-out as above over two server processes sharing one redis-server; each room's members split ` +
      `between them; CPU is both servers' (redis-server apart)`,
    // ws-batch is left out of the default list to keep `pnpm bench` short (`--target` adds it).
    targets: ['arcade', 'arcade-history', 'ws', 'socketio'],
    accepts: ROOM_TARGETS,
    run: runClusterScenario,
    columns: [
      ...FANOUT_COLUMNS,
      { metric: 'redisCpuUsPerDelivery', header: 'redis CPU µs/delivery', digits: 2 },
      { metric: 'loadCpuPercent', header: 'loadgen CPU %', digits: 0 },
    ],
    ratios: [
      { metric: 'deliveredPerSec', baseline: 'ws', header: 'msg/s ÷ ws' },
      { metric: 'deliveredPerSec', baseline: 'socketio', header: 'msg/s ÷ socketio' },
      { metric: 'cpuUsPerDelivery', baseline: 'ws', header: 'CPU ÷ ws' },
    ],
  },
  {
    name: 'cluster-sharded',
    describe: () =>
      `the cluster scenario's fan-out (same rooms and members) over two server processes on a fresh Redis ` +
      `Cluster of ${CLUSTER_MASTERS} masters with one replica each, sharded pub/sub (SPUBLISH/SSUBSCRIBE); ` +
      `socketio is \`createShardedAdapter\`; CPU is both servers'; redis CPU is the masters' sum, then each ` +
      `master's share of it from the busiest to the least busy, and the replicas' sum apart`,
    // arcade-history and ws-batch are left out of the default list to keep `pnpm bench` short.
    targets: ['arcade', 'ws', 'socketio'],
    accepts: ROOM_TARGETS,
    run: runClusterShardedScenario,
    columns: [
      ...FANOUT_COLUMNS,
      { metric: 'redisCpuUsPerDelivery', header: 'redis masters CPU µs/delivery', digits: 3 },
      ...Array.from({ length: CLUSTER_MASTERS }, (_, i) => ({
        metric: `redisMaster${i + 1}SharePct`,
        header:
          i === 0 ? 'busiest master %' : i === CLUSTER_MASTERS - 1 ? 'least busy %' : `master #${i + 1} %`,
        digits: 0,
      })),
      { metric: 'redisReplicaCpuUsPerDelivery', header: 'replicas CPU µs/delivery', digits: 3 },
      { metric: 'loadCpuPercent', header: 'loadgen CPU %', digits: 0 },
    ],
    ratios: [
      ...sameRoundRatios('socketio', [
        ['deliveredPerSec', 'msg/s'],
        ['cpuUsPerDelivery', 'CPU'],
        ['redisCpuUsPerDelivery', 'redis CPU'],
      ]),
      ...sameRoundRatios('ws', [['deliveredPerSec', 'msg/s']]),
    ],
  },
  {
    name: 'http',
    describe: (o) =>
      `autocannon, ${o.httpConnections} connections; GET /json and GET /users/42; the targets serve at ` +
      `the same time and take turns in ${o.slices} interleaved slices each`,
    targets: HTTP_TARGETS,
    accepts: HTTP_TARGETS,
    runRound: runHttpRound,
    columns: [
      { metric: 'json.requestsPerSec', header: '/json req/s', digits: 0 },
      { metric: 'json.p99Ms', header: 'p99 ms', digits: 1 },
      { metric: 'json.cpuUsPerRequest', header: 'CPU µs/req', digits: 1 },
      { metric: 'param.requestsPerSec', header: '/users/:id req/s', digits: 0 },
      { metric: 'param.p99Ms', header: 'p99 ms', digits: 1 },
      { metric: 'param.cpuUsPerRequest', header: 'CPU µs/req', digits: 1 },
    ],
    ratios: [
      { metric: 'json.requestsPerSec', baseline: 'fastify', header: '/json ÷ fastify' },
      { metric: 'param.requestsPerSec', baseline: 'fastify', header: '/users/:id ÷ fastify' },
      { metric: 'json.requestsPerSec', baseline: 'node-http', header: '/json ÷ node:http' },
    ],
  },
];

/**
 * The targets of `scenario` in a run: its default list, or those of `--target` it accepts (in the
 * scenario's order).
 */
export function targetsFor(scenario: Scenario, selected: readonly string[] | undefined): TargetName[] {
  return selected === undefined
    ? scenario.targets
    : scenario.accepts.filter((target) => selected.includes(target));
}

/**
 * What an option costs: a target that differs from `baseline` by that option alone, measured in the
 * same round; the report gives the same-round ratio `metric(target) / metric(baseline)` per metric.
 * With `baselineScenario`, the baseline is measured in that scenario instead (the same target on one
 * Redis against a Redis Cluster, say), in the same rounds.
 */
export interface Cost {
  /** The report's section is "<label> cost". */
  label: string;
  scenario: ScenarioName;
  target: TargetName;
  baseline: TargetName;
  /** Where the baseline runs. @default scenario */
  baselineScenario?: ScenarioName;
  metrics: Column[];
}

const HISTORY_METRICS: Column[] = [
  { metric: 'cpuUsPerDelivery', header: 'server CPU µs/delivery', digits: 2 },
  { metric: 'deliveredPerSec', header: 'delivered msg/s', digits: 0 },
  { metric: 'p50Ms', header: 'p50 ms', digits: 2 },
];

export const COSTS: Cost[] = [
  {
    label: 'History',
    scenario: 'fanout',
    target: 'arcade-history',
    baseline: 'arcade',
    metrics: HISTORY_METRICS,
  },
  {
    label: 'History',
    scenario: 'cluster',
    target: 'arcade-history',
    baseline: 'arcade',
    metrics: [
      ...HISTORY_METRICS,
      { metric: 'redisCpuUsPerDelivery', header: 'redis CPU µs/delivery', digits: 2 },
    ],
  },
  ...(['arcade', 'arcade-history', 'ws', 'socketio'] as const).map(
    (target): Cost => ({
      label: 'Redis Cluster',
      scenario: 'cluster-sharded',
      target,
      baseline: target,
      baselineScenario: 'cluster',
      metrics: [
        { metric: 'deliveredPerSec', header: 'delivered msg/s', digits: 0 },
        { metric: 'cpuUsPerDelivery', header: 'server CPU µs/delivery', digits: 2 },
        { metric: 'p50Ms', header: 'p50 ms', digits: 2 },
        { metric: 'redisCpuUsPerDelivery', header: 'redis CPU µs/delivery (masters)', digits: 3 },
      ],
    }),
  ),
];

/** A performance goal (bench/README.md, "Performance goals"), checked on a same-round ratio. */
export interface Goal {
  label: string;
  scenario: ScenarioName;
  metric: string;
  target: TargetName;
  baseline: TargetName;
  /** `max`: the ratio must be at most `bound`; `min`: at least. */
  kind: 'max' | 'min';
  bound: number;
}

export const GOALS: Goal[] = [
  {
    label: 'fan-out server CPU µs per delivery, ÷ write-batching ws',
    scenario: 'fanout',
    metric: 'cpuUsPerDelivery',
    target: 'arcade',
    baseline: 'ws-batch',
    kind: 'max',
    bound: 1,
  },
  {
    label: 'fan-out delivered msg/s, ÷ Socket.IO',
    scenario: 'fanout',
    metric: 'deliveredPerSec',
    target: 'arcade',
    baseline: 'socketio',
    kind: 'min',
    bound: 5,
  },
  {
    label: 'cluster delivered msg/s, ÷ Socket.IO + redis-adapter',
    scenario: 'cluster',
    metric: 'deliveredPerSec',
    target: 'arcade',
    baseline: 'socketio',
    kind: 'min',
    bound: 4,
  },
  {
    label: 'echo server CPU µs per message, ÷ raw ws',
    scenario: 'echo',
    metric: 'cpuUsPerMessage',
    target: 'arcade',
    baseline: 'ws',
    kind: 'max',
    bound: 1.05,
  },
  {
    label: 'idle RSS KiB per connection, ÷ raw ws',
    scenario: 'connections',
    metric: 'rssPerConnKiB',
    target: 'arcade',
    baseline: 'ws',
    kind: 'max',
    bound: 1.1,
  },
  {
    label: 'HTTP req/s on /json, ÷ Fastify',
    scenario: 'http',
    metric: 'json.requestsPerSec',
    target: 'arcade',
    baseline: 'fastify',
    kind: 'min',
    bound: 1,
  },
  {
    label: 'HTTP req/s on /users/:id, ÷ Fastify',
    scenario: 'http',
    metric: 'param.requestsPerSec',
    target: 'arcade',
    baseline: 'fastify',
    kind: 'min',
    bound: 1,
  },
];
