/** Stable codes of {@link WebSocketError}: match on these, not on messages. */
export type WebSocketErrorCode =
  /** A room name is empty, longer than 256 characters, holds a control character or a lone surrogate. */
  | 'INVALID_ROOM_NAME'
  /** The connection is already in `maxRoomsPerConnection` rooms. */
  | 'ROOM_LIMIT'
  /** The merged metadata would be larger than `maxMetadataBytes` once JSON-encoded. */
  | 'METADATA_LIMIT'
  /** The shared storage (or the instance owning a connection) cannot be reached now. */
  | 'STORAGE_UNAVAILABLE'
  /** `websocket.listen()` was called a second time on the same connection. */
  | 'ALREADY_LISTENING';

/** The base class of every error `@arcade/ws` throws on purpose. */
export class WebSocketError extends Error {
  constructor(
    readonly code: WebSocketErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Thrown by room functions for a name that is not 1–256 characters, holds control characters, or is
 * not well-formed UTF-16 (a lone surrogate). `reason`, when given, says what is wrong with this one.
 */
export class InvalidRoomNameError extends WebSocketError {
  constructor(
    readonly room: unknown,
    reason?: string,
  ) {
    super(
      'INVALID_ROOM_NAME',
      `Invalid room name ${describe(room)}: a room name is a string of 1 to 256 characters without control characters${reason ? `; ${reason}` : ''}`,
    );
  }
}

/** Thrown by `joinRoom` when the connection is already in `maxRoomsPerConnection` rooms. */
export class RoomLimitError extends WebSocketError {
  constructor(
    readonly connectionId: string,
    readonly limit: number,
  ) {
    super(
      'ROOM_LIMIT',
      `Connection ${connectionId} is already in ${limit} rooms (maxRoomsPerConnection); leave a room first or raise webSocket.maxRoomsPerConnection`,
    );
  }
}

/** Thrown by `updateConnectionMetadata` when the merged metadata is larger than `maxMetadataBytes`. */
export class MetadataLimitError extends WebSocketError {
  constructor(
    readonly connectionId: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(
      'METADATA_LIMIT',
      `Metadata of connection ${connectionId} would take ${size} bytes as JSON, more than the ${limit} allowed (maxMetadataBytes); store less or raise webSocket.maxMetadataBytes`,
    );
  }
}

/**
 * Thrown by calls that need the shared storage while it cannot be reached (a Redis outage, a
 * disposed cache), within 5 s. Local delivery keeps working meanwhile; once the storage is back,
 * the instance restores its state by itself. `cause` holds the adapter's `CacheError` when there is one.
 */
export class StorageUnavailableError extends WebSocketError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(
      'STORAGE_UNAVAILABLE',
      `${message}; retry once the WebSocket storage (cache) is reachable again`,
      options,
    );
  }
}

/** Thrown when `listen` is called a second time on the same connection (code `ALREADY_LISTENING`). */
export class WebSocketListenError extends WebSocketError {
  constructor(readonly connectionId: string) {
    super(
      'ALREADY_LISTENING',
      `websocket.listen() was already called for connection ${connectionId}; call it once per connection`,
    );
  }
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return `(${value === null ? 'null' : typeof value})`;
  // Cut by code point: cutting by code unit could split an emoji and show a lone surrogate that is not there.
  const points = Array.from(value);
  return points.length > 40 ? `${JSON.stringify(points.slice(0, 40).join(''))}...` : JSON.stringify(value);
}
