import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordingLogger } from '@arcade/test-support';
import type { ArcadeServer } from '../src';
import { exchange, send, startApp } from './support/http';

describe('static files', () => {
  let base: string;
  let server: ArcadeServer;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'arcade-static-'));
    const publicDir = join(base, 'public');
    mkdirSync(join(publicDir, 'css'), { recursive: true });
    mkdirSync(join(publicDir, 'docs'));
    writeFileSync(join(publicDir, 'index.html'), '<h1>home</h1>');
    writeFileSync(join(publicDir, 'css', 'site.css'), 'body{}');
    writeFileSync(join(publicDir, 'app.js'), 'console.log(1)');
    writeFileSync(join(publicDir, 'data.bin'), Buffer.from([1, 2, 3]));
    writeFileSync(join(publicDir, 'image.png'), Buffer.from([137, 80, 78, 71]));
    writeFileSync(join(publicDir, 'a b.txt'), 'spaced');
    writeFileSync(join(publicDir, 'docs', 'index.html'), 'docs');
    writeFileSync(join(publicDir, '.env'), 'SECRET=dotenv');
    mkdirSync(join(publicDir, '.git'));
    writeFileSync(join(publicDir, '.git', 'config'), '[remote] secret-url');
    mkdirSync(join(publicDir, 'docs', '.hidden'));
    writeFileSync(join(publicDir, 'docs', '.hidden', 'notes.txt'), 'secret notes');
    writeFileSync(join(base, 'secret.txt'), 'top secret');
    symlinkSync(join(base, 'secret.txt'), join(publicDir, 'leak.txt'));
    symlinkSync(base, join(publicDir, 'outside'));
    symlinkSync(join(publicDir, 'app.js'), join(publicDir, 'inside-link.js'));
    ({ server } = await startApp(
      (app) => {
        app.route.get('/app.js').handle(() => 'the route wins');
      },
      { staticFilesDirectory: publicDir },
    ));
  });

  afterAll(async () => {
    await server.close();
    rmSync(base, { recursive: true, force: true });
  });

  it.each([
    ['/css/site.css', 'text/css; charset=utf-8', 'body{}'],
    ['/image.png', 'image/png', undefined],
    ['/data.bin', 'application/octet-stream', undefined],
    ['/a%20b.txt', 'text/plain; charset=utf-8', 'spaced'],
    ['/', 'text/html; charset=utf-8', '<h1>home</h1>'],
    ['/docs/', 'text/html; charset=utf-8', 'docs'],
    ['/inside-link.js', 'text/javascript; charset=utf-8', 'console.log(1)'],
  ])('serves %s as %s with its Content-Length', async (path, type, text) => {
    const response = await send(server, path);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.headers['content-length']).toBe(String(response.bytes.length));
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    if (text !== undefined) expect(response.text).toBe(text);
  });

  it('lets a route win over a file of the same path', async () => {
    expect((await send(server, '/app.js')).text).toBe('the route wins');
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await send(server, '/css/site.css', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe('6');
    expect(response.text).toBe('');
  });

  it('answers 304 to a matching If-None-Match or a fresh If-Modified-Since', async () => {
    const first = await send(server, '/css/site.css');
    const etag = String(first.headers.etag);
    const lastModified = String(first.headers['last-modified']);
    expect(etag).toMatch(/^W\/"/);
    const byEtag = await send(server, '/css/site.css', { headers: { 'if-none-match': etag } });
    expect(byEtag.status).toBe(304);
    expect(byEtag.text).toBe('');
    const byDate = await send(server, '/css/site.css', { headers: { 'if-modified-since': lastModified } });
    expect(byDate.status).toBe(304);
    const stale = await send(server, '/css/site.css', { headers: { 'if-none-match': 'W/"other"' } });
    expect(stale.status).toBe(200);
    const old = await send(server, '/css/site.css', {
      headers: { 'if-modified-since': new Date(0).toUTCString() },
    });
    expect(old.status).toBe(200);
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/css/%2E%2E/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/css/..%5c..%5csecret.txt',
    '/leak.txt',
    '/outside/secret.txt',
    '/missing.txt',
    '/css',
    '/.env',
    '/%2eenv',
    '/%2Eenv',
    '/.git/config',
    '/.git/',
    '/docs/.hidden/notes.txt',
    '/docs/%2ehidden/notes.txt',
  ])('answers 404 for %s', async (path) => {
    // Raw socket: an HTTP client would normalize the dots away before sending.
    const response = await exchange(
      server,
      `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    );
    expect(response.startsWith('HTTP/1.1 404 ')).toBe(true);
    for (const secret of ['top secret', 'dotenv', 'secret-url', 'secret notes']) {
      expect(response).not.toContain(secret);
    }
  });

  it('serves only GET and HEAD', async () => {
    expect((await send(server, '/css/site.css', { method: 'POST' })).status).toBe(404);
  });
});

describe('static files with serveDotfiles', () => {
  let base: string;
  let server: ArcadeServer;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'arcade-dotfiles-'));
    mkdirSync(join(base, '.well-known'));
    writeFileSync(join(base, '.well-known', 'security.txt'), 'Contact: mailto:security@example.com');
    ({ server } = await startApp(() => {}, { staticFilesDirectory: base, serveDotfiles: true }));
  });

  afterAll(async () => {
    await server.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('serves a file under a dot folder when asked to', async () => {
    const response = await send(server, '/.well-known/security.txt');
    expect(response.status).toBe(200);
    expect(response.text).toBe('Contact: mailto:security@example.com');
  });

  it('still refuses what lies outside the folder', async () => {
    const response = await exchange(
      server,
      'GET /.well-known/../../secret HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    expect(response.startsWith('HTTP/1.1 404 ')).toBe(true);
  });
});

describe('static files from a folder that does not exist (yet)', () => {
  let base: string;
  let server: ArcadeServer;
  let logger: RecordingLogger;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'arcade-static-missing-'));
    ({ server, logger } = await startApp(() => {}, { staticFilesDirectory: join(base, 'public') }));
  });

  afterAll(async () => {
    await server.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('answers 404, not 500, and warns once naming the folder', async () => {
    expect((await send(server, '/index.html')).status).toBe(404);
    expect((await send(server, '/other.css')).status).toBe(404);
    expect(logger.entries.filter((entry) => entry.level === 'error')).toEqual([]);
    const warnings = logger.entries.filter((entry) => entry.fields?.staticFilesDirectory !== undefined);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.level).toBe('warn');
  });

  it('serves the folder once it has been created', async () => {
    mkdirSync(join(base, 'public'));
    writeFileSync(join(base, 'public', 'late.txt'), 'late');
    const response = await send(server, '/late.txt');
    expect(response.status).toBe(200);
    expect(response.text).toBe('late');
  });
});
