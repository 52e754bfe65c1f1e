import { createMemoryStore, MemoryCacheManager } from '@arcade/cache-memory';
import { RecordingLogger, TcpProxy } from '@arcade/test-support';
import type { Page } from 'playwright-core';
import { type ChatServer, createChatServer } from '../../src';
import {
  joinChat,
  launchBrowser,
  screenshot,
  sendMessage,
  shownLines,
  type TestBrowser,
  waitForMessage,
} from '../support/browser';
import { UNREACHED_LIMITS } from '../support/limits';

// Issue 17: a page that loses its network gets back, once, in order, the lines its room got meanwhile
// (the client rejoins with the last position it saw and the server replays what came after), then the
// live ones; when the server cannot replay (`recovered: false`), the page reloads the room's recent
// lines and says so. Page A is cut off in two ways: the network under the browser (a TCP relay that
// cuts and refuses connections), and the browser itself going offline (Playwright's setOffline).

// A real browser on a shared 2-core machine: a generous guard against hangs, not a performance bound.
jest.setTimeout(120_000);

/**
 * How long a cut-off page may take to be back: its client retries with full-jitter backoff (0.5 s,
 * 1 s, 2 s... windows), and each retry while cut off doubles the next window.
 */
const BACK_ONLINE = { timeout: 45_000 };

const TTL_MS = 600_000;
// The storage's clock stands still until a test moves it: the history expires only when told to.
let clock = Date.now();
let cache: MemoryCacheManager;
let server: ChatServer;
let browser: TestBrowser;

beforeAll(async () => {
  cache = new MemoryCacheManager({ store: createMemoryStore({ now: () => clock }) });
  server = await createChatServer({
    port: 0,
    host: '127.0.0.1',
    cache,
    history: { ttlMs: TTL_MS },
    // Every page comes from 127.0.0.1: under the default budgets the whole file would be one client.
    clientLimits: UNREACHED_LIMITS,
    logger: new RecordingLogger(),
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cache?.dispose();
});

const missed = (label: string) => Array.from({ length: 5 }, (_, i) => `${label}: missed ${i + 1}`);

/** Sends `texts` from `page`, one after the other, each once its own page shows it. */
async function sendAll(page: Page, texts: readonly string[]): Promise<void> {
  for (const text of texts) {
    await sendMessage(page, text);
    await waitForMessage(page, text);
  }
}

describe('a page whose network is cut', () => {
  let proxy: TcpProxy;
  let ada: Page;
  let bea: Page;

  beforeAll(async () => {
    proxy = await TcpProxy.start(server.port);
    ada = await browser.newPage();
    bea = await browser.newPage();
    // Ada reaches the server through the relay only.
    await joinChat(ada, `http://127.0.0.1:${proxy.port}`, 'Ada', 'cut-room');
    await joinChat(bea, server.url, 'Bea', 'cut-room');
  });

  afterAll(async () => {
    await ada?.close();
    await bea?.close();
    await proxy?.close();
  });

  it('shows the lines sent meanwhile once, in order, then the live ones', async () => {
    // A line before the cut: Ada's page holds a position in the room's history.
    await sendAll(bea, ['before the cut']);
    await waitForMessage(ada, 'before the cut');

    proxy.block();
    await ada.locator('#status[data-state="reconnecting"]').waitFor();
    await bea.locator('#messages .notice', { hasText: 'Ada left' }).waitFor();
    await sendAll(bea, missed('cut'));
    await screenshot(ada, 'recovery-cut-away');

    proxy.restore();
    await ada.locator('#status[data-state="online"]').waitFor(BACK_ONLINE);
    await waitForMessage(ada, 'cut: missed 5');
    await sendAll(bea, ['live after the cut']);
    await waitForMessage(ada, 'live after the cut');

    expect(await shownLines(ada)).toEqual(['before the cut', ...missed('cut'), 'live after the cut']);
    await ada
      .locator('#messages .notice', { hasText: 'Reconnected: 5 missed lines recovered above' })
      .waitFor();
    expect(await ada.locator('#messages .notice', { hasText: 'reloaded' }).count()).toBe(0);
    await screenshot(ada, 'recovery-cut-back');
  });

  it('reloads the recent lines and says so when the server could not replay them', async () => {
    proxy.block();
    await ada.locator('#status[data-state="reconnecting"]').waitFor();
    // The room's history expires while Ada is away: the lines sent next start a new one, and her
    // position, from the old one, cannot be continued.
    clock += TTL_MS;
    await sendAll(bea, missed('expired'));

    proxy.restore();
    await ada
      .locator('#messages .notice', { hasText: 'some lines may have been missed' })
      .waitFor(BACK_ONLINE);
    await waitForMessage(ada, 'expired: missed 5');
    await sendAll(bea, ['live after the reload']);
    await waitForMessage(ada, 'live after the reload');

    expect(await shownLines(ada)).toEqual([
      'before the cut',
      ...missed('cut'),
      'live after the cut',
      ...missed('expired'),
      'live after the reload',
    ]);
    await screenshot(ada, 'recovery-reloaded');
  });
});

describe('a page whose browser goes offline', () => {
  it('shows it is offline, then the lines sent meanwhile once, in order, then the live ones', async () => {
    // Its own browser: going offline takes a whole browser context off the network.
    const offlineBrowser = await launchBrowser();
    const bea = await browser.newPage();
    try {
      const ada = await offlineBrowser.newPage();
      await joinChat(ada, server.url, 'Ada', 'offline-room');
      await joinChat(bea, server.url, 'Bea', 'offline-room');
      await sendAll(bea, ['before going offline']);
      await waitForMessage(ada, 'before going offline');

      await offlineBrowser.context.setOffline(true);
      await ada.locator('#status[data-state="offline"]', { hasText: 'waiting for the network' }).waitFor();
      await bea.locator('#messages .notice', { hasText: 'Ada left' }).waitFor();
      await sendAll(bea, missed('offline'));

      await offlineBrowser.context.setOffline(false);
      await ada.locator('#status[data-state="online"]').waitFor();
      await waitForMessage(ada, 'offline: missed 5');
      await sendAll(bea, ['live after going online']);
      await waitForMessage(ada, 'live after going online');
      expect(await shownLines(ada)).toEqual([
        'before going offline',
        ...missed('offline'),
        'live after going online',
      ]);
    } finally {
      await bea.close();
      await offlineBrowser.close();
    }
  });
});
