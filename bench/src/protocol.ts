/**
 * Messages between the runner, the target servers and the load generator (Node IPC, JSON).
 * Every process is started by the runner; none of them opens anything but 127.0.0.1.
 */

/**
 * How a client speaks to a target: plain WebSocket text frames, Socket.IO 4 over a raw WebSocket, or
 * Arcade's events protocol (subprotocol `arcade.events.v1`: `emit` and `req` frames in, event and `res`
 * frames out; packages/arcade-ws/docs/events-protocol.md).
 */
export type Dialect = 'raw' | 'socketio' | 'events';

/** One server the load generator dials. */
export interface Endpoint {
  port: number;
  dialect: Dialect;
}

/** Numbers measured by one run (names are the table's columns). */
export type Metrics = Record<string, number>;

export interface FanoutJob {
  kind: 'fanout';
  endpoints: Endpoint[];
  /** Processes whose CPU is charged to the deliveries (the target servers). */
  serverPids: number[];
  /**
   * Processes whose CPU is reported apart (redis-server in the cluster scenario; in cluster-sharded, the
   * cluster's nodes, each also on its own as `side<i>CpuUsPerDelivery`).
   */
  sidePids: number[];
  rooms: number;
  membersPerRoom: number;
  /** Messages per publisher sent but not yet delivered to every member of its room. */
  window: number;
  payloadBytes: number;
  warmupMs: number;
  durationMs: number;
  connectConcurrency: number;
}

/** A server a round job measures: its port, and its process (whose CPU is charged to it). */
export interface MeasuredServer {
  port: number;
  pid: number;
}

/** A server an echo job measures, with the dialect its clients speak. */
export interface EchoServer extends Endpoint, MeasuredServer {
  /** Processes whose CPU in the server's slices is reported apart (its redis-server), if any. */
  sidePids?: number[];
}

/**
 * What an echo client connects to: `echo`, the route that answers each message on its connection
 * (`websocket.add`, `ws.send`); `room`, the room route, each connection alone in a room of its own, so
 * the server's broadcast to the room (`emitToRoom`) is the echo.
 */
export type EchoRoute = 'echo' | 'room';

/**
 * Every echo server of a round, taking turns: each has its own connections, and in each turn one
 * server's connections carry the whole rate while the others' stay open and idle.
 */
export interface EchoJob {
  kind: 'echo';
  /** In the order of the first pass; the result has one set of metrics per server, in this order. */
  servers: EchoServer[];
  /** Connections to each server. */
  connections: number;
  route: EchoRoute;
  /** Messages per second over the connections of the server whose turn it is. */
  rate: number;
  payloadBytes: number;
  /** Unmeasured load on each server before the first pass. */
  warmupMs: number;
  /** Measured time per server, over all its slices. */
  durationMs: number;
  slices: number;
  connectConcurrency: number;
}

/**
 * Idle connections opened in rungs: the connections grow to each count of `rungs` in turn, and at each
 * the load generator reports (`connected`) and waits for the runner's `release` (which reads the
 * server's memory meanwhile). Each connection joins one of `rooms` rooms.
 */
export interface ConnectionsJob {
  kind: 'connections';
  endpoint: Endpoint;
  /** The server, whose CPU is charged to the connects, and processes charged apart (its redis-server). */
  pid: number;
  sidePids: number[];
  /** Total connections at each rung, increasing. */
  rungs: number[];
  rooms: number;
  connectConcurrency: number;
  /** Connections opened and closed again before each rung's CPU window (load/connections.ts). */
  warmup: number;
}

/**
 * Every server of a round on one route, taking turns: each gets `slices` runs of `durationMs / slices`,
 * so a drift of the machine falls on all of them alike.
 */
export interface HttpJob {
  kind: 'http';
  /** In the order of the first pass; the result has one set of metrics per server, in this order. */
  servers: MeasuredServer[];
  path: string;
  connections: number;
  /** Unmeasured load on each server before the first pass. */
  warmupMs: number;
  /** Measured time per server, over all its slices. */
  durationMs: number;
  slices: number;
}

export type LoadJob = FanoutJob | EchoJob | ConnectionsJob | HttpJob;

/** A job that measures several servers in turns. */
export type RoundJob = EchoJob | HttpJob;

/** What a job measures: a round job, one set of metrics per server (in the job's order); others, one. */
export type LoadResult = Metrics | Metrics[];

/** Runner -> load generator. */
export type ToLoad = { type: 'run'; job: LoadJob } | { type: 'release' };
/** Load generator -> runner. */
export type FromLoad =
  | { type: 'result'; metrics: LoadResult }
  | { type: 'connected'; metrics: Metrics }
  | { type: 'error'; message: string };

/** Runner -> target server. */
export type ToServer = { type: 'stop' } | { type: 'gc' };
/** Target server -> runner. */
export type FromServer =
  | { type: 'ready'; port: number }
  | { type: 'gc-done'; heapUsed: number }
  | { type: 'error'; message: string };

/**
 * The WebSocket path of a room's fan-out route on a target (Socket.IO passes the room as a query; an
 * events target serves the protocol on the raw targets' paths).
 */
export function roomPath(dialect: Dialect, room: string): string {
  return dialect === 'socketio'
    ? `/socket.io/?EIO=4&transport=websocket&room=${encodeURIComponent(room)}`
    : `/ws/bench/${encodeURIComponent(room)}`;
}

/** The WebSocket path of the echo route on a target. */
export function echoPath(dialect: Dialect): string {
  return dialect === 'socketio' ? '/socket.io/?EIO=4&transport=websocket&echo=1' : '/ws/echo';
}
