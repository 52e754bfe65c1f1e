// Every key and channel @arcade/ws uses, in one place (docs/cluster.md lists them). The adapter adds
// its own prefix in front. Names end with user-chosen strings (room names, ids) so that no suffix can
// collide with another kind of key.

/** Storage keys. */
export const storageKeys = {
  /** JSON record of one connection (`StoredConnection`), written only by the instance holding it. */
  connection: (connectionId: string): string => `ws:conn:${connectionId}`,
  /** Set of the connection ids in a room, cluster-wide. */
  room: (room: string): string => `ws:room:${room}`,
  /** Set of the connection ids an instance holds: what survivors clean when its lease expires. */
  instanceConnections: (instanceId: string): string => `ws:instance-conns:${instanceId}`,
  /** Set of the ids of live (or not yet cleaned) instances. */
  instances: 'ws:instances',
  /** An instance's lease: present while the instance renews it (TTL `instanceLeaseMs`). */
  lease: (instanceId: string): string => `ws:lease:${instanceId}`,
  /** The room's history: a capped log (`CacheManager.appendToLog`) appended with a publish on its channel. */
  history: (room: string): string => `ws:history:${room}`,
  /** Taken with setIfAbsent by the one survivor that cleans a dead instance. */
  reapLock: (instanceId: string): string => `ws:reap:${instanceId}`,
} as const;

/** Pub/sub channels. */
export const channelNames = {
  /** Messages for a room; an instance subscribes only while it holds members of the room. */
  room: (room: string): string => `ws:room:${room}`,
  /** Requests to an instance (remote join/leave/emit/...) and replies to its requests. */
  instance: (instanceId: string): string => `ws:instance:${instanceId}`,
  /** `emitToAll`, every instance subscribes. */
  broadcast: 'ws:all',
} as const;
