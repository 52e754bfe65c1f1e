import pino from 'pino';
import { createChatServer } from './chat-server';
import { readChatConfig, readLogLevel } from './config';

/**
 * Starts the chat from environment variables. Logs are pino JSON lines on stdout (what log collectors
 * read without a parser of their own), at `LOG_LEVEL`. Signals:
 * - SIGTERM (an orchestrator replacing the instance): drain. `/readyz` answers 503 and upgrades are
 *   refused at once; after `DRAIN_DELAY_MS` every WebSocket is closed with 1012 so that pages reconnect
 *   to another instance at once; then this node's records, its room directory entry and its Redis
 *   connection are released, and the process exits.
 * - SIGINT (Ctrl+C): the same without the drain (WebSockets get 1001).
 * - A second signal: exit at once.
 *
 * The signals are handled here rather than by core's `handleSignals`, which drains the HTTP server
 * but leaves what the chat itself holds (the directory entry, the cache it created, whose Redis
 * connection would keep the process alive).
 */
async function main(): Promise<void> {
  const config = readChatConfig();
  const logger = pino({ level: readLogLevel() });
  const server = await createChatServer({ ...config, logger });
  const mode = config.redisClusterNodes
    ? `cluster node ${server.serverInstanceId} on a Redis Cluster`
    : config.redisUrl
      ? `cluster node ${server.serverInstanceId} on Redis`
      : 'in-memory storage';
  // scripts/cluster.js reads the URL from this line ("listening on <url> ").
  logger.info({ url: server.url }, `demo-chat listening on ${server.url} (${mode})`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`demo-chat: ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`demo-chat: ${signal}, ${signal === 'SIGTERM' ? 'draining' : 'shutting down'}`);
    (signal === 'SIGTERM' ? server.drain() : server.close()).then(
      () => {
        logger.info('demo-chat stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ error: String(error) }, 'demo-chat: shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `demo-chat failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
