// The ES module entry of @arcade/ws (the `import` condition of package.json). It adds no second copy
// of the package: everything comes from the one CommonJS build in ../dist, which `require` also loads,
// so state, classes and `instanceof` are shared by both kinds of importers.
//
// Node gives an ES module the named exports of a CommonJS module as they were at import time, so the
// two live values of the guide would stay frozen there. This module exports them as `let` bindings and
// reassigns them right after each connection of the default app opens or closes: in an ES module,
// `import { localConnectionIds, hasLocalConnections } from '@arcade/ws'` reads the current state, as in
// CommonJS. (Each reassignment reads the id list again: O(n) per connect or disconnect, paid only by a
// process that loads this entry.)
import publicApi from '../dist/app/public-api.js';
import cjs from '../dist/index.js';

export * from '../dist/index.js';

/** Ids of the connections open on this instance, as of each read (a frozen array). */
export let localConnectionIds = cjs.localConnectionIds;

/** Whether a connection is open on this instance, as of each read. */
export let hasLocalConnections = cjs.hasLocalConnections;

publicApi.onLocalConnectionsChange(() => {
  hasLocalConnections = cjs.hasLocalConnections;
  localConnectionIds = cjs.localConnectionIds;
});

export default cjs;
