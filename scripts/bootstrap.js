#!/usr/bin/env node
// Brings a fresh machine (Node and npm only) to the point where the workspace runs: pnpm, the
// workspace's packages and the system programs that tests and the local cluster start for real
// (--for-tests: redis-server and chromium; --for-cluster: redis-server). Each step runs only when
// its result is missing, so a warm machine pays a few milliseconds.

const { execSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const forTests = process.argv.includes('--for-tests');
// The local cluster (`npm run cluster`) starts a real redis-server, so it needs that one program too.
const forCluster = process.argv.includes('--for-cluster');
const PNPM_VERSION = require(path.join(root, 'package.json')).packageManager.split('@')[1];

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function run(command) {
  process.stderr.write(`bootstrap: ${command}\n`);
  execSync(command, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function aptInstall(packages) {
  const missing = packages.filter((p) => !has(p.binary));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.debian).join(' ');
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(
      `The tests need ${names}, which are missing. Install them (Debian: sudo apt-get install -y ${names}) and run the command again.`,
    );
  }
  run('apt-get update -qq');
  run(`apt-get install -y -qq ${names}`);
}

if (!has('pnpm')) run(`npm install --global --save-exact pnpm@${PNPM_VERSION}`);

const installed = fs.existsSync(path.join(root, 'node_modules', '.modules.yaml'));
const lockNewer =
  installed &&
  fs.statSync(path.join(root, 'pnpm-lock.yaml')).mtimeMs >
    fs.statSync(path.join(root, 'node_modules', '.modules.yaml')).mtimeMs;
if (!installed || lockNewer || process.env.CI) run('pnpm install --frozen-lockfile');

const systemPrograms = [
  ...(forTests || forCluster ? [{ binary: 'redis-server', debian: 'redis-server' }] : []),
  ...(forTests ? [{ binary: 'chromium', debian: 'chromium' }] : []),
];
aptInstall(systemPrograms);
