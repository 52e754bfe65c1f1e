import type { FileHandle } from 'node:fs/promises';
import { open, realpath } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import { mimeTypeOf } from './mime-types';

/**
 * Serves files from one folder for GET and HEAD. Never serves anything outside it: `.`/`..`
 * segments (also when percent-encoded), separators or NUL bytes inside a segment, and symlinks
 * whose target lies outside the folder all count as "no such file".
 */
export class StaticFiles {
  #root: Promise<string> | undefined;

  constructor(private readonly directory: string) {}

  /**
   * Answers the request if `segments` (already percent-decoded) name a file in the folder.
   * @returns `false` when there is no such file (the caller goes on to notFound).
   */
  async serve(
    request: IncomingMessage,
    response: ServerResponse,
    segments: readonly string[],
  ): Promise<boolean> {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (segments.some((segment) => segment === '.' || segment === '..' || /[/\\\0]/.test(segment)))
      return false;
    const root = await this.root();
    const file = await this.openInside(root, join(root, ...segments));
    if (file === undefined) return false;
    let handle: FileHandle | undefined = file.handle;
    try {
      const stats = await handle.stat();
      const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
      const lastModified = new Date(Math.floor(stats.mtimeMs / 1000) * 1000);
      response.setHeader('etag', etag);
      response.setHeader('last-modified', lastModified.toUTCString());
      if (isNotModified(request, etag, lastModified)) {
        response.writeHead(304);
        response.end();
        return true;
      }
      response.setHeader('content-type', mimeTypeOf(file.path));
      response.setHeader('content-length', stats.size);
      response.writeHead(200);
      if (request.method === 'HEAD') {
        response.end();
        return true;
      }
      const stream = handle.createReadStream();
      handle = undefined; // the stream owns the descriptor now and closes it
      await new Promise<void>((resolve) => {
        stream.on('error', () => {
          response.destroy();
          resolve();
        });
        response.on('close', () => {
          stream.destroy();
          resolve();
        });
        stream.pipe(response);
      });
      return true;
    } finally {
      await handle?.close();
    }
  }

  private root(): Promise<string> {
    this.#root ??= realpath(this.directory);
    return this.#root;
  }

  /** Opens the file (or the folder's index.html), provided its real path stays inside `root`. */
  private async openInside(
    root: string,
    candidate: string,
    allowIndex = true,
  ): Promise<{ handle: FileHandle; path: string } | undefined> {
    let real: string;
    try {
      real = await realpath(candidate);
    } catch {
      return undefined;
    }
    if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
    let handle: FileHandle;
    try {
      handle = await open(real, 'r');
    } catch {
      return undefined;
    }
    const stats = await handle.stat();
    if (stats.isFile()) return { handle, path: real };
    await handle.close();
    if (stats.isDirectory() && allowIndex) {
      return this.openInside(root, join(real, 'index.html'), false);
    }
    return undefined;
  }
}

function isNotModified(request: IncomingMessage, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    // Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored.
    const strip = (tag: string): string => tag.trim().replace(/^W\//, '');
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => strip(tag) === strip(etag));
  }
  const ifModifiedSince = request.headers['if-modified-since'];
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && lastModified.getTime() <= since;
}
