// Shared StrykerJS settings: each mutation-tested package's stryker.config.js calls this with its own
// folder and what to mutate, so every target runs and reports the same way. How and when to run it:
// CONTRIBUTING.md, "Mutation testing".
const path = require('node:path');

// Stryker finds plugins by listing the folder its own package is installed in, and pnpm installs
// each package into a folder of its own, so the jest runner has to be named by its entry file.
function esmEntry(packageName) {
  const manifest = require.resolve(`${packageName}/package.json`);
  return path.join(path.dirname(manifest), require(manifest).exports['.'].import);
}

module.exports = function strykerConfig(packageDir, { jest = {}, ...overrides } = {}) {
  return {
    plugins: [esmEntry('@stryker-mutator/jest-runner')],
    testRunner: 'jest',
    packageManager: 'pnpm',
    // Each mutant runs only the tests that executed its code in the initial run. Anything coarser
    // reruns the whole suite (real servers, real redis-server) for every mutant.
    coverageAnalysis: 'perTest',
    jest: {
      projectType: 'custom',
      configFile: 'jest.config.js',
      ...jest,
      // Stryker asks jest for the tests related to a mutated file, and jest answers from the files under
      // its roots. Ours name only test/, so a test that reaches a mutated file through another src file
      // (src/index.ts, say) would never run against its mutants.
      config: { roots: ['<rootDir>/test', '<rootDir>/src'], ...jest.config },
    },
    // The sandbox copy of a package must sit two folders below the repository root, as the package
    // does: its tsconfig.json extends ../../tsconfig.base.json and its jest.config.js requires
    // ../../jest.config.base.js. Stryker's default, .stryker-tmp inside the package, puts the copy four
    // folders down. inPlace would need no copy, but it rewrites src/ for the whole run, under the feet
    // of anyone editing or testing in the same working tree.
    tempDirName: path.relative(packageDir, path.join(__dirname, '.stryker-tmp')),
    // Stryker rewrites the tsconfig's `extends` for a sandbox two folders below the package; here the
    // package's own relative paths are already right, so its rewriter is given no file.
    tsconfigFile: '',
    // Tests wait for real timers, sockets and child processes, and another test run may share the
    // CPU: a tight limit would count a slow run as a timeout (reported as detected) and restart the
    // runner. Real hangs still end here, or earlier at jest's own 30 s per test; infinite loops are cut
    // by Stryker's hit counter, not by this limit.
    timeoutMS: 20000,
    timeoutFactor: 3,
    dryRunTimeoutMinutes: 20,
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: 'reports/mutation/index.html' },
    jsonReporter: { fileName: 'reports/mutation/mutation.json' },
    // Off unless asked for (`--incremental`): a full run is the number we compare over time.
    incremental: false,
    incrementalFile: 'reports/mutation/stryker-incremental.json',
    // A habit, not a gate: the colours mark the report, nothing fails on the score.
    thresholds: { high: 80, low: 60, break: null },
    ...overrides,
  };
};
