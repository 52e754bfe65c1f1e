import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  joinChat,
  launchBrowser,
  screenshot,
  sendMessage,
  type TestBrowser,
  waitForMessage,
} from '../support/browser';

// A real browser on a shared 2-core machine: a generous guard against hangs, not a performance bound.
jest.setTimeout(90_000);

const APP_DIR = path.resolve(__dirname, '..', '..');

interface Cluster {
  process: ChildProcessWithoutNullStreams;
  urlA: string;
  urlB: string;
}

/** Runs the documented cluster command (scripts/cluster.js) on free ports and reads the printed URLs. */
function startCluster(): Promise<Cluster> {
  if (!fs.existsSync(path.join(APP_DIR, 'dist', 'main.js'))) {
    throw new Error('dist/main.js is missing: run "pnpm --filter demo-chat... build" before this test.');
  }
  const child = spawn(process.execPath, [path.join(APP_DIR, 'scripts', 'cluster.js')], {
    cwd: APP_DIR,
    env: { ...process.env, CLUSTER_PORTS: '0,0' },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const a = /Instance A: (\S+)/.exec(output);
      const b = /Instance B: (\S+)/.exec(output);
      if (a?.[1] && b?.[1]) resolve({ process: child, urlA: a[1], urlB: b[1] });
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.once('exit', (code) =>
      reject(new Error(`cluster.js exited with ${code} before printing both URLs:\n${errors}`)),
    );
  });
}

function stopCluster(cluster: Cluster): Promise<void> {
  return new Promise((resolve) => {
    if (cluster.process.exitCode !== null) return resolve();
    cluster.process.once('exit', () => resolve());
    cluster.process.kill('SIGTERM');
  });
}

let browser: TestBrowser;
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  if (cluster) await stopCluster(cluster);
});

it('lets a page on instance A and a page on instance B of a Redis cluster chat', async () => {
  expect(cluster.urlA).not.toBe(cluster.urlB);
  const onA = await browser.newPage();
  const onB = await browser.newPage();
  await joinChat(onA, cluster.urlA, 'Ada', 'cluster-room');
  await sendMessage(onA, 'written before Bea arrived');
  await waitForMessage(onA, 'written before Bea arrived');

  await joinChat(onB, cluster.urlB, 'Bea', 'cluster-room');
  // History kept in Redis reaches a user on the other instance.
  await waitForMessage(onB, 'written before Bea arrived');
  await onA.locator('#members button', { hasText: 'Bea' }).waitFor();
  await onB.locator('#members button', { hasText: 'Ada' }).waitFor();

  await onB.locator('#message-input').pressSequentially('Hi');
  await onA.locator('#typing', { hasText: 'Bea is typing…' }).waitFor();
  await sendMessage(onB, 'Hi Ada, I am on instance B');
  await waitForMessage(onA, 'Hi Ada, I am on instance B');
  await sendMessage(onA, 'Hi Bea, greetings from instance A');
  await waitForMessage(onB, 'Hi Bea, greetings from instance A');

  // A private message crosses instances too.
  await onA.locator('#members button', { hasText: 'Bea' }).click();
  await sendMessage(onA, 'a secret across instances');
  await onB.locator('#messages .message.private', { hasText: 'a secret across instances' }).waitFor();

  await screenshot(onA, 'cluster-instance-a');
  await screenshot(onB, 'cluster-instance-b');
  await onA.close();
  await onB.close();
});
