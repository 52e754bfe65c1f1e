import { httpRequest, RecordingLogger, TcpProxy, waitFor } from '@arcade/test-support';
import type { Page } from 'playwright-core';
import { type ChatServer, createChatServer, type RoomSummary } from '../../src';
import {
  cspViolationsOf,
  joinChat,
  launchBrowser,
  screenshot,
  sendMessage,
  type TestBrowser,
  waitForMessage,
} from '../support/browser';
import { ChatClient } from '../support/chat-client';

// A real browser on a shared 2-core machine: a generous guard against hangs, not a performance bound.
jest.setTimeout(90_000);

let browser: TestBrowser;
let server: ChatServer;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await createChatServer({ port: 0, host: '127.0.0.1', logger: new RecordingLogger() });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('two pages in one room', () => {
  let alice: Page;
  let bob: Page;

  beforeAll(async () => {
    alice = await browser.newPage();
    bob = await browser.newPage();
    await joinChat(alice, server.url, 'Alice', 'lobby');
    await joinChat(bob, server.url, 'Bob', 'lobby');
  });

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
  });

  it('shows each page the other member', async () => {
    await alice.locator('#members button', { hasText: 'Bob' }).waitFor();
    await bob.locator('#members button', { hasText: 'Alice' }).waitFor();
    await alice.locator('#messages .notice', { hasText: 'Bob joined' }).waitFor();
  });

  it('lists the open rooms with their member counts on the join form', async () => {
    const visitor = await browser.newPage({ width: 390, height: 760 });
    try {
      await visitor.goto(server.url);
      const lobby = visitor.locator('#join-rooms button', { hasText: 'lobby' });
      await lobby.locator('.badge', { hasText: '2' }).waitFor();
      await lobby.click();
      expect(await visitor.inputValue('#join-room')).toBe('lobby');
      // The page connects when it joins, as the name it joins with.
      await visitor.locator('#status[data-state="idle"]').waitFor();
      await screenshot(visitor, 'join-form-phone');
    } finally {
      await visitor.close();
    }
  });

  it("shows one page's typing on the other", async () => {
    await bob.locator('#message-input').pressSequentially('Hel');
    await alice.locator('#typing', { hasText: 'Bob is typing…' }).waitFor();
  });

  it("shows each page the other's messages", async () => {
    await sendMessage(bob, 'Hello Alice, how are you?');
    await waitForMessage(alice, 'Hello Alice, how are you?');
    await alice.locator('#typing:empty').waitFor();
    await sendMessage(alice, 'Fine, thanks Bob!');
    await waitForMessage(bob, 'Fine, thanks Bob!');
    await screenshot(alice, 'two-pages-alice-desktop');
  });

  it('renders a <script> message as text', async () => {
    const payload = '<script>window.__injected = true</script><b id="injected">bold?</b>';
    await sendMessage(bob, payload);
    const line = alice.locator('#messages .message .text', { hasText: '<script>' });
    await line.waitFor();
    expect(await line.textContent()).toBe(payload);
    expect(await alice.locator('#messages script, #messages b, #injected').count()).toBe(0);
    expect(await alice.evaluate('typeof window.__injected')).toBe('undefined');
  });

  it('sends a private message to a member chosen with the keyboard', async () => {
    await alice.locator('#members button', { hasText: 'Bob' }).focus();
    await alice.keyboard.press('Enter');
    await alice.locator('#dm-target', { hasText: 'Private message to Bob' }).waitFor();
    await sendMessage(alice, 'just between us');
    await bob.locator('#messages .message.private', { hasText: 'just between us' }).waitFor();
    await alice.locator('#messages .message.private', { hasText: 'just between us' }).waitFor();
  });

  it('fits a phone screen', async () => {
    await bob.setViewportSize({ width: 390, height: 760 });
    await bob.locator('#sidebar-toggle').waitFor();
    expect(await bob.locator('#sidebar').isVisible()).toBe(false);
    await bob.locator('#sidebar-toggle').click();
    await bob.locator('#sidebar.open #members button', { hasText: 'Alice' }).waitFor();
    await screenshot(bob, 'two-pages-bob-phone-sidebar');
    await bob.keyboard.press('Escape');
    await bob.locator('#sidebar').waitFor({ state: 'hidden' });
    const widths = await bob.evaluate<{ page: number; view: number }>(
      '({ page: document.documentElement.scrollWidth, view: window.innerWidth })',
    );
    expect(widths.page).toBeLessThanOrEqual(widths.view);
    await screenshot(bob, 'two-pages-bob-phone');
  });

  it('moves a page to another room: the old room hears it left, the room directory follows', async () => {
    await alice.fill('#new-room', 'side-room');
    await alice.press('#new-room', 'Enter');
    await alice.locator('#current-room', { hasText: 'side-room' }).waitFor();
    await bob.locator('#messages .notice', { hasText: 'Alice left' }).waitFor();
    await bob.locator('#members button', { hasText: 'Alice' }).waitFor({ state: 'detached' });
    // The page then leaves the old room itself, so that its client does not rejoin it.
    await waitFor(
      async () => {
        const { rooms } = (await httpRequest(`${server.url}/api/rooms`)).json<{ rooms: RoomSummary[] }>();
        return (
          JSON.stringify(rooms) ===
          JSON.stringify([
            { name: 'lobby', memberCount: 1 },
            { name: 'side-room', memberCount: 1 },
          ])
        );
      },
      { description: 'the room directory listing Alice in side-room only' },
    );
    expect(await alice.locator('#chat-error').textContent()).toBe('');
  });

  it("kept to the page's Content-Security-Policy throughout", () => {
    expect(cspViolationsOf(alice)).toEqual([]);
    expect(cspViolationsOf(bob)).toEqual([]);
  });
});

describe('a page of another site', () => {
  it('cannot show the chat in a frame', async () => {
    const page = await browser.newPage();
    try {
      const refused = page.waitForEvent('console', (message) =>
        /violates the following Content Security Policy directive: "frame-ancestors 'none'"/.test(
          message.text(),
        ),
      );
      await page.setContent(`<iframe src="${server.url}/"></iframe>`);
      await refused;
      const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
      expect(await frame?.locator('#join-form').count()).toBe(0);
    } finally {
      await page.close();
    }
  });
});

describe('a page after a server restart', () => {
  it('reconnects by itself and rejoins its room', async () => {
    const page = await browser.newPage();
    try {
      await joinChat(page, server.url, 'Rita', 'restart-room');
      const { port } = server;
      await server.close();
      await page.locator('#status[data-state="reconnecting"]').waitFor();
      expect(await page.locator('#message-input').isDisabled()).toBe(true);
      await screenshot(page, 'reconnect-disconnected');

      server = await createChatServer({ port, host: '127.0.0.1', logger: new RecordingLogger() });
      await page.locator('#status[data-state="online"]').waitFor();
      await page.locator('#message-input:enabled').waitFor();

      const observer = await ChatClient.connect(server.url, 'Observer');
      try {
        const joined = await observer.join('restart-room');
        expect(joined.members.map((member) => member.name)).toContain('Rita');
        await sendMessage(page, 'back again');
        await observer.next('line', (line) => line.text === 'back again' && line.from.name === 'Rita');
        await observer.say('welcome back');
        await waitForMessage(page, 'welcome back');
      } finally {
        await observer.close();
      }
      await screenshot(page, 'reconnect-restored');
    } finally {
      await page.close();
    }
  });
});

describe('a page after a network loss', () => {
  it('reconnects by itself and rejoins its room', async () => {
    const proxy = await TcpProxy.start(server.port);
    const page = await browser.newPage();
    const observer = await ChatClient.connect(server.url, 'Observer');
    try {
      await observer.join('flaky-room');
      await joinChat(page, `http://127.0.0.1:${proxy.port}`, 'Nina', 'flaky-room');
      await observer.next('memberJoined', (notice) => notice.member.name === 'Nina');
      proxy.cut();
      await observer.next('memberLeft', (notice) => notice.member.name === 'Nina');
      await page.locator('#status[data-state="online"]').waitFor();
      await observer.next('memberJoined', (notice) => notice.member.name === 'Nina');
      await sendMessage(page, 'I am back');
      await observer.next('line', (line) => line.text === 'I am back');
    } finally {
      await observer.close();
      await page.close();
      await proxy.close();
    }
  });
});
