// Shared jest settings: each package's jest.config.js calls this with its own folder, so that
// every package tests the same way (ts-jest, tests only under test/, never compiled output).
module.exports = function jestConfig(packageDir, overrides = {}) {
  return {
    rootDir: packageDir,
    roots: ['<rootDir>/test'],
    testEnvironment: 'node',
    testMatch: ['**/*.test.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
    },
    testTimeout: 30000,
    ...overrides,
  };
};
