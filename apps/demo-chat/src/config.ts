import type { ChatServerOptions } from './chat-server';
import { HISTORY_TTL_MS } from './history';
import { DEFAULT_MESSAGE_RATE_LIMIT } from './rate-limiter';

/** Thrown when an environment variable holds something the server cannot use. */
export class ChatConfigError extends Error {
  override readonly name = 'ChatConfigError';
  readonly code = 'INVALID_CONFIG';
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, allowZero = false): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new ChatConfigError(
      `${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got "${raw}".`,
    );
  }
  return value;
}

/**
 * Reads the server's options from the environment:
 * `PORT` (default 3000; 0 picks a free port), `HOST`, `REDIS_URL` (Redis mode: this process is one node
 * of a cluster), `ADMIN_TOKEN` (enables the admin API), `CHAT_RATE_MESSAGES` and `CHAT_RATE_WINDOW_MS`
 * (message rate limit per client address), `CHAT_HISTORY_TTL_MS` (how long a quiet room keeps its lines).
 */
export function readChatConfig(env: NodeJS.ProcessEnv = process.env): ChatServerOptions {
  const port = positiveInteger(env, 'PORT', 3000, true);
  if (port > 65535) throw new ChatConfigError(`PORT must be at most 65535, got ${port}.`);
  const host = env.HOST?.trim() || undefined;
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  const adminToken = env.ADMIN_TOKEN?.trim() || undefined;
  return {
    port,
    ...(host ? { host } : {}),
    ...(redisUrl ? { redisUrl } : {}),
    ...(adminToken ? { adminToken } : {}),
    rateLimit: {
      messages: positiveInteger(env, 'CHAT_RATE_MESSAGES', DEFAULT_MESSAGE_RATE_LIMIT.messages),
      perMs: positiveInteger(env, 'CHAT_RATE_WINDOW_MS', DEFAULT_MESSAGE_RATE_LIMIT.perMs),
    },
    history: { ttlMs: positiveInteger(env, 'CHAT_HISTORY_TTL_MS', HISTORY_TTL_MS) },
  };
}
