import fs from 'node:fs';
import path from 'node:path';
import { httpRequest, RecordingLogger } from '@arcade/test-support';
import { type ChatServer, createChatServer } from '../src';

let server: ChatServer;

beforeAll(async () => {
  server = await createChatServer({ port: 0, host: '127.0.0.1', logger: new RecordingLogger() });
});

afterAll(async () => {
  await server?.close();
});

const PATHS = [
  '/',
  '/index.html',
  '/app.js',
  '/chat-view.js',
  '/vendor/arcade-client/index.js',
  '/style.css',
  '/api/rooms',
  '/healthz',
  '/readyz',
  '/metrics',
  '/no-such-file',
];

/** The directives of a Content-Security-Policy header, by name. */
function directives(policy: string | undefined): Map<string, string[]> {
  return new Map(
    (policy ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name = '', ...values]) => [name, values]),
  );
}

describe.each(PATHS)('GET %s', (requestPath) => {
  it("sends a Content-Security-Policy that runs only scripts of the page's own origin, none inline", async () => {
    const reply = await httpRequest(`${server.url}${requestPath}`);
    const csp = directives(reply.headers['content-security-policy'] as string | undefined);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
  });

  it('refuses to be framed: frame-ancestors none and X-Frame-Options DENY', async () => {
    const reply = await httpRequest(`${server.url}${requestPath}`);
    const csp = directives(reply.headers['content-security-policy'] as string | undefined);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(reply.headers['x-frame-options']).toBe('DENY');
  });

  it('sends X-Content-Type-Options: nosniff', async () => {
    const reply = await httpRequest(`${server.url}${requestPath}`);
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
  });

  it('sends Referrer-Policy: no-referrer', async () => {
    const reply = await httpRequest(`${server.url}${requestPath}`);
    expect(reply.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('the page', () => {
  const html = fs.readFileSync(path.resolve(__dirname, '..', 'public', 'index.html'), 'utf8');

  it('has no inline script, event handler attribute or inline style, which the policy would block', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes = '', body = ''] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/[^"]+"/);
      expect(body.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/javascript:/i);
  });
});
