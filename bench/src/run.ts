import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseOptions, USAGE } from './options';
import { RESULTS_DIR, serverSettings, TARGETS, type TargetName } from './processes';
import type { Metrics } from './protocol';
import { machineInfo, type RunRecord, renderReport } from './report';
import { SCENARIO_LIST, type Scenario, targetsFor } from './scenarios';

/**
 * `pnpm bench`: runs every selected scenario against its targets for several rounds (targets rotate
 * order each round; a scenario with `runRound` measures a round's targets together), then writes the
 * markdown report to bench/results/latest.md (and the raw runs to latest.json) and prints it. Progress
 * goes to stderr, the report to stdout.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options = parseOptions(process.argv.slice(2));
  const unknown = options.targets?.filter((target) => !(target in TARGETS)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown target ${unknown.join(',')}\n${USAGE}`);
  serverSettings.cpuProf = options.cpuProf;
  serverSettings.cpuProfLoad = options.cpuProfLoad;
  const startedAt = new Date();
  const loadBefore = loadavg();
  const scenarios = SCENARIO_LIST.filter((s) => options.scenarios.includes(s.name));
  const targetsOf = (scenario: Scenario): TargetName[] => targetsFor(scenario, options.targets);
  const records: RunRecord[] = [];
  /** Keeps one target's outcome and reports it on stderr; `began` is when its run (or round) began. */
  const keep = (
    round: number,
    scenario: Scenario,
    target: TargetName,
    result: PromiseSettledResult<Metrics>,
    began: number,
  ): void => {
    if (result.status === 'fulfilled') {
      const metrics = result.value;
      records.push({ round, scenario: scenario.name, target, metrics });
      process.stderr.write(
        `round ${round + 1}/${options.rounds} ${scenario.name}/${target} (${Date.now() - began} ms): ` +
          `${Object.entries(metrics)
            .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(2)}`)
            .join(' ')}\n`,
      );
    } else {
      const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
      records.push({ round, scenario: scenario.name, target, error: message });
      process.stderr.write(`round ${round + 1} ${scenario.name}/${target} FAILED: ${message}\n`);
    }
  };

  for (let round = 0; round < options.rounds; round++) {
    for (const scenario of scenarios) {
      const targets = targetsOf(scenario);
      const shift = round % Math.max(1, targets.length);
      const order = [...targets.slice(shift), ...targets.slice(0, shift)];
      if (scenario.runRound === undefined) {
        for (const target of order) {
          const began = Date.now();
          const [result] = await Promise.allSettled([scenario.run(target, options)]);
          keep(round, scenario, target, result, began);
        }
      } else {
        const began = Date.now();
        const results = await scenario
          .runRound(order, options)
          .catch((reason: unknown) =>
            order.map((): PromiseRejectedResult => ({ status: 'rejected', reason })),
          );
        for (const [i, target] of order.entries()) keep(round, scenario, target, results[i]!, began);
      }
    }
  }

  const report = renderReport(options, scenarios, targetsOf, records, machineInfo(startedAt, loadBefore));
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.md'), report);
  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify({ options, records }, null, 2)}\n`);
  process.stdout.write(`${report}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
