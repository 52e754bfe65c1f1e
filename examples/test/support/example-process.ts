// Running an example as its user does: `node dist/<example>.js`, in a child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { deferred } from '@arcade/test-support';

/** An example running in a child process. */
export interface ExampleProcess {
  readonly port: number;
  /** Everything the process wrote to stdout and stderr so far. */
  readonly output: () => string;
  /** Sends SIGTERM and resolves the exit code once the process has exited. */
  stop(): Promise<number | null>;
}

const distDir = join(__dirname, '..', '..', 'dist');

/**
 * Starts `node dist/<name>.js` with `PORT=0` (and `env`), and resolves once the server logged the
 * URL it listens on. Rejects, and leaves no process behind, if it exits first.
 */
export async function startExampleProcess(
  name: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ExampleProcess> {
  const child: ChildProcess = spawn(process.execPath, [join(distDir, `${name}.js`)], {
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listening = deferred<number | Error>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    const port = /Server listening \{"url":"http:\/\/[^"]*:(\d+)"\}/.exec(output)?.[1];
    if (port !== undefined) listening.resolve(Number(port));
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  void exited.then((code) =>
    listening.resolve(new Error(`${name} exited (${code}) before listening:\n${output}`)),
  );

  const port = await listening.promise;
  if (port instanceof Error) throw port;
  return {
    port,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
