module.exports = require('../../stryker.config.base.js')(__dirname, {
  // src/testing is the redis-server helper for tests (ours and users'), not the adapter.
  mutate: ['src/**/*.ts', '!src/testing/**'],
});
