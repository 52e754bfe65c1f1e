import { createHash } from 'node:crypto';
import type { RedisClient } from './connections';

/** A Lua script and its SHA1, for EVALSHA. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** `source` with its SHA1 computed once, at load time. */
export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * The Buffer variants of EVALSHA and EVAL, which ioredis has (as for every command) but does not
 * declare. Not `callBuffer('EVALSHA', ...)`: with auto-pipelining on (options.ts), ioredis 5.11
 * drops the command name of `callBuffer` and sends the SHA1 as the command (redis/ioredis#1923).
 */
// Keys and arguments go as one array, which ioredis flattens into the command: spread into the call,
// a batch of some tens of thousands of operations overflowed the stack ("Maximum call stack size").
interface BufferScripting {
  evalshaBuffer(sha: string, numkeys: number, keysAndArgs: ReadonlyArray<string | Buffer>): Promise<unknown>;
  evalBuffer(source: string, numkeys: number, keysAndArgs: ReadonlyArray<string | Buffer>): Promise<unknown>;
}

/**
 * Runs `script` with EVALSHA, so that a call sends the script's SHA1 rather than its source. On a
 * server that does not know the script yet (first use, or after a restart or SCRIPT FLUSH) it sends
 * the source once with EVAL, which also loads it for the next EVALSHA.
 *
 * The reply keeps bulk strings as Buffers: scripts return stored binary frames.
 */
export async function runScript(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: ReadonlyArray<string | Buffer>,
): Promise<unknown> {
  const scripting = client as unknown as BufferScripting;
  const keysAndArgs = (keys as ReadonlyArray<string | Buffer>).concat(args);
  try {
    return await scripting.evalshaBuffer(script.sha, keys.length, keysAndArgs);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
    return scripting.evalBuffer(script.source, keys.length, keysAndArgs);
  }
}
