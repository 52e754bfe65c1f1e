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
// `storage` is the process holding the data: the redis-server (replaced by a new one after a restart),
// or the process running the Redis Cluster.
let storage;
const instances = [];
let tempDir;
let stopping = false;

// A redis-server that dies is started again on the same port (the instances keep their REDIS_URL and
// reconnect by themselves), after a pause that doubles from the first to the last of these bounds and
// starts over once a restart answers PING. The instances are not touched: they are built to ride
// out a storage outage (their /healthz answers 503 meanwhile).
const RESTART_FIRST_DELAY_MS = 250;
const RESTART_MAX_DELAY_MS = 8000;
let restartAttempt = 0;
let restartTimer;

function alive(child) {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

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

/** Starts one instance; `storageEnv` is `{ REDIS_URL }` or `{ REDIS_CLUSTER_NODES }`. */
function startInstance(label, port, storageEnv) {
  // Only the storage given here: a REDIS_URL or REDIS_CLUSTER_NODES of the shell would conflict with it.
  const { REDIS_URL: _url, REDIS_CLUSTER_NODES: _nodes, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainJs], {
      cwd: appDir,
      env: { ...inherited, PORT: String(port), ...storageEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    instances.push(child);
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
  clearTimeout(restartTimer);
  const done = () => {
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
    process.exit(code);
  };
  const stopStorage = () => {
    if (!alive(storage)) return done();
    storage.once('exit', done);
    storage.kill('SIGTERM');
  };
  // Instances first, so they clean their records while Redis is still up; Redis last.
  const running = instances.filter(alive);
  let pending = running.length;
  if (pending === 0) return stopStorage();
  for (const child of running) {
    child.once('exit', () => {
      pending -= 1;
      if (pending === 0) stopStorage();
    });
    child.kill('SIGTERM');
  }
}

/** Spawns redis-server on `port`, without persistence, in `tempDir`; it becomes `storage`. */
function spawnRedis(port) {
  const redis = spawn(
    redisBin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tempDir],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  redis.stderr.on('data', (chunk) => process.stderr.write(`[redis] ${chunk}`));
  storage = redis;
  return redis;
}

function describeExit(code, signal) {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

/** Starts one redis-server on a free port, keeps it running, and resolves its URL. */
async function startRedis() {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-chat-redis-'));
  const port = await freePort();
  const redis = spawnRedis(port);
  redis.once('error', (error) =>
    fail(
      error.code === 'ENOENT'
        ? `${redisBin} not found: install it (Debian: apt-get install -y redis-server) or set REDIS_SERVER_BIN`
        : error.message,
    ),
  );
  let supervised = false;
  redis.once('exit', (code, signal) => {
    // Before it answered PING, waitForRedis reports the failure, and the script stops.
    if (supervised) onRedisDown(port, `redis-server stopped (${describeExit(code, signal)})`);
  });
  await waitForRedis(port, redis);
  supervised = true;
  return `redis://127.0.0.1:${port}`;
}

/** Logs what happened and schedules the next restart of redis-server on `port`. */
function onRedisDown(port, what) {
  if (stopping) return;
  const delay = Math.min(RESTART_MAX_DELAY_MS, RESTART_FIRST_DELAY_MS * 2 ** restartAttempt);
  restartAttempt += 1;
  log(
    `cluster: ${what}; the instances stay up (their /healthz answers 503 until Redis is back); ` +
      `restarting redis-server on port ${port} in ${delay} ms (attempt ${restartAttempt})`,
  );
  restartTimer = setTimeout(() => restartRedis(port), delay);
}

/** Starts redis-server again on `port`: empty (no persistence); the instances rewrite their records. */
function restartRedis(port) {
  if (stopping) return;
  const redis = spawnRedis(port);
  let down = false;
  const retry = (what) => {
    if (down) return;
    down = true;
    onRedisDown(port, what);
  };
  redis.once('error', (error) => retry(`redis-server did not start (${error.message})`));
  redis.once('exit', (code, signal) => {
    if (!stopping) retry(`redis-server stopped (${describeExit(code, signal)})`);
  });
  waitForRedis(port, redis).then(
    () => {
      if (stopping || down) return;
      restartAttempt = 0;
      log(`cluster: redis-server is back on port ${port} (empty: the instances rewrite their records)`);
    },
    (error) => {
      // Hung or refusing: kill it; its exit schedules the next attempt.
      if (alive(redis)) redis.kill('SIGKILL');
      else retry(error.message);
    },
  );
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
  storage = runner;
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
  let storageEnv;
  let redisLine;
  if (onRedisCluster) {
    const { urls, masters, replicas } = await startRedisCluster();
    storageEnv = { REDIS_CLUSTER_NODES: urls.join(',') };
    redisLine = `Redis Cluster (${masters} masters, ${replicas} replicas): ${storageEnv.REDIS_CLUSTER_NODES}`;
  } else {
    storageEnv = { REDIS_URL: await startRedis() };
    redisLine = `Redis:      ${storageEnv.REDIS_URL}`;
  }
  const [urlA, urlB] = await Promise.all([
    startInstance('A', ports[0], storageEnv),
    startInstance('B', ports[1], storageEnv),
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
  for (const child of instances) if (alive(child)) child.kill('SIGKILL');
  if (alive(storage)) storage.kill(onRedisCluster ? 'SIGTERM' : 'SIGKILL');
});
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
main().catch((error) => fail(error.message));
