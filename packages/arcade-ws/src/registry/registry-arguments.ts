import type { ConnectionMetadata } from './connection-info';
import type { StoredMetadata } from './local-registry';
import type { EmitToRoomOptions } from './options';

// The arguments of the registry's operations as users give them, checked and put in the form the
// registry keeps: a wrong argument fails here, with a message naming the call, before any work.

/** What a connection's initial metadata is made of (the upgrade request); `undefined` when unknown. */
export interface ConnectionOrigin {
  readonly userAgent?: string;
  readonly remoteAddress?: string;
}

const PLAIN = Object.freeze({ exclude: undefined, history: false });
const WITH_HISTORY = Object.freeze({ exclude: undefined, history: true });

/**
 * `emitToRoom`'s options checked: `exclude` as a list, `history` as a boolean. Rejects a third argument
 * that is not such an object (an event form by mistake: `emitToRoom(room, 'event', data)`).
 */
export function emitToRoomOptions(options: EmitToRoomOptions | undefined): {
  exclude: readonly string[] | undefined;
  history: boolean;
} {
  // The usual emit, without options: no object to look into.
  if (options === undefined) return PLAIN;
  if (
    typeof options !== 'object' ||
    options === null ||
    Object.keys(options).some((key) => key !== 'exclude' && key !== 'history')
  ) {
    throw new TypeError(
      'emitToRoom(room, message, options): options only takes { exclude, history }; to send an event, emit { event, data }',
    );
  }
  const { exclude, history = false } = options;
  if (typeof history !== 'boolean') {
    throw new TypeError(`emitToRoom: history must be true or false, got ${String(history)}`);
  }
  // Every plain emit lands here: no new object for it.
  if (exclude === undefined) return history ? WITH_HISTORY : PLAIN;
  const ids = [exclude].flat();
  if (ids.some((id) => typeof id !== 'string')) {
    throw new TypeError('emitToRoom: exclude must be a connection id or an array of connection ids');
  }
  return { exclude: ids, history };
}

/**
 * A connection's first metadata: both keys always there, `null` when the request did not say (as the
 * Dart original stores a missing header), and one object shape for every connection.
 */
export function initialMetadata({ userAgent, remoteAddress }: ConnectionOrigin): StoredMetadata {
  return { userAgent: userAgent ?? null, remoteAddress: remoteAddress ?? null };
}

/** A metadata patch as JSON keeps it (Dates become strings, undefined values disappear); rejects a non-object. */
export function metadataPatch(patch: ConnectionMetadata): StoredMetadata {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new TypeError('updateConnectionMetadata(id, patch): patch must be an object');
  }
  return JSON.parse(JSON.stringify(patch)) as StoredMetadata;
}
