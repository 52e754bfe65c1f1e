import { ChatConfigError } from './chat-config-error';
import type { ChatServerOptions } from './chat-server';
import { HISTORY_TTL_MS } from './history';
import { type AllowedOrigins, normalizeOrigin } from './origin-policy';
import { DEFAULT_MESSAGE_RATE_LIMIT } from './rate-limiter';

export { ChatConfigError };

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
 * The seed nodes of `REDIS_CLUSTER_NODES`: comma-separated `redis://host:port` or `rediss://host:port`
 * URLs (spaces around commas allowed); `undefined` when the variable is unset or blank.
 */
function clusterNodes(env: NodeJS.ProcessEnv): string[] | undefined {
  const raw = env.REDIS_CLUSTER_NODES;
  if (raw === undefined || raw.trim() === '') return undefined;
  const entries = raw.split(',').map((entry) => entry.trim());
  const nodes = entries.map((entry, index) => {
    const where = `REDIS_CLUSTER_NODES entry ${index + 1} of ${entries.length}`;
    if (entry === '')
      throw new ChatConfigError(`${where} is empty in "${raw}": give URLs separated by commas.`);
    const expected = 'expected redis://host:port or rediss://host:port';
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ChatConfigError(`${where} is not a URL: "${entry}" (${expected}).`);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new ChatConfigError(`${where} must start with redis:// or rediss://, got "${entry}".`);
    }
    if (url.hostname === '' || url.port === '') {
      throw new ChatConfigError(`${where} must name a host and a port, got "${entry}" (${expected}).`);
    }
    if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
      throw new ChatConfigError(
        `${where} must be only redis://host:port, got "${entry}": a Redis Cluster has a single database.`,
      );
    }
    return { url: entry, secure: url.protocol === 'rediss:' };
  });
  if (nodes.some((node) => node.secure) && nodes.some((node) => !node.secure)) {
    throw new ChatConfigError(
      'REDIS_CLUSTER_NODES mixes redis:// and rediss:// URLs: use one for all nodes.',
    );
  }
  return nodes.map((node) => node.url);
}

/**
 * The origins of `ALLOWED_ORIGINS`, besides the page's own: comma-separated origins
 * (`https://chat.example.com`), or `*` for any origin; `undefined` when unset or blank.
 */
function allowedOrigins(env: NodeJS.ProcessEnv): AllowedOrigins | undefined {
  const raw = env.ALLOWED_ORIGINS;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (raw.trim() === '*') return 'any';
  const entries = raw.split(',').map((entry) => entry.trim());
  return entries.map((entry, index) => {
    const where = `ALLOWED_ORIGINS entry ${index + 1} of ${entries.length}`;
    if (entry === '') {
      throw new ChatConfigError(`${where} is empty in "${raw}": give origins separated by commas.`);
    }
    if (entry === '*') {
      throw new ChatConfigError(`${where} is "*": set ALLOWED_ORIGINS=* alone to allow any origin.`);
    }
    return normalizeOrigin(entry, where);
  });
}

/**
 * Reads the server's options from the environment:
 * `PORT` (default 3000; 0 picks a free port), `HOST`, `REDIS_URL` (Redis mode: this process is one node
 * of a cluster), `REDIS_CLUSTER_NODES` (the same on a Redis Cluster: its seed nodes, comma-separated
 * URLs; not together with `REDIS_URL`), `ADMIN_TOKEN` (enables the admin API), `METRICS_TOKEN` (turns
 * metrics on, behind that bearer token), `DRAIN_DELAY_MS` (how long a drain keeps serving before it
 * closes the WebSockets), `CHAT_RATE_MESSAGES`
 * and `CHAT_RATE_WINDOW_MS` (message rate limit per client address), `CHAT_HISTORY_TTL_MS` (how long a
 * quiet room keeps its lines), `ALLOWED_ORIGINS` (origins allowed to open the WebSocket besides the
 * page's own, or `*`).
 */
export function readChatConfig(env: NodeJS.ProcessEnv = process.env): ChatServerOptions {
  const port = positiveInteger(env, 'PORT', 3000, true);
  if (port > 65535) throw new ChatConfigError(`PORT must be at most 65535, got ${port}.`);
  const host = env.HOST?.trim() || undefined;
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  const redisClusterNodes = clusterNodes(env);
  if (redisUrl && redisClusterNodes) {
    throw new ChatConfigError(
      'REDIS_URL and REDIS_CLUSTER_NODES are both set: set REDIS_URL for one Redis server, or REDIS_CLUSTER_NODES for a Redis Cluster, not both.',
    );
  }
  const adminToken = env.ADMIN_TOKEN?.trim() || undefined;
  const metricsToken = env.METRICS_TOKEN?.trim() || undefined;
  const origins = allowedOrigins(env);
  return {
    port,
    ...(host ? { host } : {}),
    ...(redisUrl ? { redisUrl } : {}),
    ...(redisClusterNodes ? { redisClusterNodes } : {}),
    ...(adminToken ? { adminToken } : {}),
    ...(metricsToken ? { metricsToken } : {}),
    ...(origins ? { allowedOrigins: origins } : {}),
    ...(env.DRAIN_DELAY_MS?.trim() ? { drainDelayMs: positiveInteger(env, 'DRAIN_DELAY_MS', 0, true) } : {}),
    rateLimit: {
      messages: positiveInteger(env, 'CHAT_RATE_MESSAGES', DEFAULT_MESSAGE_RATE_LIMIT.messages),
      perMs: positiveInteger(env, 'CHAT_RATE_WINDOW_MS', DEFAULT_MESSAGE_RATE_LIMIT.perMs),
    },
    history: { ttlMs: positiveInteger(env, 'CHAT_HISTORY_TTL_MS', HISTORY_TTL_MS) },
  };
}

/** The levels of `LOG_LEVEL`, from the most to the least verbose (pino's names). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `LOG_LEVEL`: what `dist/main.js` logs (`info` by default); anything else throws {@link ChatConfigError}. */
export function readLogLevel(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const raw = env.LOG_LEVEL?.trim().toLowerCase();
  if (raw === undefined || raw === '') return 'info';
  const level = LOG_LEVELS.find((candidate) => candidate === raw);
  if (level === undefined) {
    throw new ChatConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}".`);
  }
  return level;
}
