import type { JsonValue } from '@arcade/cache';
import { MetadataLimitError, RoomLimitError, StorageUnavailableError, WebSocketError } from '../errors';

/** A request to the instance holding a connection: it applies it as if it were local. */
export type ControlRequest =
  | { readonly op: 'join' | 'leave'; readonly connectionId: string; readonly room: string }
  | { readonly op: 'metadata'; readonly connectionId: string; readonly patch: { [key: string]: JsonValue } }
  | {
      readonly op: 'disconnect';
      readonly connectionId: string;
      readonly code?: number;
      readonly reason?: string;
    }
  /** The message travels as the envelope payload; no reply. */
  | { readonly op: 'emit'; readonly connectionId: string };

/** Header of a request envelope. `r` is absent when the sender wants no reply. */
export interface RequestHeader {
  readonly s: string;
  readonly r?: string;
  readonly q: ControlRequest;
}

/** An error as it travels back to the caller. */
export interface SerializedError {
  readonly code: string;
  readonly message: string;
  readonly limit?: number;
  readonly size?: number;
}

/** Header of a reply envelope. */
export type ReplyHeader =
  | { readonly s: string; readonly r: string; readonly ok: true; readonly result: boolean }
  | { readonly s: string; readonly r: string; readonly ok: false; readonly error: SerializedError };

/** The wire form of an error thrown while applying a request. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof RoomLimitError)
    return { code: error.code, message: error.message, limit: error.limit };
  if (error instanceof MetadataLimitError) {
    return { code: error.code, message: error.message, limit: error.limit, size: error.size };
  }
  if (error instanceof WebSocketError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/** Rebuilds, on the caller's side, the typed error the owning instance threw. */
export function deserializeError(error: SerializedError, connectionId: string, instanceId: string): Error {
  switch (error.code) {
    case 'ROOM_LIMIT':
      return new RoomLimitError(connectionId, error.limit ?? 0);
    case 'METADATA_LIMIT':
      return new MetadataLimitError(connectionId, error.size ?? 0, error.limit ?? 0);
    case 'STORAGE_UNAVAILABLE':
      return new StorageUnavailableError(
        `Instance ${instanceId} could not apply the change: ${error.message}`,
      );
    default:
      return new Error(
        `Instance ${instanceId} failed to apply the change to connection ${connectionId}: ${error.message}`,
      );
  }
}
