// The ES module entry of @arcade/ws/protocol (the `import` condition of package.json): the constants
// of the one CommonJS build in ../dist, re-exported, so both kinds of importers share them.
export * from '../dist/protocol/index.js';
