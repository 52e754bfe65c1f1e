import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** Thrown by `startRedisServer` when no `redis-server` binary can be found. */
export class RedisServerNotFoundError extends Error {
  override readonly name = 'RedisServerNotFoundError';
  readonly code = 'REDIS_SERVER_NOT_FOUND';
}

// Debian installs the binary in /usr/bin; some images only have /usr/sbin on root's PATH.
const WELL_KNOWN_DIRECTORIES = ['/usr/bin', '/usr/sbin', '/usr/local/bin'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` in `directories`, or `undefined`. */
function findIn(name: string, directories: readonly string[]): string | undefined {
  for (const directory of directories) {
    const candidate = join(directory, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function searchPath(env: NodeJS.ProcessEnv, extraDirectories: readonly string[]): string[] {
  return [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirectories];
}

/**
 * The path of the `redis-server` binary: `REDIS_SERVER_BIN` when set, else the first one on `PATH`
 * or in `extraDirectories`. Throws {@link RedisServerNotFoundError} naming the Debian package.
 */
export function findRedisServer(
  env: NodeJS.ProcessEnv = process.env,
  extraDirectories: readonly string[] = WELL_KNOWN_DIRECTORIES,
): string {
  const explicit = env.REDIS_SERVER_BIN;
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new RedisServerNotFoundError(
      `REDIS_SERVER_BIN is set to "${explicit}", which is not an executable file. ` +
        'Point it at a redis-server binary, or unset it and install the Debian package `redis-server` ' +
        '(apt-get install -y redis-server).',
    );
  }
  const found = findIn('redis-server', searchPath(env, extraDirectories));
  if (found !== undefined) return found;
  throw new RedisServerNotFoundError(
    `redis-server was not found on PATH nor in ${extraDirectories.join(', ') || 'any other folder'}. ` +
      'Install the Debian package `redis-server` (apt-get update && apt-get install -y redis-server), ' +
      'or set REDIS_SERVER_BIN to the path of a redis-server binary.',
  );
}

/**
 * The path of `redis-cli`: `REDIS_CLI_BIN` when set, else the one next to `serverBin`, else the
 * first one on `PATH` or in the well-known folders. Throws naming the Debian package when missing.
 */
export function findRedisCli(serverBin: string, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.REDIS_CLI_BIN;
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new Error(`REDIS_CLI_BIN is set to "${explicit}", which is not an executable file.`);
  }
  const found = findIn('redis-cli', [dirname(serverBin), ...searchPath(env, WELL_KNOWN_DIRECTORIES)]);
  if (found !== undefined) return found;
  throw new Error(
    'redis-cli was not found next to redis-server, on PATH nor in the usual folders. Install the Debian ' +
      'package `redis-tools` (it comes with `redis-server`), or set REDIS_CLI_BIN to its path.',
  );
}
