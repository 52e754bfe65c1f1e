import type { BenchOptions } from '../options';
import { runLoad, type ServerHandle, startServer, stopAll, type TargetName } from '../processes';
import type { Metrics } from '../protocol';
import { startRedis } from '../redis-server';
import { fanoutJob, filesFor } from './fanout';

/** cluster: fan-out over two server processes sharing one fresh redis-server; each room's members split. */
export async function runClusterScenario(target: TargetName, options: BenchOptions): Promise<Metrics> {
  const clients = options.rooms * options.members;
  const redis = await startRedis();
  const servers: ServerHandle[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      servers.push(
        await startServer(target, { env: { REDIS_URL: redis.url }, openFiles: filesFor(clients) }),
      );
    }
    return await runLoad(fanoutJob(options, servers, [redis.pid]), { openFiles: filesFor(clients) });
  } finally {
    await stopAll(servers);
    await redis.stop();
  }
}
