import { parseOptions } from '../src/options';
import {
  type MachineInfo,
  medianOf,
  type RunRecord,
  ratioOf,
  ratioText,
  renderReport,
  roundRatios,
} from '../src/report';
import { SCENARIO_LIST, targetsFor } from '../src/scenarios';

const record = (round: number, target: 'arcade' | 'ws', value: number): RunRecord => ({
  round,
  scenario: 'fanout',
  target,
  metrics: { deliveredPerSec: value },
});

describe('report figures', () => {
  const records: RunRecord[] = [
    record(0, 'arcade', 100),
    record(0, 'ws', 50),
    record(1, 'arcade', 300),
    record(1, 'ws', 100),
    record(2, 'arcade', 40),
    { round: 2, scenario: 'fanout', target: 'ws', error: 'crashed' },
  ];

  it('takes the median over rounds of one target', () => {
    expect(medianOf(records, 'fanout', 'arcade', 'deliveredPerSec')).toBe(100);
  });

  it('takes the median of same-round ratios, skipping rounds where either side failed', () => {
    expect(ratioOf(records, 'fanout', 'deliveredPerSec', 'arcade', 'ws')).toBe(2.5);
  });
});

describe('ratio text', () => {
  it('prints two decimals, and three when two would print the bound itself', () => {
    expect(ratioText(1.234)).toBe('1.23×');
    expect(ratioText(0.9987, 1)).toBe('0.999×');
    expect(ratioText(1.0012, 1)).toBe('1.001×');
    expect(ratioText(1, 1)).toBe('1.00×');
    expect(ratioText(1.05, 1)).toBe('1.05×');
    expect(ratioText(Number.NaN)).toBe('–');
  });
});

const machine: MachineInfo = {
  date: '2026-12-07T20:00:00Z',
  cpus: 2,
  cpuModel: 'test',
  node: 'v20',
  kernel: '6',
  loadBefore: [0, 0, 0],
  loadAfter: [0, 0, 0],
  elapsedSec: 1,
};

/** The report of `records` for a two-round run of `scenarios` (comma-separated), each with its default targets. */
function reportOf(scenarios: string, records: readonly RunRecord[]): string {
  const options = parseOptions(['--scenario', scenarios, '--rounds', '2']);
  return renderReport(
    options,
    SCENARIO_LIST.filter((s) => options.scenarios.includes(s.name)),
    (scenario) => targetsFor(scenario, options.targets),
    records,
    machine,
  );
}

describe('history cost', () => {
  const run = (
    round: number,
    scenario: 'fanout' | 'cluster',
    target: 'arcade' | 'arcade-history',
    cpu: number,
    rate: number,
    redis = Number.NaN,
  ): RunRecord => ({
    round,
    scenario,
    target,
    metrics: { cpuUsPerDelivery: cpu, deliveredPerSec: rate, p50Ms: 10, redisCpuUsPerDelivery: redis },
  });
  const records: RunRecord[] = [
    run(0, 'fanout', 'arcade', 1, 1000),
    run(0, 'fanout', 'arcade-history', 1.5, 800),
    run(1, 'fanout', 'arcade', 2, 1000),
    run(1, 'fanout', 'arcade-history', 2.2, 500),
    run(0, 'cluster', 'arcade', 1, 1000, 0.1),
    run(0, 'cluster', 'arcade-history', 3, 400, 0.5),
    { round: 1, scenario: 'cluster', target: 'arcade', error: 'crashed' },
    run(1, 'cluster', 'arcade-history', 3, 400, 0.5),
  ];
  const costRows = (report: string): string[] =>
    report
      .split('## History cost')[1]!
      .split('\n## ')[0]!
      .split('\n')
      .filter((line) => /^\| (fanout|cluster) \|/.test(line));

  it('lists the same-round ratios of the rounds where both targets ran', () => {
    expect(roundRatios(records, 'fanout', 'cpuUsPerDelivery', 'arcade-history', 'arcade')).toEqual([
      1.5, 1.1,
    ]);
    expect(roundRatios(records, 'cluster', 'cpuUsPerDelivery', 'arcade-history', 'arcade')).toEqual([3]);
  });

  it('reports history ÷ plain per metric, with Redis CPU for the cluster only', () => {
    const rows = costRows(reportOf('fanout,cluster', records));
    expect(rows).toEqual([
      '| fanout | server CPU µs/delivery | 1.50 (arcade) | 1.85 (arcade-history) | 1.30× | 1.10× – 1.50× |',
      '| fanout | delivered msg/s | 1,000 (arcade) | 650 (arcade-history) | 0.65× | 0.50× – 0.80× |',
      '| fanout | p50 ms | 10.00 (arcade) | 10.00 (arcade-history) | 1.00× | 1.00× – 1.00× |',
      '| cluster | server CPU µs/delivery | 1.00 (arcade) | 3.00 (arcade-history) | 3.00× | 3.00× – 3.00× |',
      '| cluster | delivered msg/s | 1,000 (arcade) | 400 (arcade-history) | 0.40× | 0.40× – 0.40× |',
      '| cluster | p50 ms | 10.00 (arcade) | 10.00 (arcade-history) | 1.00× | 1.00× – 1.00× |',
      '| cluster | redis CPU µs/delivery | 0.10 (arcade) | 0.50 (arcade-history) | 5.00× | 5.00× – 5.00× |',
    ]);
  });

  it('gives arcade-history its own row in the scenario tables', () => {
    const report = reportOf('fanout,cluster', records);
    expect(report).toMatch(/^\| arcade-history \| 650 \|/m);
  });

  it('leaves the section out when one side of the pair did not run', () => {
    const plain = records.filter((r) => r.target === 'arcade');
    expect(reportOf('fanout,cluster', plain)).not.toContain('History cost');
  });
});

describe('Redis Cluster cost and the cluster-sharded table', () => {
  // round, scenario, target, delivered/s, redis CPU µs per delivery; cluster-sharded runs also get fixed
  // master shares and half their Redis CPU on replicas.
  const runs: Array<[number, 'cluster' | 'cluster-sharded', 'arcade' | 'socketio', number, number]> = [
    [0, 'cluster', 'arcade', 1000, 0.02],
    [0, 'cluster-sharded', 'arcade', 800, 0.04],
    [0, 'cluster', 'socketio', 200, 0.2],
    [0, 'cluster-sharded', 'socketio', 100, 0.1],
    [1, 'cluster', 'arcade', 1000, 0.02],
    [1, 'cluster-sharded', 'arcade', 600, 0.06],
    [1, 'cluster', 'socketio', 200, 0.2],
    [1, 'cluster-sharded', 'socketio', 100, 0.1],
  ];
  const records: RunRecord[] = runs.map(([round, scenario, target, rate, redis]) => {
    const shares = { redisMaster1SharePct: 40, redisMaster2SharePct: 35, redisMaster3SharePct: 25 };
    const sharded =
      scenario === 'cluster-sharded' ? { ...shares, redisReplicaCpuUsPerDelivery: redis / 2 } : {};
    const metrics = { deliveredPerSec: rate, cpuUsPerDelivery: 1, p50Ms: 10, redisCpuUsPerDelivery: redis };
    return { round, scenario, target, metrics: { ...metrics, ...sharded } };
  });
  const section = (report: string, title: string): string[] =>
    report
      .split(`## ${title}\n`)[1]!
      .split('\n## ')[0]!
      .split('\n')
      .filter((line) => line.startsWith('| '));

  it('takes the same-round ratio against the same target in the baseline scenario', () => {
    expect(roundRatios(records, 'cluster-sharded', 'deliveredPerSec', 'arcade', 'arcade', 'cluster')).toEqual(
      [0.8, 0.6],
    );
  });

  it('reports each target on the cluster against itself on one Redis', () => {
    const rows = section(reportOf('cluster,cluster-sharded', records), 'Redis Cluster cost');
    expect(rows).toContain(
      '| cluster-sharded | delivered msg/s | 1,000 (arcade, cluster) | 700 (arcade) | 0.70× | 0.60× – 0.80× |',
    );
    expect(rows).toContain(
      '| cluster-sharded | redis CPU µs/delivery (masters) | 0.200 (socketio, cluster) | 0.100 (socketio) | 0.50× | 0.50× – 0.50× |',
    );
  });

  it('gives the masters sum, each master share and ratios against Socket.IO in the scenario table', () => {
    const rows = section(reportOf('cluster,cluster-sharded', records), 'cluster-sharded');
    expect(rows[0]).toContain(
      '| redis masters CPU µs/delivery | busiest master % | master #2 % | least busy % | replicas CPU µs/delivery |',
    );
    expect(rows[0]).toContain('| msg/s ÷ socketio | CPU ÷ socketio | redis CPU ÷ socketio |');
    const arcade = rows.find((line) => line.startsWith('| arcade |'))!;
    expect(arcade).toMatch(
      /^\| arcade \| 700 \| .* \| 0\.050 \| 40 \| 35 \| 25 \| 0\.025 \| .* \| 7\.00× \| 1\.00× \| 0\.50× \|$/,
    );
  });

  it('leaves the cost out when the baseline scenario did not run', () => {
    const shardedOnly = records.filter((r) => r.scenario === 'cluster-sharded');
    expect(reportOf('cluster,cluster-sharded', shardedOnly)).not.toContain('Redis Cluster cost');
  });
});
