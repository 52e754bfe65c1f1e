import { WebSocketError } from '../errors';
import { EVENT_ERROR_CODES } from '../protocol/codes';
import type { JoinFrame, JoinResult, LeaveFrame } from '../protocol/frames';
import { historyFrameText } from '../transport/delivery';
import { EventError } from './event-error';
import { type RouteConnection, runCallback } from './events-route';
import type { JoinedRoom } from './joined-room';
import { errorFrame, resultFrame } from './wire';

// A client's `join` and `leave` frames (docs/events-protocol.md, "Rooms"), each run once the earlier
// ones of the same room on the same connection are done (`EventConnection.roomOperation` queues them).

/**
 * How much of a replay is written before it waits for the socket to take it (`replay`): far below any
 * sane `maxBufferedBytes` (4 MiB by default), large enough that a usual replay goes out in one turn.
 */
const REPLAY_CHUNK_BYTES = 64 * 1024;

/**
 * docs/events-protocol.md, "Joining, and recovery without gap or duplicate": authorize, hold back,
 * join, read, replay, answer, release; `joined` is the connection's state of the room.
 */
export async function joinRoom(
  connection: RouteConnection,
  { id, room, since }: JoinFrame,
  joined: JoinedRoom,
): Promise<void> {
  const { manager, definition } = connection.route;
  let allowed: boolean;
  try {
    allowed = definition.authorizeJoin ? (await definition.authorizeJoin(room, connection)) === true : false;
  } catch (error) {
    refuseRoomOperation(connection, id, error);
    return;
  }
  if (!allowed) {
    connection.send(
      errorFrame({
        id,
        code: EVENT_ERROR_CODES.JOIN_REFUSED,
        message: definition.authorizeJoin
          ? `Joining room ${JSON.stringify(room)} was refused`
          : 'This route has no authorizeJoin: clients cannot join rooms',
      }),
    );
    return;
  }
  joined.hold();
  try {
    if (!(await manager.joinRoom(connection.id, room))) {
      joined.release(undefined);
      return;
    }
  } catch (error) {
    joined.release(undefined);
    refuseRoomOperation(connection, id, error);
    return;
  }
  let read: Awaited<ReturnType<typeof manager.getRoomHistory>>;
  try {
    read = await manager.getRoomHistory(room, since ? { since } : { limit: 0 });
  } catch (error) {
    // Not a member without the replay: the client's next join must not find its position moved past a gap.
    joined.mute();
    if (await manager.leaveRoom(connection.id, room).catch(() => false)) joined.clear();
    refuseRoomOperation(connection, id, error);
    return;
  }
  const replayed = since !== undefined && read.recovered ? read.position : null;
  // The connection closed during a long replay: nothing left to answer.
  if (replayed && !(await replay(connection, room, replayed.epoch, read.messages))) return;
  const result: JoinResult = { recovered: read.recovered, position: read.position };
  connection.send(resultFrame(id, result));
  joined.release(replayed ?? undefined);
  const { onJoined } = definition;
  if (onJoined) {
    runCallback(
      () => onJoined(room, connection, result),
      (error) => connection.log('onJoined of a handleEvents route threw', error),
    );
  }
}

/**
 * Sends a replay's history frames, oldest first. A replay can hold far more than the connection's
 * `maxBufferedBytes` (a long absence, large messages): written in one turn it would close the
 * connection as a slow consumer (1013), and the client would reconnect and ask again. So after every
 * REPLAY_CHUNK_BYTES the replay waits until the socket has taken what was written (`sendAndWait`).
 * False when the connection closed meanwhile.
 */
async function replay(
  connection: RouteConnection,
  room: string,
  epoch: string,
  messages: ReadonlyArray<{ readonly offset: number; readonly message: string | Uint8Array }>,
): Promise<boolean> {
  let chunk = 0;
  for (const [index, { offset, message }] of messages.entries()) {
    const text = historyFrameText(room, { epoch, offset }, message);
    chunk += text.length;
    if (chunk < REPLAY_CHUNK_BYTES || index === messages.length - 1) {
      connection.send(text);
      continue;
    }
    chunk = 0;
    if (!(await connection.sendAndWait(text))) return false;
  }
  return true;
}

/** `onLeave` (which may refuse), then the leave; `joined` is cleared once it is done. */
export async function leaveRoom(
  connection: RouteConnection,
  { id, room }: LeaveFrame,
  joined: JoinedRoom,
): Promise<void> {
  const { manager, definition } = connection.route;
  try {
    if (definition.onLeave) await definition.onLeave(room, connection);
    await manager.leaveRoom(connection.id, room);
  } catch (error) {
    refuseRoomOperation(connection, id, error);
    return;
  }
  joined.clear();
  connection.send(resultFrame(id, undefined));
}

/** Answers join or leave `id` with the error's code: ours, an `EventError`'s, or HANDLER_FAILED. */
export function refuseRoomOperation(connection: RouteConnection, id: number, error: unknown): void {
  if (error instanceof WebSocketError || error instanceof EventError) {
    connection.send(errorFrame({ id, code: error.code, message: error.message }));
    return;
  }
  connection.log('A join or leave of a handleEvents route failed', error);
  connection.send(
    errorFrame({ id, code: EVENT_ERROR_CODES.HANDLER_FAILED, message: 'The join or leave failed' }),
  );
}
