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

describe('history cost', () => {
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
  const options = parseOptions(['--scenario', 'fanout,cluster', '--rounds', '2']);
  const scenarios = SCENARIO_LIST.filter((s) => options.scenarios.includes(s.name));
  const targetsOf = (scenario: (typeof SCENARIO_LIST)[number]) => targetsFor(scenario, options.targets);
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
    const rows = costRows(renderReport(options, scenarios, targetsOf, records, machine));
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
    const report = renderReport(options, scenarios, targetsOf, records, machine);
    expect(report).toMatch(/^\| arcade-history \| 650 \|/m);
  });

  it('leaves the section out when one side of the pair did not run', () => {
    const plain = records.filter((r) => r.target === 'arcade');
    expect(renderReport(options, scenarios, targetsOf, plain, machine)).not.toContain('History cost');
  });
});
