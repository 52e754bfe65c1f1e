// The acceptance tests (test/guide, test/cluster) import the package by its own name, as users do,
// through its build: turbo builds the package before `test`.
module.exports = require('../../jest.config.base.js')(__dirname, {
  moduleNameMapper: { '^@arcade/ws$': '<rootDir>/dist/index.js' },
});
