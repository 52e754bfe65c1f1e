module.exports = require('../../stryker.config.base.js')(__dirname, {
  mutate: ['src/**/*.ts'],
});
