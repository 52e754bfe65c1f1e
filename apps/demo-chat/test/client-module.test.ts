import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@arcade/core';
import { httpRequest, RecordingLogger } from '@arcade/test-support';
import { type ChatServer, CLIENT_MODULE_PATH, createChatServer } from '../src';
import { clientModuleDirectory, registerClientModule } from '../src/client-module';

// The page loads @arcade/client as ES modules from the chat server itself (no bundler, no CDN): every
// module it imports, directly or not, must be served, as JavaScript, and nothing else of the folder.

let server: ChatServer;

beforeAll(async () => {
  server = await createChatServer({ port: 0, host: '127.0.0.1', logger: new RecordingLogger() });
});

afterAll(async () => {
  await server?.close();
});

/** The relative module specifiers a served module imports or re-exports. */
function importsOf(source: string): string[] {
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*'([^']+)'/g)].map(
    (match) => match[1] ?? '',
  );
}

it('serves the client and every module it imports, as JavaScript, byte for byte', async () => {
  const directory = clientModuleDirectory();
  const pending = ['index.js'];
  const served = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (served.has(file)) continue;
    const reply = await httpRequest(`${server.url}${CLIENT_MODULE_PATH}/${file}`);
    expect([file, reply.status]).toEqual([file, 200]);
    expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(reply.text).toBe(fs.readFileSync(path.join(directory, file), 'utf8'));
    served.add(file);
    for (const specifier of importsOf(reply.text)) {
      // Only relative imports: a browser without an import map cannot resolve a package name.
      expect(specifier).toMatch(/^\.\/[\w-]+\.js$/);
      pending.push(specifier.slice(2));
    }
  }
  expect(served.size).toBeGreaterThan(5);
});

it.each([
  ['a declaration file', 'index.d.ts'],
  ['the folder package.json', 'package.json'],
  ['a path out of the folder', '..%2F..%2Fpackage.json'],
  ['a missing module', 'nothing.js'],
])('answers 404 for %s', async (_label, file) => {
  expect((await httpRequest(`${server.url}${CLIENT_MODULE_PATH}/${file}`)).status).toBe(404);
});

it('refuses to start without the ES module build, saying how to make it', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-chat-no-client-'));
  try {
    expect(() => registerClientModule(createApp(), empty)).toThrow(
      /has no index\.js: is @arcade\/client built/,
    );
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

it('is what public/app.js imports', () => {
  const page = fs.readFileSync(path.resolve(__dirname, '..', 'public', 'app.js'), 'utf8');
  expect(importsOf(page)).toContain(`.${CLIENT_MODULE_PATH}/index.js`);
});
