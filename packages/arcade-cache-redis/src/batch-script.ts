import { luaScript } from './scripts';

/**
 * An atomic batch as one Lua script. MULTI alone would not do: Redis applies the commands before a
 * failed one (WRONGTYPE), so a batch could land half-done. The script first checks every set
 * operation against the key's type as the earlier operations of the batch leave it, then applies
 * everything; a script runs without any other client's command in between.
 *
 * KEYS[i] is the key of operation i. ARGV holds, per operation: its kind, the count n of its
 * arguments, then those n arguments (`set`: value and TTL in ms or ''; `sadd`/`srem`: members).
 */
export const BATCH_SCRIPT = luaScript(`
local kinds, firsts, counts = {}, {}, {}
local i = 1
for k = 1, #KEYS do
  kinds[k] = ARGV[i]
  counts[k] = tonumber(ARGV[i + 1])
  firsts[k] = i + 2
  i = i + 2 + counts[k]
end
local types = {}
for k = 1, #KEYS do
  local key, kind = KEYS[k], kinds[k]
  if kind == 'set' then
    types[key] = 'string'
  elseif kind == 'del' then
    types[key] = 'none'
  else
    local t = types[key]
    if t == nil then t = redis.call('TYPE', key)['ok'] end
    if t ~= 'set' and t ~= 'none' then
      return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
    end
    if kind == 'sadd' then types[key] = 'set' end
  end
end
for k = 1, #KEYS do
  local key, kind, first, n = KEYS[k], kinds[k], firsts[k], counts[k]
  if kind == 'set' then
    if ARGV[first + 1] == '' then
      redis.call('SET', key, ARGV[first])
    else
      redis.call('SET', key, ARGV[first], 'PX', ARGV[first + 1])
    end
  elseif kind == 'del' then
    redis.call('DEL', key)
  else
    local command = kind == 'sadd' and 'SADD' or 'SREM'
    -- unpack() is bounded by Lua's stack: send members in chunks.
    for from = first, first + n - 1, 1000 do
      redis.call(command, key, unpack(ARGV, from, math.min(from + 999, first + n - 1)))
    end
  end
end
return #KEYS
`);

/** One operation, already validated, prefixed and encoded. */
export type PreparedOperation =
  | { kind: 'set'; key: string; value: string | Buffer; ttlMs: number | undefined }
  | { kind: 'del'; key: string }
  | { kind: 'sadd' | 'srem'; key: string; members: readonly string[] };

/** The KEYS and ARGV of {@link BATCH_SCRIPT} for `operations`. */
export function batchScriptArguments(operations: readonly PreparedOperation[]): {
  keys: string[];
  args: Array<string | Buffer>;
} {
  const keys: string[] = [];
  const args: Array<string | Buffer> = [];
  for (const operation of operations) {
    keys.push(operation.key);
    switch (operation.kind) {
      case 'set':
        args.push('set', '2', operation.value, operation.ttlMs === undefined ? '' : String(operation.ttlMs));
        break;
      case 'del':
        args.push('del', '0');
        break;
      default:
        args.push(operation.kind, String(operation.members.length));
        // Not spread into push(): a set of some hundred thousand members would overflow the stack.
        for (const member of operation.members) args.push(member);
    }
  }
  return { keys, args };
}
