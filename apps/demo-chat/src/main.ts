import { createChatServer } from './chat-server';
import { readChatConfig } from './config';

/** Starts the chat from environment variables and stops it cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = readChatConfig();
  const server = await createChatServer(config);
  const mode = config.redisClusterNodes
    ? `cluster node ${server.serverInstanceId} on a Redis Cluster`
    : config.redisUrl
      ? `cluster node ${server.serverInstanceId} on Redis`
      : 'in-memory storage';
  process.stdout.write(`demo-chat listening on ${server.url} (${mode})\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`demo-chat: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`demo-chat: ${signal}, shutting down\n`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`demo-chat: shutdown failed: ${String(error)}\n`);
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
