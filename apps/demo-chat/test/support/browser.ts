import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Where end-to-end screenshots go (gitignored). */
export const ARTIFACTS_DIR = path.resolve(__dirname, '..', '..', 'test-artifacts');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Long enough for a loaded 2-core machine; it only turns a hang into a readable failure. */
const PAGE_WAIT_LIMIT_MS = 15_000;

/** What Chromium reported of each page as refused by a Content-Security-Policy, in order. */
const cspReports = new WeakMap<Page, string[]>();

/**
 * The Content-Security-Policy refusals Chromium logged on `page` so far (an inline script or style,
 * a connection or a frame the policy forbids): empty while the page keeps to its policy.
 */
export function cspViolationsOf(page: Page): readonly string[] {
  return cspReports.get(page) ?? [];
}

/** A headless Chromium with a fresh profile; `close()` removes the profile. */
export interface TestBrowser {
  context: BrowserContext;
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** The Chromium binary the tests use: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  const executable = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executable)) {
    throw new Error(
      `Chromium is missing at ${executable}. Install the Debian package "chromium" ` +
        '(apt-get install -y chromium) or point CHROMIUM_PATH at a Chromium binary.',
    );
  }
  return executable;
}

/** Starts a headless Chromium with a fresh user-data-dir. */
export async function launchBrowser(): Promise<TestBrowser> {
  const executablePath = chromiumPath();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-chat-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1200, height: 800 },
    });
  } catch (error) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  // A persistent context opens with one blank page; tests make their own.
  await Promise.all(context.pages().map((page) => page.close()));
  return {
    context,
    async newPage(viewport) {
      const page = await context.newPage();
      const reports: string[] = [];
      cspReports.set(page, reports);
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) reports.push(message.text());
      });
      // Fail with Playwright's own message (what it waited for) well before jest's test timeout.
      page.setDefaultTimeout(PAGE_WAIT_LIMIT_MS);
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot under test-artifacts/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/** Opens the page at `url`, joins `room` as `name` and waits until the chat view shows the room, online. */
export async function joinChat(page: Page, url: string, name: string, room: string): Promise<void> {
  await page.goto(url);
  await page.fill('#join-name', name);
  await page.fill('#join-room', room);
  await page.press('#join-room', 'Enter');
  await page.locator('#current-room', { hasText: room }).waitFor();
  await page.locator('#status[data-state="online"]').waitFor();
  await page.locator('#message-input:enabled').waitFor();
}

/** The texts of the chat lines the page shows, in order (notices and private messages left out). */
export function shownLines(page: Page): Promise<string[]> {
  return page.locator('#messages .message:not(.private) .text').allTextContents();
}

/** Types and sends a message from the composer with the keyboard. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.fill('#message-input', text);
  await page.press('#message-input', 'Enter');
}

/** Waits until a chat message with exactly this text is shown. */
export async function waitForMessage(page: Page, text: string): Promise<void> {
  await page.locator('#messages .message .text', { hasText: text }).first().waitFor();
}
