import type { BenchOptions, ScenarioName } from '../options';
import type { TargetName } from '../processes';
import type { Metrics } from '../protocol';
import { runClusterScenario } from './cluster';
import { CLUSTER_MASTERS, runClusterShardedScenario } from './cluster-sharded';
import {
  LADDER_METRICS,
  runConnectionsScenario,
  runScaleScenario,
  runStorageIdleScenario,
} from './connections';
import { LATENCY_LENGTH, runEchoLatencyRound, runEchoRound, runStorageEchoRound } from './echo';
import { runBigRoomScenario, runFanoutScenario } from './fanout';
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
  /** The table's columns; a function when they depend on the options (the scale ladder's rungs). */
  columns: Column[] | ((options: BenchOptions) => Column[]);
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

/**
 * `arcade` with one thing changed, each reported against `arcade` (a ratio column, and a cost section):
 * its WebSocket routes on the events protocol (`arcade-events`), its Prometheus metrics on
 * (`arcade-metrics`).
 */
const ARCADE_VARIANTS: TargetName[] = ['arcade-events', 'arcade-metrics'];
const WS_TARGETS: TargetName[] = ['arcade', ...ARCADE_VARIANTS, 'ws', 'ws-batch', 'socketio'];
/** Each way an app sets up storage, and its raw `ws` baseline (with hand-written Redis pub/sub for Redis). */
const STORAGE_TARGETS: TargetName[] = [
  'arcade',
  'arcade-default',
  'arcade-memory',
  'arcade-redis',
  'ws',
  'ws-redis',
];
/** The room scenarios also run `arcade-history`: the same server, emitting with `{ history: true }`. */
const ROOM_TARGETS: TargetName[] = [
  'arcade',
  'arcade-history',
  ...ARCADE_VARIANTS,
  'ws',
  'ws-batch',
  'socketio',
];
const HTTP_TARGETS: TargetName[] = ['arcade', 'arcade-metrics', 'fastify', 'node-http'];

/** Ratio columns against one baseline, headed "<label> ÷ <baseline>". */
function sameRoundRatios(baseline: TargetName, metrics: ReadonlyArray<[string, string]>): RatioColumn[] {
  return metrics.map(([metric, label]) => ({ metric, baseline, header: `${label} ÷ ${baseline}` }));
}

/** The columns of a scenario for a run's options. */
export function columnsOf(scenario: Scenario, options: BenchOptions): Column[] {
  return typeof scenario.columns === 'function' ? scenario.columns(options) : scenario.columns;
}

/** 18000 as `18k`, 500 as `500`: the scale ladder's rungs in headers. */
export function rungLabel(count: number): string {
  return count >= 1000 && count % 1000 === 0 ? `${count / 1000}k` : String(count);
}

const LADDER_HEADERS: Record<(typeof LADDER_METRICS)[number], [header: string, digits: number]> = {
  rssPerConnKiB: ['RSS KiB/conn', 2],
  heapPerConnKiB: ['heap KiB/conn', 2],
  cpuUsPerConnect: ['CPU µs/connect', 0],
};

const ECHO_COLUMNS: Column[] = [
  { metric: 'sentPerSec', header: 'msg/s', digits: 0 },
  { metric: 'rttP50Ms', header: 'RTT p50 ms', digits: 2 },
  { metric: 'rttP99Ms', header: 'p99 ms', digits: 2 },
  { metric: 'rttP999Ms', header: 'p99.9 ms', digits: 2 },
  { metric: 'lost', header: 'lost', digits: 0 },
  { metric: 'cpuUsPerMessage', header: 'server CPU µs/msg', digits: 2 },
];

const IDLE_COLUMNS: Column[] = [
  { metric: 'connections', header: 'open', digits: 0 },
  { metric: 'connectsPerSec', header: 'connects/s', digits: 0 },
  { metric: 'cpuUsPerConnect', header: 'server CPU µs/connect', digits: 0 },
  { metric: 'rssPerConnKiB', header: 'RSS KiB/conn', digits: 2 },
  { metric: 'heapPerConnKiB', header: 'heap KiB/conn', digits: 2 },
  { metric: 'rssMiB', header: 'RSS MiB', digits: 0 },
];

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
      { metric: 'deliveredPerSec', baseline: 'arcade', header: 'msg/s ÷ arcade' },
      { metric: 'cpuUsPerDelivery', baseline: 'ws', header: 'CPU ÷ ws' },
      { metric: 'cpuUsPerDelivery', baseline: 'ws-batch', header: 'CPU ÷ ws-batch' },
      { metric: 'cpuUsPerDelivery', baseline: 'socketio', header: 'CPU ÷ socketio' },
      { metric: 'cpuUsPerDelivery', baseline: 'arcade', header: 'CPU ÷ arcade' },
    ],
  },
  {
    name: 'big-room',
    describe: (o) =>
      `one room of ${o.bigRoomMembers} clients, member 0 publishes, window ${o.window}, ` +
      `${o.payloadBytes}-byte text messages: each message one broadcast to every member; one server process`,
    targets: ['arcade', 'ws-batch'],
    accepts: ROOM_TARGETS,
    run: runBigRoomScenario,
    columns: [
      ...FANOUT_COLUMNS,
      { metric: 'peakRssMiB', header: 'peak RSS MiB', digits: 0 },
      { metric: 'loadCpuPercent', header: 'loadgen CPU %', digits: 0 },
    ],
    ratios: sameRoundRatios('ws-batch', [
      ['cpuUsPerDelivery', 'CPU'],
      ['deliveredPerSec', 'msg/s'],
    ]),
  },
  {
    name: 'echo',
    describe: (o) =>
      `${o.echoConnections} connections per target, ${o.echoRate} msg/s in total (open loop), ` +
      `${o.payloadBytes}-byte messages; the targets serve at the same time and take turns in ` +
      `${o.slices} interleaved slices each`,
    targets: ['arcade', ...ARCADE_VARIANTS, 'ws', 'socketio'],
    accepts: WS_TARGETS,
    runRound: runEchoRound,
    columns: [...ECHO_COLUMNS, { metric: 'loadCpuPercent', header: 'loadgen CPU %', digits: 0 }],
    ratios: [
      { metric: 'cpuUsPerMessage', baseline: 'ws', header: 'CPU ÷ ws' },
      { metric: 'cpuUsPerMessage', baseline: 'socketio', header: 'CPU ÷ socketio' },
      { metric: 'cpuUsPerMessage', baseline: 'arcade', header: 'CPU ÷ arcade' },
      { metric: 'rttP99Ms', baseline: 'ws', header: 'p99 ÷ ws' },
      { metric: 'rttP99Ms', baseline: 'arcade', header: 'p99 ÷ arcade' },
    ],
  },
  {
    name: 'storage-echo',
    describe: (o) =>
      `echo through the room route: ${o.echoConnections} connections per target, each alone in its room, ` +
      `the server broadcasts (\`emitToRoom\`) every message to the room; ${o.echoRate} msg/s in total ` +
      `(open loop), ${o.payloadBytes}-byte messages; the targets serve at the same time (one redis-server ` +
      `for those on Redis) and take turns in ${o.slices} interleaved slices each`,
    targets: STORAGE_TARGETS,
    accepts: [...STORAGE_TARGETS, ...ARCADE_VARIANTS, 'ws-batch', 'socketio'],
    runRound: runStorageEchoRound,
    columns: [
      ...ECHO_COLUMNS,
      { metric: 'redisCpuUsPerMessage', header: 'redis CPU µs/msg', digits: 2 },
      { metric: 'loadCpuPercent', header: 'loadgen CPU %', digits: 0 },
    ],
    ratios: [
      ...sameRoundRatios('ws', [
        ['cpuUsPerMessage', 'CPU'],
        ['rttP99Ms', 'p99'],
      ]),
      ...sameRoundRatios('ws-redis', [['cpuUsPerMessage', 'CPU']]),
    ],
  },
  {
    name: 'echo-latency',
    describe: (o) =>
      `storage-echo's load at a low rate: ${o.echoConnections} connections per target, each alone in its ` +
      `room, ${o.latencyRate} msg/s in total, ${(o.durationMs * LATENCY_LENGTH) / 1000} s per target in ` +
      `${o.slices * LATENCY_LENGTH} ` +
      `interleaved slices; round trips from the send time in each message`,
    targets: ['arcade', 'ws'],
    accepts: [...STORAGE_TARGETS, ...ARCADE_VARIANTS, 'ws-batch', 'socketio'],
    runRound: runEchoLatencyRound,
    columns: ECHO_COLUMNS,
    ratios: sameRoundRatios('ws', [
      ['rttP50Ms', 'p50'],
      ['rttP99Ms', 'p99'],
      ['rttP999Ms', 'p99.9'],
      ['cpuUsPerMessage', 'CPU'],
    ]),
  },
  {
    name: 'connections',
    describe: (o) =>
      `${o.idleConnections} idle connections (each in one of 10 rooms); memory after full GCs (until one frees nothing more)`,
    targets: ['arcade', 'arcade-metrics', 'ws', 'socketio'],
    accepts: WS_TARGETS,
    run: runConnectionsScenario,
    columns: IDLE_COLUMNS,
    ratios: [
      { metric: 'rssPerConnKiB', baseline: 'ws', header: 'RSS/conn ÷ ws' },
      { metric: 'rssPerConnKiB', baseline: 'socketio', header: 'RSS/conn ÷ socketio' },
      { metric: 'rssPerConnKiB', baseline: 'arcade', header: 'RSS/conn ÷ arcade' },
      { metric: 'connectsPerSec', baseline: 'ws', header: 'connects/s ÷ ws' },
      { metric: 'cpuUsPerConnect', baseline: 'arcade', header: 'CPU/connect ÷ arcade' },
    ],
  },
  {
    name: 'storage-idle',
    describe: (o) =>
      `${o.idleConnections} idle connections, each in one of ${o.idleRooms} rooms, 100 handshakes in ` +
      `flight; memory after full GCs; server CPU per connect from the first handshake to 200 ms after ` +
      `the last (redis-server's apart, not in the ratios)`,
    targets: STORAGE_TARGETS,
    accepts: [...STORAGE_TARGETS, ...ARCADE_VARIANTS, 'socketio'],
    run: runStorageIdleScenario,
    columns: [...IDLE_COLUMNS, { metric: 'redisCpuUsPerConnect', header: 'redis CPU µs/connect', digits: 0 }],
    ratios: (['ws', 'ws-redis'] as const).flatMap((baseline) =>
      sameRoundRatios(baseline, [
        ['rssPerConnKiB', 'RSS/conn'],
        ['connectsPerSec', 'connects/s'],
        ['cpuUsPerConnect', 'CPU/connect'],
      ]),
    ),
  },
  {
    name: 'scale',
    describe: (o) =>
      `one server grows to ${o.scaleRungs.join(', ')} idle connections, each in one of ${o.idleRooms} ` +
      `rooms; RSS and heap per connection after full GCs at each rung, CPU per connect over each rung's ` +
      `new connections; heap growth = heap per connection at the top rung ÷ at the first`,
    targets: ['arcade', 'ws'],
    accepts: [...STORAGE_TARGETS, ...ARCADE_VARIANTS, 'socketio'],
    run: runScaleScenario,
    columns: (o) => [
      ...LADDER_METRICS.flatMap((metric) =>
        o.scaleRungs.map((rung) => ({
          metric: `r${rung}.${metric}`,
          header: `${LADDER_HEADERS[metric][0]} @${rungLabel(rung)}`,
          digits: LADDER_HEADERS[metric][1],
        })),
      ),
      {
        metric: 'top.connectsPerSec',
        header: `connects/s @${rungLabel(o.scaleRungs.at(-1) ?? 0)}`,
        digits: 0,
      },
      { metric: 'top.rssMiB', header: 'RSS MiB at top', digits: 0 },
      { metric: 'heapGrowth', header: 'heap growth', digits: 3 },
    ],
    ratios: sameRoundRatios('ws', [
      ['top.rssPerConnKiB', 'RSS/conn at top'],
      ['top.heapPerConnKiB', 'heap/conn at top'],
      ['top.cpuUsPerConnect', 'CPU/connect at top'],
      ['heapGrowth', 'heap growth'],
    ]),
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
      { metric: 'json.requestsPerSec', baseline: 'arcade', header: '/json ÷ arcade' },
      { metric: 'param.requestsPerSec', baseline: 'arcade', header: '/users/:id ÷ arcade' },
      { metric: 'json.cpuUsPerRequest', baseline: 'arcade', header: '/json CPU ÷ arcade' },
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

const FANOUT_COST_METRICS: Column[] = [
  { metric: 'cpuUsPerDelivery', header: 'server CPU µs/delivery', digits: 2 },
  { metric: 'deliveredPerSec', header: 'delivered msg/s', digits: 0 },
  { metric: 'p50Ms', header: 'p50 ms', digits: 2 },
];

/** A cost against `arcade` of one variant in several scenarios, each with its own metrics. */
function arcadeCosts(
  label: string,
  target: TargetName,
  metrics: Partial<Record<ScenarioName, Column[]>>,
): Cost[] {
  return Object.entries(metrics).map(([scenario, columns]) => ({
    label,
    scenario: scenario as ScenarioName,
    target,
    baseline: 'arcade',
    metrics: columns!,
  }));
}

const ECHO_COST_METRICS: Column[] = [
  { metric: 'cpuUsPerMessage', header: 'server CPU µs/msg', digits: 2 },
  { metric: 'rttP50Ms', header: 'RTT p50 ms', digits: 2 },
  { metric: 'rttP99Ms', header: 'RTT p99 ms', digits: 2 },
];

export const COSTS: Cost[] = [
  {
    label: 'History',
    scenario: 'fanout',
    target: 'arcade-history',
    baseline: 'arcade',
    metrics: FANOUT_COST_METRICS,
  },
  {
    label: 'History',
    scenario: 'cluster',
    target: 'arcade-history',
    baseline: 'arcade',
    metrics: [
      ...FANOUT_COST_METRICS,
      { metric: 'redisCpuUsPerDelivery', header: 'redis CPU µs/delivery', digits: 2 },
    ],
  },
  ...arcadeCosts('Events protocol', 'arcade-events', {
    fanout: FANOUT_COST_METRICS,
    echo: ECHO_COST_METRICS,
  }),
  ...arcadeCosts('Metrics', 'arcade-metrics', {
    fanout: FANOUT_COST_METRICS,
    echo: ECHO_COST_METRICS,
    connections: [
      { metric: 'cpuUsPerConnect', header: 'server CPU µs/connect', digits: 0 },
      { metric: 'connectsPerSec', header: 'connects/s', digits: 0 },
      { metric: 'rssPerConnKiB', header: 'RSS KiB/conn', digits: 2 },
      { metric: 'heapPerConnKiB', header: 'heap KiB/conn', digits: 2 },
    ],
    http: [
      { metric: 'json.requestsPerSec', header: '/json req/s', digits: 0 },
      { metric: 'json.cpuUsPerRequest', header: '/json CPU µs/req', digits: 1 },
      { metric: 'param.requestsPerSec', header: '/users/:id req/s', digits: 0 },
      { metric: 'param.cpuUsPerRequest', header: '/users/:id CPU µs/req', digits: 1 },
    ],
  }),
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

/** A goal of issue 20 on each storage setup, against its raw `ws` baseline. */
function storageGoals(
  what: string,
  scenario: ScenarioName,
  metric: string,
  kind: Goal['kind'],
  bounds: Partial<Record<'arcade' | 'arcade-default' | 'arcade-memory' | 'arcade-redis', number>>,
): Goal[] {
  const setups = {
    arcade: ['no storage call', 'ws'],
    'arcade-default': ['initializeWebSocketStorage()', 'ws'],
    'arcade-memory': ['MemoryCacheManager', 'ws'],
    'arcade-redis': ['RedisCacheManager', 'ws-redis'],
  } as const;
  return Object.entries(bounds).map(([target, bound]) => {
    const [setup, baseline] = setups[target as keyof typeof setups];
    return {
      label: `${what}, ${setup} (${target}), ÷ ${baseline === 'ws' ? 'raw ws' : 'raw ws + Redis pub/sub'}`,
      scenario,
      metric,
      target: target as TargetName,
      baseline,
      kind,
      bound: bound!,
    };
  });
}

/** Issue 20: every path users take, each storage setup, the scale ladder, one big room. */
const ROUND_TWO_GOALS: Goal[] = [
  ...storageGoals(
    'echo through emitToRoom: server CPU µs per message',
    'storage-echo',
    'cpuUsPerMessage',
    'max',
    {
      arcade: 1.05,
      'arcade-default': 1.05,
      'arcade-memory': 1.25,
      'arcade-redis': 1.25,
    },
  ),
  ...storageGoals('idle in rooms: RSS KiB per connection', 'storage-idle', 'rssPerConnKiB', 'max', {
    arcade: 1.05,
    'arcade-default': 1.05,
    'arcade-memory': 1.15,
    'arcade-redis': 1.15,
  }),
  ...storageGoals('connects/s', 'storage-idle', 'connectsPerSec', 'min', {
    arcade: 0.95,
    'arcade-default': 0.95,
  }),
  ...storageGoals('server CPU µs per connect', 'storage-idle', 'cpuUsPerConnect', 'max', {
    'arcade-memory': 1.3,
    'arcade-redis': 1.3,
  }),
  {
    label: 'echo through emitToRoom at the low rate: RTT p99 ms, ÷ raw ws',
    scenario: 'echo-latency',
    metric: 'rttP99Ms',
    target: 'arcade',
    baseline: 'ws',
    kind: 'max',
    bound: 1,
  },
  {
    label: 'scale, top rung: RSS KiB per connection, ÷ raw ws',
    scenario: 'scale',
    metric: 'top.rssPerConnKiB',
    target: 'arcade',
    baseline: 'ws',
    kind: 'max',
    bound: 1.05,
  },
  {
    label: 'scale, top rung: server CPU µs per connect, ÷ raw ws',
    scenario: 'scale',
    metric: 'top.cpuUsPerConnect',
    target: 'arcade',
    baseline: 'ws',
    kind: 'max',
    bound: 1.05,
  },
  {
    label: 'scale: heap per connection, top rung ÷ first, ÷ the same for raw ws',
    scenario: 'scale',
    metric: 'heapGrowth',
    target: 'arcade',
    baseline: 'ws',
    kind: 'max',
    bound: 1.05,
  },
  {
    label: 'one big room: server CPU µs per delivery, ÷ write-batching ws',
    scenario: 'big-room',
    metric: 'cpuUsPerDelivery',
    target: 'arcade',
    baseline: 'ws-batch',
    kind: 'max',
    bound: 1,
  },
];

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
  ...ROUND_TWO_GOALS,
];
