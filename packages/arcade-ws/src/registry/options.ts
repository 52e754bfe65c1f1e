import type { HistoryOptions } from '../transport/options';

/** @default 10 000 ms: survivors clean a dead instance within about 1.4 leases (under 15 s). */
export const DEFAULT_INSTANCE_LEASE_MS = 10_000;
/** @default 100 */
export const DEFAULT_MAX_ROOMS_PER_CONNECTION = 100;
/** @default 16 KiB */
export const DEFAULT_MAX_METADATA_BYTES = 16 * 1024;

/** @default 100 messages per room */
export const DEFAULT_HISTORY_SIZE = 100;
/** @default 10 minutes after the room's last history message */
export const DEFAULT_HISTORY_TTL_MS = 10 * 60 * 1000;

/** Options of `initializeWebSocketStorage`. */
export interface WebSocketStorageOptions {
  /**
   * How long this instance's lease lives without renewal (renewed every third of it). When an
   * instance dies without cleaning up, the survivors remove its connections and memberships within
   * about 1.4 times this. Overrides `runServer({ webSocket: { instanceLeaseMs } })`.
   * @default 10000
   */
  instanceLeaseMs?: number;
  /**
   * Whether `disposeWebSocketStorage()` and `server.close()` dispose the cache once this instance has
   * left it. Pass `false` when the same cache serves other code of the app (a history, a room
   * directory) and the app disposes it itself; the instance still removes its own keys and
   * subscriptions either way.
   * @default true
   */
  disposeCache?: boolean;
}

/** Server-wide registry limits (from `runServer({ webSocket })`). */
export interface RegistryOptions {
  /** Rooms one connection may be in; `joinRoom` beyond it throws `RoomLimitError`. @default 100 */
  maxRoomsPerConnection?: number;
  /** Largest metadata of one connection, as UTF-8 JSON; beyond it `MetadataLimitError`. @default 16384 */
  maxMetadataBytes?: number;
  /** See {@link WebSocketStorageOptions.instanceLeaseMs}; the storage's own option wins. @default 10000 */
  instanceLeaseMs?: number;
  /** Bounds of room history. @default { size: 100, ttlMs: 600000 } */
  history?: HistoryOptions;
}

/** Options of `emitToRoom`. */
export interface EmitToRoomOptions {
  /** Connection id(s) that must not receive the message (typically the sender). */
  exclude?: string | readonly string[];
  /**
   * Keep the message in the room's history (see `getRoomHistory`): appended and published in one
   * atomic storage step, and the emit resolves the message's `RoomPosition`. `false` is the
   * same as leaving it out.
   * @default false
   */
  history?: boolean;
}
