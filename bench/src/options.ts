/** Every scenario, in the order a full run executes them. */
export const SCENARIOS = [
  'fanout',
  'big-room',
  'echo',
  'storage-echo',
  'echo-latency',
  'connections',
  'storage-idle',
  'scale',
  'cluster',
  'cluster-sharded',
  'http',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/**
 * A run without `--scenario`: every scenario but `cluster-sharded` (no goal; starting a Redis Cluster per
 * target makes it the slowest, about 35 s a round), to keep `pnpm bench` near 10 minutes.
 */
export const DEFAULT_SCENARIOS: ScenarioName[] = SCENARIOS.filter((name) => name !== 'cluster-sharded');

/** Settings of one `pnpm bench` invocation (command-line flags in brackets). */
export interface BenchOptions {
  /** Scenarios to run [--scenario a,b]. @default DEFAULT_SCENARIOS */
  scenarios: ScenarioName[];
  /** Restrict every scenario to these targets [--target a,b]. @default each scenario's own list */
  targets: string[] | undefined;
  /** Rounds; every table cell is the median over rounds [--rounds]. @default 3 */
  rounds: number;
  /** Measured window of each run in ms [--duration]. @default 2000 */
  durationMs: number;
  /** Unmeasured load before the window in ms [--warmup]. @default 500 */
  warmupMs: number;
  /** Fan-out rooms and members per room [--rooms, --members]. @default 10, 100 */
  rooms: number;
  members: number;
  /** Fan-out messages per publisher not yet delivered to every member [--window]. @default 16 */
  window: number;
  /** Payload size in bytes [--payload]. @default 64 */
  payloadBytes: number;
  /** Echo connections and total messages/s [--echo-connections, --echo-rate]. @default 1000, 20000 */
  echoConnections: number;
  echoRate: number;
  /** Idle connections of the connections and storage-idle scenarios [--connections]. @default 10000 */
  idleConnections: number;
  /**
   * Connections opened and closed before each rung of an idle scenario, so that a running server is
   * measured rather than V8 compiling it (load/connections.ts, warmUp) [--idle-warmup]. @default 5000
   */
  idleWarmup: number;
  /** Rooms the idle connections of storage-idle and scale are spread over [--idle-rooms]. @default 100 */
  idleRooms: number;
  /** Connections at each rung of the scale ladder [--scale a,b,c]. @default 1000,5000,10000,18000 */
  scaleRungs: number[];
  /** Members of big-room's one room [--big-room]. @default 10000 */
  bigRoomMembers: number;
  /** Total msg/s of echo-latency [--latency-rate]. @default 5000 */
  latencyRate: number;
  /** autocannon connections [--http-connections]. @default 64 */
  httpConnections: number;
  /**
   * Slices each echo and HTTP target's measured time is cut into; the targets of a round run at once and
   * take turns slice by slice, so the machine's drift falls on all of them alike [--slices]. @default 6
   */
  slices: number;
  /** Start target servers with `--cpu-prof` into bench/results/profiles [--cpu-prof]. @default false */
  cpuProf: boolean;
  /** Start the load generator with `--cpu-prof` too [--cpu-prof-load]. @default false */
  cpuProfLoad: boolean;
}

const DEFAULTS: BenchOptions = {
  scenarios: DEFAULT_SCENARIOS,
  targets: undefined,
  rounds: 3,
  // 2 s rather than 3: the whole default run within about 10 minutes (bench/README.md, "Run it").
  durationMs: 2000,
  warmupMs: 500,
  rooms: 10,
  members: 100,
  window: 16,
  payloadBytes: 64,
  echoConnections: 1000,
  echoRate: 20_000,
  idleConnections: 10_000,
  idleWarmup: 5000,
  idleRooms: 100,
  // The top rung stays under this machine's ceiling of 20,000 open files per process (see child.ts).
  scaleRungs: [1000, 5000, 10_000, 18_000],
  bigRoomMembers: 10_000,
  latencyRate: 5000,
  httpConnections: 64,
  slices: 6,
  cpuProf: false,
  cpuProfLoad: false,
};

const NUMERIC_FLAGS: Record<string, keyof BenchOptions> = {
  '--rounds': 'rounds',
  '--duration': 'durationMs',
  '--warmup': 'warmupMs',
  '--rooms': 'rooms',
  '--members': 'members',
  '--window': 'window',
  '--payload': 'payloadBytes',
  '--echo-connections': 'echoConnections',
  '--echo-rate': 'echoRate',
  '--connections': 'idleConnections',
  '--idle-warmup': 'idleWarmup',
  '--idle-rooms': 'idleRooms',
  '--big-room': 'bigRoomMembers',
  '--latency-rate': 'latencyRate',
  '--http-connections': 'httpConnections',
  '--slices': 'slices',
  // The name from when only HTTP was interleaved, kept for scripts that pass it.
  '--http-slices': 'slices',
};

export const USAGE = `usage: node dist/run.js [options]
  --scenario ${SCENARIOS.join(',')}
             (default: all but cluster-sharded)
  --target arcade,arcade-history,arcade-events,arcade-metrics,arcade-default,arcade-memory,arcade-redis,
           ws,ws-batch,ws-redis,socketio,fastify,node-http
  --rounds N  --duration MS  --warmup MS   (default 3 rounds, 2000 ms measured after 500 ms)
  --quick   1 round of 1 s, 2000 idle connections (1000 to warm up), a 2000-member big room, scale ladder 500,1000,2000
  --rooms N --members N --window N --payload BYTES --big-room MEMBERS
  --echo-connections N --echo-rate MSG_PER_S --latency-rate MSG_PER_S
  --connections N --idle-rooms N --scale N,N,...   idle connections; the scale ladder's rungs
  --idle-warmup N   connections opened and closed before each rung of an idle scenario is measured (default 5000)
  --http-connections N
  --slices N   turns of each echo and HTTP target, which run at once and alternate (default 6)
  --cpu-prof   start the target servers with --cpu-prof (profiles in bench/results/profiles)
  --cpu-prof-load   the same for the load generator (to see whether the client is the limit)`;

/** Parses command-line flags; throws with the usage text on anything unknown. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    ...DEFAULTS,
    scenarios: [...DEFAULTS.scenarios],
    scaleRungs: [...DEFAULTS.scaleRungs],
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (flag === '--') continue;
    if (flag === '--cpu-prof') options.cpuProf = true;
    else if (flag === '--cpu-prof-load') options.cpuProfLoad = true;
    else if (flag === '--quick')
      Object.assign(options, {
        rounds: 1,
        durationMs: 1000,
        idleConnections: 2000,
        idleWarmup: 1000,
        bigRoomMembers: 2000,
        scaleRungs: [500, 1000, 2000],
      });
    else if (flag === '--scale' && value !== undefined) {
      options.scaleRungs = parseRungs(value);
      i++;
    } else if (flag === '--scenario' && value !== undefined) {
      const names = value.split(',');
      const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
      if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(',')}\n${USAGE}`);
      options.scenarios = names as ScenarioName[];
      i++;
    } else if (flag === '--target' && value !== undefined) {
      options.targets = value.split(',');
      i++;
    } else if (flag in NUMERIC_FLAGS && value !== undefined && Number.isFinite(Number(value))) {
      (options as unknown as Record<string, number>)[NUMERIC_FLAGS[flag]!] = Number(value);
      i++;
    } else {
      throw new Error(`unknown or incomplete option ${flag}\n${USAGE}`);
    }
  }
  if (!Number.isInteger(options.slices) || options.slices < 1) {
    throw new Error(`--slices must be a whole number of at least 1\n${USAGE}`);
  }
  return options;
}

/** `--scale`: increasing whole numbers of connections, comma-separated. */
function parseRungs(value: string): number[] {
  const rungs = value.split(',').map(Number);
  if (rungs.some((rung, i) => !Number.isInteger(rung) || rung < 1 || (i > 0 && rung <= rungs[i - 1]!))) {
    throw new Error(`--scale takes increasing whole numbers, got ${value}\n${USAGE}`);
  }
  return rungs;
}
