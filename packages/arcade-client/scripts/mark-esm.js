#!/usr/bin/env node
// Run by `build` after the second tsc pass: dist/esm/ holds ES modules, which Node (and every tool
// reading package.json files) learns from this file; the package itself stays "type": "commonjs".
const fs = require('node:fs');
const path = require('node:path');

fs.writeFileSync(path.join(__dirname, '..', 'dist', 'esm', 'package.json'), '{ "type": "module" }\n');
