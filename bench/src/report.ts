import { cpus, loadavg, release } from 'node:os';
import type { BenchOptions, ScenarioName } from './options';
import type { TargetName } from './processes';
import type { Metrics } from './protocol';
import { COSTS, type Column, columnsOf, GOALS, type Scenario } from './scenarios';
import { median } from './stats';

/** The outcome of one run of one target in one scenario and round. */
export interface RunRecord {
  round: number;
  scenario: ScenarioName;
  target: TargetName;
  metrics?: Metrics;
  error?: string;
}

/** Where and when the numbers were taken. */
export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  node: string;
  kernel: string;
  loadBefore: number[];
  loadAfter: number[];
  elapsedSec: number;
}

export function machineInfo(startedAt: Date, loadBefore: number[]): MachineInfo {
  return {
    date: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    kernel: release(),
    loadBefore,
    loadAfter: loadavg(),
    elapsedSec: (Date.now() - startedAt.getTime()) / 1000,
  };
}

function metricOf(
  records: readonly RunRecord[],
  scenario: string,
  target: string,
  round: number,
  metric: string,
) {
  const record = records.find((r) => r.scenario === scenario && r.target === target && r.round === round);
  const value = record?.metrics?.[metric];
  return typeof value === 'number' ? value : Number.NaN;
}

function rounds(records: readonly RunRecord[]): number[] {
  return [...new Set(records.map((r) => r.round))];
}

/** Median over rounds of one metric of one target. */
export function medianOf(
  records: readonly RunRecord[],
  scenario: string,
  target: string,
  metric: string,
): number {
  return median(rounds(records).map((round) => metricOf(records, scenario, target, round, metric)));
}

/**
 * The same-round ratios `metric(target) / metric(baseline)` of the rounds where both sides ran; the
 * baseline's from `baselineScenario` when given (the same target in another scenario of the round).
 */
export function roundRatios(
  records: readonly RunRecord[],
  scenario: string,
  metric: string,
  target: string,
  baseline: string,
  baselineScenario: string = scenario,
): number[] {
  return rounds(records)
    .map(
      (round) =>
        metricOf(records, scenario, target, round, metric) /
        metricOf(records, baselineScenario, baseline, round, metric),
    )
    .filter((ratio) => Number.isFinite(ratio));
}

/** Median over rounds of the same-round ratio `metric(target) / metric(baseline)`. */
export function ratioOf(
  records: readonly RunRecord[],
  scenario: string,
  metric: string,
  target: string,
  baseline: string,
): number {
  return median(roundRatios(records, scenario, metric, target, baseline));
}

function format(value: number, digits: number): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A median in a goal row: whole numbers when large, two decimals when small. */
function figure(value: number): string {
  return format(value, Math.abs(value) >= 100 ? 0 : 2);
}

/**
 * A ratio with two decimals, or three when two would print the bound itself: 0.999 against "≥ 1.00×"
 * must not read as 1.00× next to "no".
 */
export function ratioText(value: number, bound?: number): string {
  if (!Number.isFinite(value)) return '–';
  const digits = bound !== undefined && format(value, 2) === format(bound, 2) && value !== bound ? 3 : 2;
  return `${format(value, digits)}×`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** The lowest and highest of same-round ratios, or `–` when there are none. */
export function ratioRange(ratios: readonly number[]): string {
  if (ratios.length === 0) return '–';
  return `${ratioText(Math.min(...ratios))} – ${ratioText(Math.max(...ratios))}`;
}

/**
 * One section per cost label (`COSTS` in src/scenarios/index.ts): each measured metric of the target
 * and of its baseline (medians), their same-round ratio (median) and that ratio's range over rounds.
 */
function costSections(records: readonly RunRecord[]): string[] {
  const ran = (scenario: string, target: string): boolean =>
    records.some((r) => r.scenario === scenario && r.target === target && r.metrics !== undefined);
  const costs = COSTS.filter(
    (cost) => ran(cost.scenario, cost.target) && ran(cost.baselineScenario ?? cost.scenario, cost.baseline),
  );
  const lines: string[] = [];
  for (const label of new Set(costs.map((cost) => cost.label))) {
    const pairs = costs.filter((cost) => cost.label === label);
    lines.push(
      `## ${label} cost`,
      '',
      `Each target against its baseline, which differs from it by this alone (an option of the target, or ` +
        'the scenario it runs in), measured in the same rounds: the medians, the median of the same-round ' +
        'ratios and their range over rounds.',
      '',
      row(['scenario', 'metric', 'baseline', 'with the option', 'same-round ratio', 'rounds']),
      row(['---', '---', '---:', '---:', '---:', '---:']),
    );
    for (const cost of pairs) {
      const baselineScenario = cost.baselineScenario ?? cost.scenario;
      const where = baselineScenario === cost.scenario ? '' : `, ${baselineScenario}`;
      for (const column of cost.metrics) {
        const ratios = roundRatios(
          records,
          cost.scenario,
          column.metric,
          cost.target,
          cost.baseline,
          baselineScenario,
        );
        lines.push(
          row([
            cost.scenario,
            column.header,
            `${format(medianOf(records, baselineScenario, cost.baseline, column.metric), column.digits)} (${cost.baseline}${where})`,
            `${format(medianOf(records, cost.scenario, cost.target, column.metric), column.digits)} (${cost.target})`,
            ratioText(median(ratios)),
            ratioRange(ratios),
          ]),
        );
      }
    }
    lines.push('');
  }
  return lines;
}

function scenarioTable(
  scenario: Scenario,
  columns: readonly Column[],
  targets: readonly TargetName[],
  records: readonly RunRecord[],
): string[] {
  const ran = targets.filter((target) =>
    records.some((r) => r.scenario === scenario.name && r.target === target),
  );
  const ratios = scenario.ratios.filter((ratio) => ran.includes(ratio.baseline));
  const lines = [
    row(['target', ...columns.map((c) => c.header), ...ratios.map((r) => r.header)]),
    row(['---', ...columns.map(() => '---:'), ...ratios.map(() => '---:')]),
  ];
  for (const target of ran) {
    lines.push(
      row([
        target,
        ...columns.map((c) => format(medianOf(records, scenario.name, target, c.metric), c.digits)),
        ...ratios.map((r) =>
          r.baseline === target
            ? '1.00×'
            : ratioText(ratioOf(records, scenario.name, r.metric, target, r.baseline)),
        ),
      ]),
    );
  }
  return lines;
}

/** The markdown report: machine, performance goals, option costs, one table per scenario, failures. */
export function renderReport(
  options: BenchOptions,
  scenarios: readonly Scenario[],
  targetsOf: (scenario: Scenario) => TargetName[],
  records: readonly RunRecord[],
  machine: MachineInfo,
): string {
  const load = (values: number[]): string => values.map((v) => v.toFixed(2)).join(' ');
  const lines = [
    '# Arcade benchmark results',
    '',
    `${machine.date} · ${machine.cpus} × ${machine.cpuModel} · Node ${machine.node} · Linux ${machine.kernel}`,
    `${options.rounds} round(s) · ${options.durationMs} ms measured after ${options.warmupMs} ms of warm-up per run · ` +
      `load average before ${load(machine.loadBefore)}, after ${load(machine.loadAfter)} · ` +
      `${machine.elapsedSec.toFixed(0)} s in total`,
    '',
    'Each cell is the median over rounds; each ratio is the median of the ratios measured in the same round.',
    '',
  ];
  const goals = GOALS.filter((goal) =>
    records.some((r) => r.scenario === goal.scenario && r.target === goal.target),
  );
  if (goals.length > 0) {
    lines.push(
      '## Goals',
      '',
      row(['goal', 'arcade', 'baseline', 'same-round ratio', 'bound', 'met']),
      row(['---', '---:', '---:', '---:', '---:', '---']),
    );
    for (const goal of goals) {
      const ratio = ratioOf(records, goal.scenario, goal.metric, goal.target, goal.baseline);
      const met = !Number.isFinite(ratio)
        ? '–'
        : (goal.kind === 'max' ? ratio <= goal.bound : ratio >= goal.bound)
          ? 'yes'
          : 'no';
      lines.push(
        row([
          goal.label,
          figure(medianOf(records, goal.scenario, goal.target, goal.metric)),
          `${figure(medianOf(records, goal.scenario, goal.baseline, goal.metric))} (${goal.baseline})`,
          ratioText(ratio, goal.bound),
          `${goal.kind === 'max' ? '≤' : '≥'} ${format(goal.bound, 2)}×`,
          met,
        ]),
      );
    }
    lines.push('');
  }
  lines.push(...costSections(records));
  for (const scenario of scenarios) {
    lines.push(`## ${scenario.name}`, '', scenario.describe(options), '');
    lines.push(...scenarioTable(scenario, columnsOf(scenario, options), targetsOf(scenario), records), '');
  }
  const failures = records.filter((r) => r.error !== undefined);
  if (failures.length > 0) {
    lines.push('## Failed runs', '');
    for (const f of failures) lines.push(`- round ${f.round + 1}, ${f.scenario}/${f.target}: ${f.error}`);
    lines.push('');
  }
  return lines.join('\n');
}
