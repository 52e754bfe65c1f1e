import type { LoggerShape, LogLevel } from './recording-logger';

/** What the `start` of {@link runFixture} resolves: the server to close on SIGTERM, and the ready line's fields. */
export interface StartedFixture {
  /** Closed gracefully on SIGTERM (an `ArcadeServer`, say). */
  readonly server: { close(): Promise<unknown> };
  /** The fields of the ready line after `"event":"ready"` (a port, an instance id...). */
  readonly ready: Readonly<Record<string, unknown>>;
}

/**
 * The child's side of {@link NodeProcess}, for the plain CommonJS scripts a test runs as real server
 * processes (`require('@arcade/test-support')`). It runs `start`, then prints the ready line
 * `{"event":"ready",...ready}` on stdout. Afterwards SIGTERM closes the server (exit 0, or 1 when the
 * close failed; a second SIGTERM meanwhile changes nothing), and the end of stdin, which comes when the
 * test process is gone, even killed, exits at once (1), so no instance outlives its tests. A `start`
 * that fails is written to stderr (where `NodeProcess` keeps it for its failure message), exit 1.
 */
export function runFixture(start: () => Promise<StartedFixture>): void {
  // Watched from the first moment: a test process that dies while this one starts leaves nothing behind.
  process.stdin.on('end', () => process.exit(1));
  process.stdin.resume();
  start().then(
    ({ server, ready }) => {
      let closing = false;
      process.on('SIGTERM', () => {
        if (closing) return;
        closing = true;
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            writeLine('error', 'close failed', { error: describe(error) });
            process.exit(1);
          },
        );
      });
      process.stdout.write(`${JSON.stringify({ ...ready, event: 'ready' })}\n`);
    },
    (error: unknown) => {
      writeLine('error', 'the fixture failed to start', { error: describe(error) });
      process.exit(1);
    },
  );
}

/**
 * The logger of a fixture process: warnings and errors go to stderr (kept by `NodeProcess` for failure
 * messages), info lines too when `verbose` (ARCADE_TEST_VERBOSE=1 by default), debug lines never.
 */
export function stderrLogger(verbose = process.env.ARCADE_TEST_VERBOSE === '1'): LoggerShape {
  const at =
    (level: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (level === 'debug' || (level === 'info' && !verbose)) return;
      writeLine(level, message, fields);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function writeLine(level: LogLevel, message: string, fields: Record<string, unknown> | undefined): void {
  process.stderr.write(`[${level}] ${message} ${fields ? JSON.stringify(fields) : ''}\n`);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
