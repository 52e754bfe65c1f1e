import { join } from 'node:path';
import { NodeProcess, type ReadyMessage } from '../src';

const CHILD = join(__dirname, 'fixtures', 'child.js');

const started: NodeProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => child.kill()));
});

async function start(
  mode: string,
  readyTimeoutMs?: number,
): Promise<NodeProcess<ReadyMessage & { port: number }>> {
  const child = await NodeProcess.start<ReadyMessage & { port: number }>(CHILD, {
    env: { MODE: mode },
    readyTimeoutMs,
  });
  started.push(child);
  return child;
}

it('resolves once the script printed its ready line, with that line parsed', async () => {
  const child = await start('ready');
  expect(child.ready).toEqual({ event: 'ready', port: 1234, pid: child.pid });
  expect(child.isRunning).toBe(true);
});

it('stops a process with SIGTERM and kills one with SIGKILL', async () => {
  const stopped = await start('ready');
  expect(await stopped.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  expect(stopped.isRunning).toBe(false);
  const killed = await start('ready');
  expect(await killed.kill()).toEqual({ code: null, signal: 'SIGKILL' });
  expect(await killed.kill()).toEqual({ code: null, signal: 'SIGKILL' });
});

it('rejects with the stderr of a script that exits before it is ready', async () => {
  await expect(start('crash')).rejects.toThrow(
    /exited \(3\) before it was ready.*\n.*cannot start: no config/,
  );
});

it('rejects, and kills the script, when no ready line comes within the bound', async () => {
  await expect(start('silent', 300)).rejects.toThrow('printed no ready line within 300 ms');
});
