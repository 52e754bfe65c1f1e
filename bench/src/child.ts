import { type ChildProcess, spawn } from 'node:child_process';
import { openFileLimits } from './proc-stats';

/** Options of a Node child process started by the runner. */
export interface NodeChildOptions {
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Node flags placed before the script (`--cpu-prof`, `--expose-gc`). */
  execArgv?: string[];
  /** Open files the child needs; its soft limit is raised (up to the hard limit) when lower. */
  openFiles?: number;
}

/**
 * Starts `node <script>` with an IPC channel; its stdout and stderr go to our stderr, so only the
 * runner writes the table to stdout. Node cannot raise its own fd limit, so when the child needs more
 * open files than our soft limit, it is started through `sh -c 'ulimit -n N && exec node ...'` (same
 * pid after `exec`, the IPC channel is inherited).
 */
export function spawnNode(script: string, options: NodeChildOptions = {}): ChildProcess {
  const args = [...(options.execArgv ?? []), script];
  const env = { ...process.env, ...options.env };
  const stdio: ['ignore', number, number, 'ipc'] = ['ignore', 2, 2, 'ipc'];
  const wanted = options.openFiles ?? 0;
  if (wanted > openFileLimits().soft) {
    const raise = `ulimit -n ${Math.min(wanted, openFileLimits().hard)} && exec "$0" "$@"`;
    return spawn('/bin/sh', ['-c', raise, process.execPath, ...args], { env, stdio });
  }
  return spawn(process.execPath, args, { env, stdio });
}

/**
 * Resolves with the first IPC message of `type` from `child`; rejects on a message of type `error`,
 * on the child's exit, or after `timeoutMs`.
 */
export function nextMessage<M extends { type: string }, T extends M['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
  what: string,
): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: M): void => {
      if (message.type === type) {
        cleanup();
        resolve(message as Extract<M, { type: T }>);
      } else if (message.type === 'error') {
        cleanup();
        reject(new Error(`${what}: ${(message as { message?: string }).message ?? 'failed'}`));
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`${what}: process exited (${signal ?? code}) before "${type}"`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no "${type}" within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Waits for `child` to exit, killing it with SIGKILL if it has not after `timeoutMs`. */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
