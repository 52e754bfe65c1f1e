#!/usr/bin/env node
// `node ../../scripts/clean-dist.js` from a package folder: removes its dist/ before a build, so a
// module renamed or deleted in src/ leaves no stale file behind to be published.
const fs = require('node:fs');
const path = require('node:path');

fs.rmSync(path.join(process.cwd(), 'dist'), { recursive: true, force: true });
