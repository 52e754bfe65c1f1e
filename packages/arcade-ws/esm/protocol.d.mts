// Types of the ES module entry protocol.mjs: those of the CommonJS build, which it re-exports.
export * from '../dist/protocol/index.js';
