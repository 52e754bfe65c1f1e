// Types of the ES module entry (index.mjs): those of the CommonJS build, which it re-exports (the live
// values are declared `let` there too), and the default import as the CommonJS module itself.
import * as cjs from '../dist/index.js';

export * from '../dist/index.js';

export default cjs;
