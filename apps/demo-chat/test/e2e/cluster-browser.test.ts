import {
  joinChat,
  launchBrowser,
  screenshot,
  sendMessage,
  type TestBrowser,
  waitForMessage,
} from '../support/browser';
import { type ClusterScript, startClusterScript, stopClusterScript } from '../support/cluster-script';

// A real browser on a shared 2-core machine: a generous guard against hangs, not a performance bound.
jest.setTimeout(90_000);

let browser: TestBrowser;
let cluster: ClusterScript;

beforeAll(async () => {
  cluster = await startClusterScript();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  if (cluster) await stopClusterScript(cluster);
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
