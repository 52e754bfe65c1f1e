import fs from 'node:fs';
import path from 'node:path';
import { type App, NotFoundException } from '@arcade/core';

/**
 * Where the page loads @arcade/client from: `public/app.js` imports `./vendor/arcade-client/index.js`.
 * A relative import, not a bare `@arcade/client` with an import map: an inline import map is an inline
 * script, which the page's Content-Security-Policy (`script-src 'self'`) refuses.
 */
export const CLIENT_MODULE_PATH = '/vendor/arcade-client';

/** The files of the client's ES module build: flat, named like `index.js`, `rooms.js`. */
const MODULE_FILE = /^[\w-]+\.js$/;

/** The folder of @arcade/client's ES module build (`dist/esm`, exported as `@arcade/client/browser/*`). */
export function clientModuleDirectory(): string {
  let entry: string;
  try {
    entry = require.resolve('@arcade/client/browser/index.js');
  } catch (error) {
    throw new Error(
      'The page needs the ES module build of @arcade/client (dist/esm): run "pnpm --filter demo-chat... build".',
      { cause: error },
    );
  }
  return path.dirname(entry);
}

/**
 * Serves the ES module build of @arcade/client to the browser, no bundler needed: every `.js` file of
 * `dist/esm` (its imports are relative, with their `.js` suffix) at `CLIENT_MODULE_PATH/<file>`, as
 * `text/javascript` (a module script must have a JavaScript MIME type, and `nosniff` holds the
 * browser to it). The files are read once, at start: a handful of small files, and nothing else of
 * the folder (source maps, declarations) is served.
 */
export function registerClientModule(app: App, directory: string = clientModuleDirectory()): void {
  const files = new Map<string, Buffer>();
  for (const name of fs.readdirSync(directory)) {
    if (MODULE_FILE.test(name)) files.set(name, fs.readFileSync(path.join(directory, name)));
  }
  if (!files.has('index.js')) {
    throw new Error(
      `${directory} has no index.js: is @arcade/client built (pnpm --filter demo-chat... build)?`,
    );
  }
  app.route.get(`${CLIENT_MODULE_PATH}/:file`).handle((ctx) => {
    const body = files.get(ctx.pathParameters.file ?? '');
    if (body === undefined) throw new NotFoundException({ message: 'No such module.' });
    ctx.responseHeaders.set('content-type', 'text/javascript; charset=utf-8');
    // Revalidated on each load: a page and the server it talks to stay on one version of the client.
    ctx.responseHeaders.set('cache-control', 'no-cache');
    return body;
  });
}
