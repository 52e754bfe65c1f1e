import { needsRedis, type ServerOptions, type TargetName } from '../processes';
import { startRedis } from '../redis-server';

/** How to start each target of a run: `base`, plus Redis for the targets that store there. */
export type OptionsFor = (target: TargetName) => ServerOptions;

/**
 * Runs `run` with a fresh redis-server when one of `targets` stores in Redis (`arcade-redis`,
 * `ws-redis`): such a target is started with its `REDIS_URL`, and redis-server's CPU is charged to it
 * apart (`sidePids`). Targets of one round share that server: they take turns under load, so what
 * redis-server spends in a target's window is that target's. The server is stopped whatever happens.
 */
export async function withRedisFor<T>(
  targets: readonly TargetName[],
  base: ServerOptions,
  run: (optionsFor: OptionsFor) => Promise<T>,
): Promise<T> {
  const redis = targets.some(needsRedis) ? await startRedis() : undefined;
  try {
    return await run((target) =>
      redis !== undefined && needsRedis(target)
        ? { ...base, env: { ...base.env, REDIS_URL: redis.url }, sidePids: [redis.pid] }
        : base,
    );
  } finally {
    await redis?.stop();
  }
}
