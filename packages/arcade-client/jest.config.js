module.exports = require('../../jest.config.base.js')(__dirname, {
  // src/ imports its modules with .js suffixes (the ES module build needs them); jest reads the .ts files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
});
