import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { NodeProcess, type ReadyMessage, waitFor } from '../src';

// runFixture and stderrLogger, run as the fixture scripts of other packages run them: a real child
// process on the built package, started and stopped by NodeProcess.
const SCRIPT = join(__dirname, 'fixtures', 'fixture-server.js');

type Ready = ReadyMessage & { readonly port: number; readonly pid: number };

const started: NodeProcess<Ready>[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => child.kill()));
});

/** The child's stderr once it holds `last` (stderr and stdout are separate pipes: either may be read first). */
async function stderrUntil(child: NodeProcess<Ready>, last: string): Promise<string> {
  await waitFor(() => child.errorOutput.includes(last), { description: `stderr to hold ${last}` });
  return child.errorOutput;
}

async function start(mode: string, env: NodeJS.ProcessEnv = {}): Promise<NodeProcess<Ready>> {
  const child = await NodeProcess.start<Ready>(SCRIPT, { env: { MODE: mode, ...env } });
  started.push(child);
  return child;
}

it('prints the ready line with the fields start gave, once started', async () => {
  const child = await start('ready');
  expect(child.ready).toEqual({ event: 'ready', port: 1234, pid: child.pid });
});

it('closes the server on SIGTERM and exits with 0', async () => {
  const child = await start('ready');
  expect(await child.stop()).toEqual({ code: 0, signal: null });
  expect(await stderrUntil(child, 'server closed\n')).toContain('[error] a error line');
});

it('exits with 1, saying why, when the close fails', async () => {
  const child = await start('close-fails');
  expect(await child.stop()).toEqual({ code: 1, signal: null });
  expect(await stderrUntil(child, 'close failed')).toMatch(/\[error\] close failed .*the close timed out/);
});

it('exits with 1 and the error on stderr when start fails', async () => {
  await expect(start('start-fails')).rejects.toThrow(
    /exited \(1\) before it was ready[\s\S]*\[error\] the fixture failed to start .*no storage configured/,
  );
});

it('exits once its stdin ends: a fixture never outlives the test process', async () => {
  const child = spawn(process.execPath, [SCRIPT], {
    env: { ...process.env, MODE: 'ready' },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  await once(child.stdout, 'data');
  child.stdin.end();
  const [code, signal] = await once(child, 'exit');
  expect({ code, signal }).toEqual({ code: 1, signal: null });
});

it('logs warnings and errors to stderr, info lines only when verbose, debug lines never', async () => {
  const quiet = await start('ready', { ARCADE_TEST_VERBOSE: '' });
  expect(await stderrUntil(quiet, 'a error line')).toBe(
    '[warn] a warn line {"level":"warn"}\n[error] a error line {"level":"error"}\n',
  );
  const verbose = await start('ready', { ARCADE_TEST_VERBOSE: '1' });
  expect(await stderrUntil(verbose, 'a error line')).toBe(
    '[info] a info line {"level":"info"}\n[warn] a warn line {"level":"warn"}\n[error] a error line {"level":"error"}\n',
  );
});
