/** Free-form data attached to a connection; kept as JSON (what `JSON.stringify` keeps survives). */
export type ConnectionMetadata = Record<string, unknown>;

/** The JSON form of a {@link ConnectionInfo}: `rooms` as an array, `connectTime` as an ISO string. */
export interface ConnectionInfoJson {
  id: string;
  serverInstanceId: string;
  connectTime: string;
  rooms: string[];
  metadata: ConnectionMetadata;
}

/** A snapshot of a connection, local or on another instance. Changing it changes nothing stored. */
export class ConnectionInfo {
  /** The connection id (nanoid). */
  readonly id: string;
  /** The `serverInstanceId` of the instance holding the socket. */
  readonly serverInstanceId: string;
  /** When the connection was registered. */
  readonly connectTime: Date;
  /** The rooms the connection is in. */
  readonly rooms: Set<string>;
  /** `userAgent` and `remoteAddress` at first, then whatever `updateConnectionMetadata` merged in. */
  readonly metadata: ConnectionMetadata;

  constructor(init: {
    id: string;
    serverInstanceId: string;
    connectTime: Date;
    rooms: Iterable<string>;
    metadata: ConnectionMetadata;
  }) {
    this.id = init.id;
    this.serverInstanceId = init.serverInstanceId;
    this.connectTime = init.connectTime;
    this.rooms = new Set(init.rooms);
    this.metadata = init.metadata;
  }

  /** `rooms` as an array and `connectTime` as an ISO string, so `JSON.stringify(info)` is useful. */
  toJSON(): ConnectionInfoJson {
    return {
      id: this.id,
      serverInstanceId: this.serverInstanceId,
      connectTime: this.connectTime.toISOString(),
      rooms: [...this.rooms],
      metadata: this.metadata,
    };
  }
}
