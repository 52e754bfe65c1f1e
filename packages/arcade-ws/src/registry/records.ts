import type { BatchOperation, JsonValue } from '@arcade/cache';
import { ConnectionInfo } from './connection-info';
import { storageKeys } from './keys';
import type { LocalEntry, StoredMetadata } from './local-registry';

/** The stored record of a connection (`ws:conn:<id>`). */
export interface StoredConnection {
  id: string;
  serverInstanceId: string;
  /** ISO 8601. */
  connectTime: string;
  rooms: readonly string[];
  metadata: StoredMetadata;
}

/**
 * The record of a local connection, with `rooms` as given (defaults to the entry's). It shares the
 * entry's rooms array and metadata object, which are replaced on change and never mutated, and is
 * handed to the cache at once, which copies or serializes what it stores.
 */
export function recordOf(
  entry: LocalEntry,
  instanceId: string,
  rooms: readonly string[] = entry.rooms,
): StoredConnection {
  return {
    id: entry.connection.id,
    serverInstanceId: instanceId,
    connectTime: isoTime(entry.connectTime),
    rooms,
    metadata: entry.metadata,
  };
}

/** The second {@link isoTime} formatted last, and its ISO text up to the milliseconds. */
let cachedSecond = Number.NaN;
let cachedPrefix = '';
/** `"000Z"` to `"999Z"`, made on first use. */
let millisTexts: readonly string[] | undefined;

/**
 * `new Date(ms).toISOString()`. A record is written at least twice within a second of its connect
 * (registered, then joined), and connects come in bursts: the text up to the second is kept from the
 * previous call and the milliseconds come from a table, where the built-in formats the whole date
 * each time (about a microsecond). The result is the two joined without a copy, which is also smaller
 * for a store that keeps it (40 bytes against 48).
 */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    // "YYYY-MM-DDTHH:MM:SS." (longer for a six-digit year), without "sssZ".
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    cachedSecond = second;
  }
  millisTexts ??= Array.from({ length: 1000 }, (_, millis) => `${String(millis).padStart(3, '0')}Z`);
  return cachedPrefix + millisTexts[Math.floor(ms) - second * 1000];
}

/**
 * Writes that make storage describe a local connection completely: instance index, record, rooms. On a
 * sharded storage they run as steps in this order (cluster-node.ts, `batch`), so that a crash between
 * two steps leaves only what the survivors' clean-up finds: it starts from the instance index and the
 * record's rooms.
 */
export function writeConnectionOperations(entry: LocalEntry, instanceId: string): BatchOperation[] {
  const id = entry.connection.id;
  return [
    { type: 'setAdd', key: storageKeys.instanceConnections(instanceId), members: [id] },
    {
      type: 'set',
      key: storageKeys.connection(id),
      value: recordOf(entry, instanceId) as unknown as JsonValue,
    },
    ...entry.rooms.map(
      (room): BatchOperation => ({ type: 'setAdd', key: storageKeys.room(room), members: [id] }),
    ),
  ];
}

/** Writes that remove every trace of a connection from storage: rooms, record, then instance index (same reason). */
export function removeConnectionOperations(
  id: string,
  instanceId: string,
  rooms: readonly string[],
): BatchOperation[] {
  return [
    ...rooms.map(
      (room): BatchOperation => ({ type: 'setRemove', key: storageKeys.room(room), members: [id] }),
    ),
    { type: 'remove', key: storageKeys.connection(id) },
    { type: 'setRemove', key: storageKeys.instanceConnections(instanceId), members: [id] },
  ];
}

/** Reads a stored record; `undefined` for anything that is not one. */
export function parseRecord(value: unknown): StoredConnection | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<StoredConnection>;
  if (
    typeof record.id !== 'string' ||
    typeof record.serverInstanceId !== 'string' ||
    typeof record.connectTime !== 'string' ||
    !Array.isArray(record.rooms) ||
    typeof record.metadata !== 'object' ||
    record.metadata === null
  ) {
    return undefined;
  }
  return record as StoredConnection;
}

/** The public snapshot of a stored record. */
export function infoFromRecord(record: StoredConnection): ConnectionInfo {
  return new ConnectionInfo({
    id: record.id,
    serverInstanceId: record.serverInstanceId,
    connectTime: new Date(record.connectTime),
    rooms: record.rooms,
    metadata: record.metadata,
  });
}

/** The public snapshot of a local connection (a copy: changing it changes nothing). */
export function infoFromEntry(entry: LocalEntry, instanceId: string): ConnectionInfo {
  return new ConnectionInfo({
    id: entry.connection.id,
    serverInstanceId: instanceId,
    connectTime: new Date(entry.connectTime),
    rooms: entry.rooms,
    metadata: structuredClone(entry.metadata),
  });
}
