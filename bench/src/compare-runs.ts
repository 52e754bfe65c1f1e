import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type RunRecord, ratioOf, ratioRange, ratioText, roundRatios } from './report';
import { GOALS } from './scenarios';

/** One full run: its name in the table and its records (`bench/results/latest.json`'s `records`). */
export interface NamedRun {
  name: string;
  records: readonly RunRecord[];
}

/**
 * The goals across several runs, as the README's sample results show them: per run the median of its
 * same-round ratios and their range over rounds (✗ when missed), then in which runs the goal was met.
 * A goal none of the runs measured is left out.
 */
export function renderGoalsAcrossRuns(runs: readonly NamedRun[]): string {
  const lines = [
    `| goal | bound | ${runs.map((run) => `${run.name}: ratio (rounds)`).join(' | ')} | met in |`,
    `|---|---|${runs.map(() => '---|').join('')}---|`,
  ];
  for (const goal of GOALS) {
    const cells: string[] = [];
    const metIn: string[] = [];
    for (const run of runs) {
      const ratios = roundRatios(run.records, goal.scenario, goal.metric, goal.target, goal.baseline);
      if (ratios.length === 0) {
        cells.push('–');
        continue;
      }
      const ratio = ratioOf(run.records, goal.scenario, goal.metric, goal.target, goal.baseline);
      const met = goal.kind === 'max' ? ratio <= goal.bound : ratio >= goal.bound;
      if (met) metIn.push(run.name);
      cells.push(
        `${ratioText(ratio, goal.bound)} (${ratioRange(ratios).replace(' – ', '–')})${met ? '' : ' ✗'}`,
      );
    }
    if (cells.every((cell) => cell === '–')) continue;
    const summary = metIn.length === runs.length ? 'all' : metIn.length === 0 ? 'none' : metIn.join(', ');
    lines.push(
      `| ${goal.label} | ${goal.kind === 'max' ? '≤' : '≥'} ${goal.bound} | ${cells.join(' | ')} | ${summary} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `node dist/compare-runs.js A.json B.json`: the goals of saved runs (copies of results/latest.json). */
if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: node dist/compare-runs.js <latest.json of run A> <of run B> ...\n');
    process.exit(2);
  }
  const runs = files.map((file) => ({
    name: basename(file, '.json'),
    records: (JSON.parse(readFileSync(file, 'utf8')) as { records: RunRecord[] }).records,
  }));
  process.stdout.write(renderGoalsAcrossRuns(runs));
}
