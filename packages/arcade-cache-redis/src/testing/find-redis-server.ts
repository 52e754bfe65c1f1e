import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

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
  const directories = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirectories];
  for (const directory of directories) {
    const candidate = join(directory, 'redis-server');
    if (isExecutable(candidate)) return candidate;
  }
  throw new RedisServerNotFoundError(
    `redis-server was not found on PATH nor in ${extraDirectories.join(', ') || 'any other folder'}. ` +
      'Install the Debian package `redis-server` (apt-get update && apt-get install -y redis-server), ' +
      'or set REDIS_SERVER_BIN to the path of a redis-server binary.',
  );
}
