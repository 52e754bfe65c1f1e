import {
  CacheError,
  type LogEntry,
  type LogPosition,
  type LogRead,
  type LogReadOptions,
} from '@arcade/cache';
import { decodeLogMessage } from './codec';
import { luaScript } from './scripts';

/*
 * A log (appendToLog / readLog) is one Redis stream at the prefixed key. The entry at offset n has
 * the explicit id 0-n (the ms part stays 0: the offset, not the clock, orders entries) and the
 * fields e <epoch>, t <append time in ms, by the Redis clock>, d <message frame, as codec.ts's
 * encodeMessage makes it>. Every entry carries the epoch because trimming keeps only the newest
 * ones: the newest entry alone must say which life of the log it belongs to.
 *
 * Each call is one script, so that reading the newest entry and writing after it is one atomic
 * step however many adapters append to the same log.
 */

/**
 * The first lines of both scripts: refuses a key of another type, then reads the newest entry into
 * `epoch` and `offset` (both nil when there is no log). The TYPE check makes the WRONGTYPE reply
 * start with WRONGTYPE on every Redis version (before 7, an error raised inside a script reaches
 * the client as "ERR Error running script ...").
 */
const NEWEST_ENTRY = `
local key = KEYS[1]
local kind = redis.call('TYPE', key)['ok']
if kind ~= 'stream' and kind ~= 'none' then
  return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
end
local epoch, offset
local top = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1]
if top then
  offset = tonumber(string.match(top[1], '^0%-(%d+)$'))
  local fields = top[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'e' then epoch = fields[i + 1] end
  end
  if offset == nil or epoch == nil then
    return redis.error_reply('WRONGTYPE the stream at this key was not written by @arcade/cache-redis')
  end
end
`;

/**
 * appendToLog. KEYS[1] the log; ARGV: a new epoch (used only when the log starts), maxLength, the
 * TTL in whole ms, the prefixed channel or '' for none, the message frame, and the publish command:
 * PUBLISH, or SPUBLISH on a Redis Cluster. Returns {epoch, offset}.
 *
 * '%.0f' writes the numbers in full: Lua's tostring() would switch to exponent notation.
 * The publish runs inside the script so that subscribers receive the entries in log order and never
 * before a read can find them. On a cluster the script runs on the shard of the key's slot, and
 * SPUBLISH from it is allowed only for a channel of that slot: the adapter checks they share it
 * (a common hash tag) before sending, CROSS_SLOT otherwise.
 */
export const APPEND_SCRIPT = luaScript(`${NEWEST_ENTRY}
if top then
  offset = offset + 1
else
  epoch, offset = ARGV[1], 1
end
local now = redis.call('TIME')
local ms = string.format('%.0f', now[1] * 1000 + math.floor(now[2] / 1000))
local position = string.format('%.0f', offset)
redis.call('XADD', key, 'MAXLEN', ARGV[2], '0-' .. position, 'e', epoch, 't', ms, 'd', ARGV[5])
redis.call('PEXPIRE', key, ARGV[3])
if ARGV[4] ~= '' then
  redis.call(ARGV[6], ARGV[4], 'p' .. position .. ':' .. epoch .. ':' .. ARGV[5])
end
return {epoch, offset}
`);

/**
 * readLog. KEYS[1] the log; ARGV: the epoch and offset of `after` ('' and '0' without it), the
 * limit. Returns {} when there is no log, else {epoch, offset, entries newest first}: entries after
 * `after` when it is a position of this epoch not past the newest, else from the oldest kept.
 */
export const READ_SCRIPT = luaScript(`${NEWEST_ENTRY}
if not top then return {} end
local from = '-'
if ARGV[1] == epoch and tonumber(ARGV[2]) <= offset then
  from = '0-' .. string.format('%.0f', tonumber(ARGV[2]) + 1)
end
local entries = {}
local limit = tonumber(ARGV[3])
if limit > 0 then
  entries = redis.call('XREVRANGE', key, '+', from, 'COUNT', limit)
end
return {epoch, offset, entries}
`);

/** The ARGV of {@link APPEND_SCRIPT} before encoding, already checked and prefixed. */
export interface AppendArguments {
  readonly frame: string | Buffer;
  readonly epoch: string;
  readonly maxLength: number;
  readonly ttlMs: number;
  readonly channel: string | undefined;
  /** `SPUBLISH` on a Redis Cluster (sharded pub/sub), else `PUBLISH`. */
  readonly publish: 'PUBLISH' | 'SPUBLISH';
}

/** The ARGV of {@link APPEND_SCRIPT}. */
export function appendScriptArguments(append: AppendArguments): Array<string | Buffer> {
  const { epoch, maxLength, ttlMs, channel, frame, publish } = append;
  return [epoch, String(maxLength), String(ttlMs), channel ?? '', frame, publish];
}

/** The position {@link APPEND_SCRIPT} returned. */
export function parseAppendReply(reply: unknown): LogPosition {
  const [epoch, offset] = reply as [Buffer, number];
  return { epoch: epoch.toString('utf8'), offset };
}

/** The ARGV of {@link READ_SCRIPT}. */
export function readScriptArguments({ after, limit }: LogReadOptions): string[] {
  return [after?.epoch ?? '', String(after?.offset ?? 0), String(limit)];
}

/** A stream entry as the Buffer variant of the script call returns it: id, then field/value pairs. */
type StreamEntry = [id: Buffer, fields: Buffer[]];

/** What {@link READ_SCRIPT} returned, oldest first; `WRONG_TYPE` for an entry this adapter did not write. */
export function parseReadReply(reply: unknown, key: string): LogRead {
  const read = reply as [] | [epoch: Buffer, offset: number, newestFirst: StreamEntry[]];
  if (read.length === 0) return { position: null, entries: [] };
  const [epoch, offset, newestFirst] = read;
  const entries = newestFirst.map((entry) => parseEntry(entry, key)).reverse();
  return { position: { epoch: epoch.toString('utf8'), offset }, entries };
}

function parseEntry([id, fields]: StreamEntry, key: string): LogEntry {
  let time = Number.NaN;
  let frame: Buffer | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString('latin1');
    if (name === 't') time = Number(fields[i + 1]!.toString('latin1'));
    else if (name === 'd') frame = fields[i + 1];
  }
  const message = frame && decodeLogMessage(frame);
  if (message === undefined || Number.isNaN(time)) {
    throw new CacheError(
      'WRONG_TYPE',
      `readLog(): the log at ${JSON.stringify(key)} was not written by this adapter`,
    );
  }
  // The id is 0-<offset>.
  return { offset: Number(id.toString('latin1').slice(2)), message, time };
}
