import { createHash } from 'node:crypto';
import { Command } from 'ioredis';
import { isCluster, type RedisClient } from './connections';

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

/** Sends one script call: EVALSHA with the SHA1, or EVAL with the source. */
type ScriptCall = (command: 'evalsha' | 'eval', shaOrSource: string) => Promise<unknown>;

/**
 * Calls `script` with EVALSHA, so that a call sends the script's SHA1 rather than its source. On a
 * server that does not know the script yet (first use, or after a restart or SCRIPT FLUSH) it sends
 * the source once with EVAL, which also loads it for the next EVALSHA.
 */
async function shaThenSource(script: LuaScript, call: ScriptCall): Promise<unknown> {
  try {
    return await call('evalsha', script.sha);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
    return call('eval', script.source);
  }
}

/**
 * Runs `script` (EVALSHA, then EVAL when the server does not know it) through the client's usual
 * path, auto-pipelining included. The reply keeps bulk strings as Buffers: scripts return stored
 * binary frames.
 */
export function runScript(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: ReadonlyArray<string | Buffer>,
): Promise<unknown> {
  const scripting = client as unknown as BufferScripting;
  const keysAndArgs = (keys as ReadonlyArray<string | Buffer>).concat(args);
  return shaThenSource(script, (command, shaOrSource) =>
    command === 'evalsha'
      ? scripting.evalshaBuffer(shaOrSource, keys.length, keysAndArgs)
      : scripting.evalBuffer(shaOrSource, keys.length, keysAndArgs),
  );
}

/**
 * Runs `script` as {@link runScript} does, but writes it to the socket at once instead of through
 * ioredis's auto-pipelining, on a single server (a cluster client keeps it: there it groups commands
 * per shard). For a caller that already sends one call per event-loop turn, the WebSocket registry's
 * combined writes (packages/arcade-ws/src/registry/combined-batches.ts): auto-pipelining would hold
 * the call one more turn, and then behind the previous pipeline's replies (ioredis runs one at a time
 * per client). Everything the waiting connections hold lives through more scavenges and is promoted
 * to V8's old space, where it dies: during a burst of connects that leaves old-space pages fragmented
 * and the RSS per connection higher after every GC (bench storage-idle: about 0.3 KiB per connection).
 */
export function runScriptNow(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: ReadonlyArray<string | Buffer>,
): Promise<unknown> {
  if (isCluster(client)) return runScript(client, script, keys, args);
  return shaThenSource(script, (command, shaOrSource) => {
    // The same options as ioredis's generated `evalshaBuffer` gives its Command (Buffer replies).
    const sent = new Command(
      command,
      ([shaOrSource, keys.length] as Array<string | number | Buffer>).concat(keys, args),
      { replyEncoding: null, keyPrefix: client.options.keyPrefix },
    );
    client.sendCommand(sent);
    return sent.promise;
  });
}
