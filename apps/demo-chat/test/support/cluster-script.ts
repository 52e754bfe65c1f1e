import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const APP_DIR = path.resolve(__dirname, '..', '..');

/** The local cluster of `scripts/cluster.js`, running, with what it printed. */
export interface ClusterScript {
  process: ChildProcessWithoutNullStreams;
  urlA: string;
  urlB: string;
  /** Everything it printed on stdout up to the URLs of both instances. */
  output: string;
  /** Everything it printed so far, stdout then stderr (what it logs while running). */
  printedSoFar(): string;
}

/**
 * Runs the documented cluster command (`scripts/cluster.js`, with `args` such as `--redis-cluster`) on
 * free ports and resolves once it has printed the URLs of both instances.
 */
export function startClusterScript(args: readonly string[] = []): Promise<ClusterScript> {
  if (!fs.existsSync(path.join(APP_DIR, 'dist', 'main.js'))) {
    throw new Error('dist/main.js is missing: run "pnpm --filter demo-chat... build" before this test.');
  }
  const child = spawn(process.execPath, [path.join(APP_DIR, 'scripts', 'cluster.js'), ...args], {
    cwd: APP_DIR,
    env: { ...process.env, CLUSTER_PORTS: '0,0' },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    let started = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const a = /Instance A: (\S+)/.exec(output);
      const b = /Instance B: (\S+)/.exec(output);
      if (a?.[1] && b?.[1] && !started) {
        started = true;
        resolve({ process: child, urlA: a[1], urlB: b[1], output, printedSoFar: () => output + errors });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.once('exit', (code) =>
      reject(new Error(`cluster.js exited with ${code} before printing both URLs:\n${errors}`)),
    );
  });
}

/** Stops the cluster as Ctrl+C (`SIGINT`) or a service manager (`SIGTERM`) would; resolves its exit code. */
export function stopClusterScript(
  cluster: ClusterScript,
  signal: 'SIGINT' | 'SIGTERM' = 'SIGTERM',
): Promise<number | null> {
  const { process: child } = cluster;
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}
