// What every example shares: the options its start() takes, and how `node dist/<example>.js` runs it.
import type { ArcadeServer, ServerOptions } from '@arcade/core';

/** Where an example listens and logs. `port: 0` picks a free port (read it back from `server.port`). */
export type ExampleOptions = Pick<ServerOptions, 'port' | 'host' | 'logger' | 'handleSignals'>;

/**
 * Runs an example from the command line: on `PORT` (default 3000), until Ctrl+C or SIGTERM, which
 * close the server gracefully (sockets get 1001, the WebSocket storage is left and disposed).
 */
export function runFromCommandLine(start: (options: ExampleOptions) => Promise<ArcadeServer>): void {
  start({ port: Number(process.env.PORT ?? 3000), handleSignals: true }).catch((error: unknown) => {
    process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
