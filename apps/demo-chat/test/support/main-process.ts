import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

const MAIN_JS = path.resolve(__dirname, '..', '..', 'dist', 'main.js');

/** One pino line of the server's stdout. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** `dist/main.js` (what `pnpm start` runs) as a child process, once it is listening. */
export interface MainProcess {
  readonly url: string;
  /** Every line printed on stdout so far, parsed (pino writes JSON lines). */
  readonly lines: LogLine[];
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `node dist/main.js` with `env` on a free port and resolves once it logged its URL. */
export function startMain(env: NodeJS.ProcessEnv = {}): Promise<MainProcess> {
  if (!fs.existsSync(MAIN_JS)) {
    throw new Error('dist/main.js is missing: run "pnpm --filter demo-chat... build" before this test.');
  }
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [MAIN_JS], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
  });
  const lines: LogLine[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dist/main.js did not log its URL within 20 s:\n${stderr}`));
    }, 20_000);
    createInterface({ input: child.stdout }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { level: -1, msg: `(not JSON) ${text}` };
      }
      lines.push(line);
      const url = /listening on (\S+) /.exec(line.msg)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      resolve({ url, lines, exited, kill: (signal) => child.kill(signal) });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`dist/main.js exited (${code}) before listening:\n${stderr}`));
    });
  });
}
