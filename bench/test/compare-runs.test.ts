import { renderGoalsAcrossRuns } from '../src/compare-runs';
import type { RunRecord } from '../src/report';

const echo = (round: number, target: 'arcade' | 'ws', cpuUsPerMessage: number): RunRecord => ({
  round,
  scenario: 'echo',
  target,
  metrics: { cpuUsPerMessage },
});

/** Three rounds where arcade's CPU per message is `ratios[i]` times ws's. */
const run = (ratios: readonly number[]): RunRecord[] =>
  ratios.flatMap((ratio, round) => [echo(round, 'ws', 10), echo(round, 'arcade', 10 * ratio)]);

describe('goals across runs', () => {
  const table = renderGoalsAcrossRuns([
    { name: 'A', records: run([0.9, 1.0, 1.2]) },
    { name: 'B', records: run([1.1, 1.08, 1.3]) },
  ]);
  const echoRow = table.split('\n').find((line) => line.startsWith('| echo server CPU'));

  it('gives each run its median ratio, its range over rounds, a mark when missed, and where it was met', () => {
    expect(echoRow).toBe(
      '| echo server CPU µs per message, ÷ raw ws | ≤ 1.05 | 1.00× (0.90×–1.20×) | 1.10× (1.08×–1.30×) ✗ | A |',
    );
  });

  it('leaves out the goals no run measured', () => {
    expect(table).not.toContain('fan-out');
    expect(table.trim().split('\n')).toHaveLength(3);
  });
});
