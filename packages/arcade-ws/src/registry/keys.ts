// Every key and channel @arcade/ws uses, in one place (docs/cluster.md lists them and why each is laid
// out so). The adapter adds its own prefix in front. Names end with user-chosen strings (room names, ids)
// so that no suffix can collide with another kind of key.
//
// Hash tags (`{...}`) decide the shard of a key on a Redis Cluster: the text between the first `{` and
// the next `}`. A room's member set, its history and its channel share the tag `{r:<room>}`: the history
// append publishes on the channel in the same script, which a cluster allows only within one slot. The
// `r:` keeps the tag non-empty (and the same in all three names) whatever the room name holds, even a
// leading `}`. An instance's own keys share `{i:<instanceId>}`, so that removing a dead instance is one
// step. Everything else is hashed whole: connections and rooms spread over the shards.

/** The hash tag of everything about one room. */
const roomTag = (room: string): string => `{r:${room}}`;
/** The hash tag of an instance's own keys. */
const instanceTag = (instanceId: string): string => `{i:${instanceId}}`;

/** Storage keys. */
export const storageKeys = {
  /** JSON record of one connection (`StoredConnection`), written only by the instance holding it. */
  connection: (connectionId: string): string => `ws:conn:${connectionId}`,
  /** Set of the connection ids in a room, cluster-wide. */
  room: (room: string): string => `ws:room:${roomTag(room)}`,
  /** The room's history: a capped log (`CacheManager.appendToLog`) appended with a publish on its channel. */
  history: (room: string): string => `ws:history:${roomTag(room)}`,
  /** Set of the connection ids an instance holds: what survivors clean when its lease expires. */
  instanceConnections: (instanceId: string): string => `ws:instance-conns:${instanceTag(instanceId)}`,
  /** Set of the ids of live (or not yet cleaned) instances. */
  instances: 'ws:instances',
  /** An instance's lease: present while the instance renews it (TTL `instanceLeaseMs`). */
  lease: (instanceId: string): string => `ws:lease:${instanceTag(instanceId)}`,
  /** Taken with setIfAbsent by the one survivor that cleans a dead instance. */
  reapLock: (instanceId: string): string => `ws:reap:${instanceTag(instanceId)}`,
} as const;

/** Pub/sub channels. */
export const channelNames = {
  /** Messages for a room; an instance subscribes only while it holds members of the room. */
  room: (room: string): string => `ws:room:${roomTag(room)}`,
  /** Requests to an instance (remote join/leave/emit/...) and replies to its requests. */
  instance: (instanceId: string): string => `ws:instance:${instanceTag(instanceId)}`,
  /** `emitToAll`, every instance subscribes. */
  broadcast: 'ws:all',
} as const;
