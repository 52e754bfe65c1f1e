// Sums the "Tests: ..." summary lines that jest prints once per package into one closing line:
// "tests: N passed, N failed" (", N skipped" when some were).
const fs = require('node:fs');

// Colour codes would hide the words from the pattern below.
const ansiColour = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const line of fs.readFileSync(process.argv[2], 'utf8').split('\n')) {
  const summary = /Tests:\s+(.*)$/.exec(line.replace(ansiColour, ''));
  if (!summary) continue;
  for (const [, count, kind] of summary[1].matchAll(/(\d+) (passed|failed|skipped)/g)) {
    totals[kind] += Number(count);
  }
}
const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed} failed${skipped}\n`);
