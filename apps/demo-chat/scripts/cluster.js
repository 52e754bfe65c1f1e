#!/usr/bin/env node
// Starts a local demo cluster: one redis-server on a free port (no persistence, in a temporary
// folder) and two chat instances on two ports sharing it, then prints both URLs. Ctrl+C stops all.
// With --redis-cluster, a local Redis Cluster (3 masters, 3 replicas: scripts/redis-cluster.js) takes
// the place of the one redis-server, and the instances reach it through REDIS_CLUSTER_NODES.
//
//   pnpm --filter demo-chat cluster            # instances on 3001 and 3002
//   pnpm --filter demo-chat cluster --redis-cluster
//   CLUSTER_PORTS=4001,4002 pnpm --filter demo-chat cluster
//   CLUSTER_PORTS=0,0 ...                      # free ports (what the tests use)
//
// It runs the built server (dist/main.js): build first with `pnpm --filter demo-chat... build`.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const appDir = path.resolve(__dirname, '..');
const mainJs = path.join(appDir, 'dist', 'main.js');
const redisBin = process.env.REDIS_SERVER_BIN || 'redis-server';
const ports = (process.env.CLUSTER_PORTS || '3001,3002').split(',').map((p) => Number(p.trim()));
// `--` may come through from `npm run cluster -- --redis-cluster`.
const args = process.argv.slice(2).filter((arg) => arg !== '--');
const onRedisCluster = args.includes('--redis-cluster');
const unknownArgs = args.filter((arg) => arg !== '--redis-cluster');
// Children run in their own process groups (detached), so a Ctrl+C in the terminal reaches only this
// script, which stops them in order: instances first (they clean their records), then Redis.
// children[0] is Redis: the redis-server, or the process running the Redis Cluster.
const children = [];
let tempDir;
let stopping = false;

function log(line) {
  process.stdout.write(`${line}\n`);
}

function fail(message) {
  process.stderr.write(`cluster: ${message}\n`);
  stop(1);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
    socket.on('error', () => {});
  });
}

async function waitForRedis(port, child) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer PING on port ${port}`);
}

/** Starts one instance; `storage` is `{ REDIS_URL }` or `{ REDIS_CLUSTER_NODES }`. */
function startInstance(label, port, storage) {
  // Only the storage given here: a REDIS_URL or REDIS_CLUSTER_NODES of the shell would conflict with it.
  const { REDIS_URL: _url, REDIS_CLUSTER_NODES: _nodes, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainJs], {
      cwd: appDir,
      env: { ...inherited, PORT: String(port), ...storage },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.push(child);
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      const match = /listening on (\S+)/.exec(buffered);
      if (match) resolve(match[1]);
    });
    child.stderr.on('data', (chunk) => process.stderr.write(`[${label}] ${chunk}`));
    child.once('exit', (code, signal) => {
      reject(new Error(`instance ${label} exited (${signal ?? code}) before listening`));
      if (!stopping) fail(`instance ${label} stopped (${signal ?? code})`);
    });
  });
}

function stop(code) {
  if (stopping) return;
  stopping = true;
  const alive = children.filter((child) => child.exitCode === null && child.signalCode === null);
  let pending = alive.length;
  const done = () => {
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
    process.exit(code);
  };
  if (pending === 0) done();
  // Instances first, so they clean their records while Redis is still up; Redis last.
  const [redis, ...instances] = children;
  const stopRedis = () => {
    if (redis && redis.exitCode === null && redis.signalCode === null) redis.kill('SIGTERM');
  };
  for (const child of alive) {
    child.once('exit', () => {
      pending -= 1;
      if (instances.every((i) => i.exitCode !== null || i.signalCode !== null)) stopRedis();
      if (pending === 0) done();
    });
  }
  for (const child of instances)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  if (instances.length === 0) stopRedis();
}

/** Starts one redis-server on a free port and resolves its URL. */
async function startRedis() {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-chat-redis-'));
  const redisPort = await freePort();
  const redis = spawn(
    redisBin,
    [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      tempDir,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  children.push(redis);
  redis.once('error', (error) =>
    fail(
      error.code === 'ENOENT'
        ? `${redisBin} not found: install it (Debian: apt-get install -y redis-server) or set REDIS_SERVER_BIN`
        : error.message,
    ),
  );
  redis.once('exit', (code) => {
    if (!stopping) fail(`redis-server stopped (${code})`);
  });
  await waitForRedis(redisPort, redis);
  return `redis://127.0.0.1:${redisPort}`;
}

/**
 * Starts scripts/redis-cluster.js (a local Redis Cluster) and resolves what it prints once the cluster
 * is ready: `{ urls, masters, replicas }`. Like the one redis-server, if it stops, everything stops;
 * a single node of the cluster dying is the cluster's own business (its replica takes over).
 */
function startRedisCluster() {
  const runner = spawn(process.execPath, [path.join(__dirname, 'redis-cluster.js')], {
    cwd: appDir,
    // Its standard input stays open while this script runs: when it closes, the cluster stops.
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(runner);
  runner.stderr.on('data', (chunk) => process.stderr.write(`[redis-cluster] ${chunk}`));
  return new Promise((resolve, reject) => {
    let buffered = '';
    runner.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      const match = /^ready (.*)$/m.exec(buffered);
      if (match) resolve(JSON.parse(match[1]));
    });
    runner.once('error', reject);
    runner.once('exit', (code, signal) => {
      reject(new Error(`the Redis Cluster did not start (${signal ?? code})`));
      if (!stopping) fail(`the Redis Cluster stopped (${signal ?? code})`);
    });
  });
}

async function main() {
  if (unknownArgs.length > 0) {
    throw new Error(`unknown argument ${unknownArgs.join(' ')}: the only option is --redis-cluster`);
  }
  if (ports.length !== 2 || ports.some((p) => !Number.isInteger(p) || p < 0 || p > 65535)) {
    throw new Error(
      'CLUSTER_PORTS must be two ports separated by a comma, e.g. 3001,3002 (0 = any free port)',
    );
  }
  if (!fs.existsSync(mainJs)) {
    throw new Error(`${mainJs} is missing: build first with "pnpm --filter demo-chat... build"`);
  }
  let storage;
  let redisLine;
  if (onRedisCluster) {
    const { urls, masters, replicas } = await startRedisCluster();
    storage = { REDIS_CLUSTER_NODES: urls.join(',') };
    redisLine = `Redis Cluster (${masters} masters, ${replicas} replicas): ${storage.REDIS_CLUSTER_NODES}`;
  } else {
    storage = { REDIS_URL: await startRedis() };
    redisLine = `Redis:      ${storage.REDIS_URL}`;
  }
  const [urlA, urlB] = await Promise.all([
    startInstance('A', ports[0], storage),
    startInstance('B', ports[1], storage),
  ]);
  log(redisLine);
  log(`Instance A: ${urlA}`);
  log(`Instance B: ${urlB}`);
  log(
    'Open one URL in one tab and the other in a second tab, join the same room, and chat. Ctrl+C stops all.',
  );
}

process.on('exit', () => {
  // The Redis Cluster runner gets SIGTERM: it stops its nodes itself (SIGKILL would orphan them).
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null)
      child.kill(onRedisCluster && child === children[0] ? 'SIGTERM' : 'SIGKILL');
});
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
main().catch((error) => fail(error.message));
