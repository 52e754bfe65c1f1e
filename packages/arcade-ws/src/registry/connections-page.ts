import type { ConnectionInfo } from './connection-info';

/** Options of `getConnectionsPage`. */
export interface ConnectionsPageOptions {
  /** Where to go on from: the `nextCursor` of the previous page; omitted or `null` for the first page. */
  cursor?: string | null;
  /** The most connections one page holds (a positive integer). @default 100 */
  limit?: number;
}

/** One page of the cluster's connections, in a stable order (by instance, then by connection id). */
export interface ConnectionsPage {
  /** At most `limit` connections; fewer only on the last page. */
  connections: ConnectionInfo[];
  /** The `cursor` of the next page; `null` once every connection was listed. */
  nextCursor: string | null;
}

/** @default 100 */
export const DEFAULT_CONNECTIONS_PAGE_LIMIT = 100;

/** A position in the cluster-wide order: connections after it come next. */
interface Position {
  readonly instanceId: string;
  readonly connectionId: string;
}

/** What the pager reads; the manager answers from memory for its own instance and from storage for the others. */
export interface ConnectionsPageSource {
  /** Ids of the instances that may hold connections (this one included). */
  instances(): Promise<string[]>;
  /** How many connections each instance's index holds, in one concurrent burst. */
  indexSizes(instanceIds: readonly string[]): Promise<number[]>;
  /** The connection ids of each instance, in one concurrent burst. */
  indexes(instanceIds: readonly string[]): Promise<string[][]>;
  /** The connections, in one concurrent burst; `undefined` for one that closed meanwhile. */
  read(entries: readonly Position[]): Promise<Array<ConnectionInfo | undefined>>;
}

/**
 * Reads one page: the instance list, the index sizes of the instances after the cursor, the indexes
 * needed to fill the page, then the records of the page only — each step one burst of concurrent
 * calls. A page is topped up when connections closed between the index read and the record read.
 */
export async function readConnectionsPage(
  source: ConnectionsPageSource,
  options: ConnectionsPageOptions = {},
): Promise<ConnectionsPage> {
  const { after, limit } = pageOptions(options);
  const instances = (await source.instances())
    .filter((instanceId) => after === undefined || instanceId >= after.instanceId)
    .sort(compareStrings);
  const sizes = await source.indexSizes(instances);
  // Instances still to load, in order, with their index size (an upper bound of what follows the cursor).
  const unloaded = instances.flatMap((instanceId, index) => {
    const size = sizes[index] ?? 0;
    return size > 0 ? [{ instanceId, size }] : [];
  });

  const connections: ConnectionInfo[] = [];
  let candidates: Position[] = [];
  let position = after;
  while (connections.length < limit) {
    const missing = limit - connections.length;
    if (candidates.length < missing && unloaded.length > 0) {
      candidates = [
        ...candidates,
        ...(await loadIndexes(source, takeEnough(unloaded, missing - candidates.length), position)),
      ];
      continue;
    }
    if (candidates.length === 0) break;
    const slice = candidates.slice(0, missing);
    candidates = candidates.slice(slice.length);
    for (const info of await source.read(slice)) if (info) connections.push(info);
    position = slice[slice.length - 1];
  }
  const more = candidates.length > 0 || unloaded.length > 0;
  return { connections, nextCursor: more && position ? encodeCursor(position) : null };
}

/** Removes from the front of `unloaded` the fewest instances whose sizes add up to `wanted` (or all). */
function takeEnough(unloaded: Array<{ instanceId: string; size: number }>, wanted: number): string[] {
  let count = 0;
  for (let total = 0; count < unloaded.length && total < wanted; count += 1) {
    total += unloaded[count]?.size ?? 0;
  }
  return unloaded.splice(0, count).map(({ instanceId }) => instanceId);
}

/** The positions of these instances' connections after `position`, in order. */
async function loadIndexes(
  source: ConnectionsPageSource,
  instanceIds: readonly string[],
  position: Position | undefined,
): Promise<Position[]> {
  const indexes = await source.indexes(instanceIds);
  return instanceIds.flatMap((instanceId, index) =>
    [...(indexes[index] ?? [])]
      .sort(compareStrings)
      .map((connectionId) => ({ instanceId, connectionId }))
      .filter((candidate) => position === undefined || isAfter(candidate, position)),
  );
}

function pageOptions(options: ConnectionsPageOptions): { after: Position | undefined; limit: number } {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('getConnectionsPage(options): options must be an object { cursor?, limit? }');
  }
  const limit = options.limit ?? DEFAULT_CONNECTIONS_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit <= 0) {
    throw new RangeError(`getConnectionsPage: limit must be a positive integer, got ${String(limit)}`);
  }
  const cursor = options.cursor ?? undefined;
  return { after: cursor === undefined ? undefined : decodeCursor(cursor), limit };
}

/** Cursors are opaque to users: base64url of `[instanceId, connectionId]`. */
function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.instanceId, position.connectionId]), 'utf8').toString(
    'base64url',
  );
}

function decodeCursor(cursor: unknown): Position {
  let parsed: unknown;
  try {
    parsed =
      typeof cursor === 'string' ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string'
  ) {
    throw new TypeError(
      'getConnectionsPage: cursor is not one getConnectionsPage returned; pass a previous nextCursor, or omit it for the first page',
    );
  }
  return { instanceId: parsed[0], connectionId: parsed[1] };
}

function isAfter(candidate: Position, position: Position): boolean {
  if (candidate.instanceId !== position.instanceId) return candidate.instanceId > position.instanceId;
  return candidate.connectionId > position.connectionId;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
