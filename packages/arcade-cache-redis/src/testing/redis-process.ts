import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** How one `redis-server` child is started. */
export interface RedisProcessConfig {
  readonly bin: string;
  readonly port: number;
  readonly dir: string;
  readonly password?: string;
  readonly readyTimeoutMs: number;
  /** More `redis-server` arguments, after the defaults (e.g. the cluster settings). */
  readonly extraArgs?: readonly string[];
}

/** Why a launch did not produce a ready server; `portTaken` asks the caller to retry elsewhere. */
export class RedisLaunchError extends Error {
  override readonly name = 'RedisLaunchError';

  constructor(
    message: string,
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

const HOST = '127.0.0.1';
const OUTPUT_TAIL_CHARS = 4000;
const PROBE_INTERVAL_MS = 25;
const STOP_GRACE_MS = 5000;

// Children and temporary folders still alive, killed and removed if the process exits without stop().
const liveChildren = new Set<ChildProcess>();
const liveDirectories = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
    for (const dir of liveDirectories) rmSync(dir, { recursive: true, force: true });
  });
}

/** Registers a temporary folder to remove at process exit unless {@link releaseDirectory} ran first. */
export function trackDirectory(dir: string): void {
  installExitHook();
  liveDirectories.add(dir);
}

/** Removes a temporary folder now and forgets it. */
export function releaseDirectory(dir: string): void {
  liveDirectories.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Answers whether the server on `port` is ready and is `pid` (so a Redis we did not start, already
 * bound to the port, is never mistaken for ours); `undefined` means not reachable yet.
 */
async function probe(port: number, password: string | undefined, pid: number): Promise<boolean | undefined> {
  const client = new Redis({
    host: HOST,
    port,
    password,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    // Something that accepts connections but never answers (not Redis) must not stall the poll.
    commandTimeout: 1000,
  });
  client.on('error', () => {
    // Connection refused while redis-server is still starting: the caller polls again.
  });
  try {
    await client.connect();
    if ((await client.ping()) !== 'PONG') return undefined;
    const info = await client.info('server');
    const match = /^process_id:(\d+)/m.exec(info);
    return match !== null && Number(match[1]) === pid;
  } catch {
    return undefined;
  } finally {
    // disconnect() on a client that already ended arms a 2 s timer in ioredis that nothing clears.
    if (client.status !== 'end') client.disconnect();
  }
}

/** Resolves once `child` has exited and its output pipes are closed (at once when they are). */
export function waitForExit(child: ChildProcess): Promise<void> {
  const exited = child.exitCode !== null || child.signalCode !== null;
  const pipesClosed = (child.stdout?.closed ?? true) && (child.stderr?.closed ?? true);
  if (exited && pipesClosed) return Promise.resolve();
  return new Promise((resolve) => child.once('close', () => resolve()));
}

/**
 * Starts `redis-server` on `config.port` and resolves the child once it answers PING with PONG and
 * reports its own pid. Rejects with {@link RedisLaunchError} (after killing the child) otherwise.
 */
export async function launchRedis(config: RedisProcessConfig): Promise<ChildProcess> {
  const args = ['--port', String(config.port), '--bind', HOST, '--save', '', '--appendonly', 'no'];
  args.push('--dir', config.dir, '--daemonize', 'no', '--protected-mode', 'yes');
  if (config.password !== undefined) args.push('--requirepass', config.password);
  if (config.extraArgs) args.push(...config.extraArgs);

  const child = spawn(config.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  installExitHook();
  liveChildren.add(child);
  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  child.once('exit', () => liveChildren.delete(child));

  const fail = async (reason: string, portTaken: boolean): Promise<never> => {
    child.kill('SIGKILL');
    await waitForExit(child);
    const tail = output.trim() ? `\nredis-server output:\n${output.trim()}` : '';
    throw new RedisLaunchError(`${reason}${tail}`, portTaken);
  };

  const deadline = Date.now() + config.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (spawnError) return fail(`Could not run ${config.bin}: ${spawnError.message}`, false);
    if (child.exitCode !== null || child.signalCode !== null) {
      const portTaken = /address already in use/i.test(output);
      return fail(`redis-server exited before it was ready (port ${config.port})`, portTaken);
    }
    const ours = await probe(config.port, config.password, child.pid ?? -1);
    if (ours === true) return child;
    // Another server answers on this port: ours cannot bind it, try another port.
    if (ours === false)
      return fail(`port ${config.port} is served by a Redis this helper did not start`, true);
    await delay(PROBE_INTERVAL_MS);
  }
  return fail(`redis-server did not answer PING within ${config.readyTimeoutMs} ms`, false);
}

/** A port the OS reports free on 127.0.0.1 right now (another process may still take it: we retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('The OS did not report a port'));
      });
    });
  });
}

/**
 * Starts `redis-server` on a free port, trying another port (up to `attempts` in all) when the one
 * chosen was taken meanwhile. `extraArgs` gets the port (and may pick more ports of its own).
 */
export async function launchOnFreePort(
  config: Omit<RedisProcessConfig, 'port' | 'extraArgs'>,
  attempts: number,
  extraArgs?: (port: number) => Promise<readonly string[]>,
): Promise<{ child: ChildProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      const child = await launchRedis({ ...config, port, extraArgs: await extraArgs?.(port) });
      return { child, port };
    } catch (error) {
      if (!(error instanceof RedisLaunchError && error.portTaken && attempt < attempts)) throw error;
    }
  }
}

/** Sends `signal` (SIGTERM escalates to SIGKILL after a grace period) and waits for the exit. */
export async function terminate(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  child.kill(signal);
  if (signal === 'SIGKILL') return waitForExit(child);
  // A server that ignores SIGTERM must not hang teardown.
  const escalation = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await waitForExit(child);
  clearTimeout(escalation);
}
