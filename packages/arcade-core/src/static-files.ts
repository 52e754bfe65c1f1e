import type { FileHandle } from 'node:fs/promises';
import { open, realpath } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import { describeError, type Logger } from './logger';
import { mimeTypeOf } from './mime-types';

/**
 * Serves files from one folder for GET and HEAD. Never serves anything outside it: `.`/`..`
 * segments (also when percent-encoded), separators or NUL bytes inside a segment, and symlinks
 * whose target lies outside the folder all count as "no such file". Nor, unless `serveDotfiles`,
 * anything under a name that starts with a dot (`.env`, `.git/config`, `.npmrc`): such files hold
 * secrets far more often than content meant for the public.
 */
export class StaticFiles {
  #root: string | undefined;
  #missingReported = false;

  constructor(
    private readonly directory: string,
    private readonly logger: Logger,
    private readonly serveDotfiles = false,
  ) {}

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
    if (!this.serveDotfiles && segments.some((segment) => segment.startsWith('.'))) return false;
    const root = await this.root();
    if (root === undefined) return false;
    const file = await this.openInside(root, join(root, ...segments));
    if (file === undefined) return false;
    let handle: FileHandle | undefined = file.handle;
    try {
      const stats = await handle.stat();
      const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
      const lastModified = new Date(Math.floor(stats.mtimeMs / 1000) * 1000);
      // Browsers must not guess another type than the one sent (an uploaded .txt run as a script).
      response.setHeader('x-content-type-options', 'nosniff');
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

  /**
   * The folder's real path; `undefined` while it cannot be resolved. A failure is not cached, so a
   * folder created after the server started (a build writing it, say) is served from then on.
   */
  private async root(): Promise<string | undefined> {
    if (this.#root !== undefined) return this.#root;
    try {
      this.#root = await realpath(this.directory);
      return this.#root;
    } catch (error) {
      if (!this.#missingReported) {
        this.#missingReported = true;
        this.logger.warn('staticFilesDirectory cannot be read; answering as if it were empty', {
          staticFilesDirectory: this.directory,
          ...describeError(error),
        });
      }
      return undefined;
    }
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
    let isFile = false;
    let isDirectory = false;
    try {
      const stats = await handle.stat();
      isFile = stats.isFile();
      isDirectory = stats.isDirectory();
    } finally {
      if (!isFile) await handle.close();
    }
    if (isFile) return { handle, path: real };
    if (isDirectory && allowIndex) {
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
