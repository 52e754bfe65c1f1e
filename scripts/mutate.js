#!/usr/bin/env node
// `pnpm mutate [target...] [stryker options]`: mutation testing of the WebSocket registry and the two
// storage adapters, one target after the other (each already uses every core it is given). With no
// target it runs all of them. Options after the targets go to `stryker run` unchanged, e.g.
// `pnpm mutate ws --concurrency 1`. Not part of `pnpm test` or CI; CONTRIBUTING.md says when to run it.

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const targets = {
  ws: { name: '@arcade/ws', dir: 'packages/arcade-ws' },
  'cache-memory': { name: '@arcade/cache-memory', dir: 'packages/arcade-cache-memory' },
  'cache-redis': { name: '@arcade/cache-redis', dir: 'packages/arcade-cache-redis' },
};

const args = process.argv.slice(2);
const firstOption = args.findIndex((arg) => arg.startsWith('-'));
const named = firstOption === -1 ? args : args.slice(0, firstOption);
const strykerArgs = firstOption === -1 ? [] : args.slice(firstOption);
const unknown = named.filter((target) => !(target in targets));
if (unknown.length > 0) {
  console.error(`Unknown target ${unknown.join(', ')}; the targets are: ${Object.keys(targets).join(', ')}.`);
  process.exit(2);
}
const selected = named.length > 0 ? named : Object.keys(targets);

function run(command, commandArgs, cwd) {
  return spawnSync(command, commandArgs, { cwd, stdio: 'inherit' }).status ?? 1;
}

// The tests reach sibling packages through their dist/ builds (node_modules/@arcade/* link to the
// package folders), so a stale build would test the mutants against yesterday's neighbours.
const filters = selected.map((target) => `--filter=${targets[target].name}...`);
if (run('pnpm', ['exec', 'turbo', 'run', 'build', ...filters], root) !== 0) process.exit(1);

const results = [];
for (const target of selected) {
  const dir = path.join(root, targets[target].dir);
  const started = Date.now();
  const status = run('pnpm', ['run', 'mutate', ...strykerArgs], dir);
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  results.push({
    target,
    status,
    minutes,
    report: path.join(targets[target].dir, 'reports/mutation/index.html'),
  });
}

for (const { target, status, minutes, report } of results) {
  const outcome = status === 0 ? `report in ${report}` : `stryker exited with ${status}`;
  process.stdout.write(`mutate ${target}: ${minutes} min, ${outcome}\n`);
}
process.exit(results.some(({ status }) => status !== 0) ? 1 : 0);
