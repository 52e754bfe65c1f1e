module.exports = require('../../stryker.config.base.js')(__dirname, {
  mutate: ['src/registry/**/*.ts'],
  jest: {
    // Only the tests that import src/ can see a mutant. The acceptance tests (test/guide,
    // test/cluster) import the package through its dist/ build, test/cluster even from child
    // processes, so under Stryker they would only add minutes and kill nothing.
    config: { testMatch: ['<rootDir>/test/registry/**/*.test.ts', '<rootDir>/test/transport/**/*.test.ts'] },
  },
});
