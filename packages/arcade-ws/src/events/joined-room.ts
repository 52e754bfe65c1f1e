import type { RoomPosition } from '../protocol/frames';
import type { LocalConnection } from '../transport/local-connection';
import type { PreparedFrame } from '../transport/prepared-frame';

interface HeldFrame {
  readonly position: RoomPosition;
  readonly frame: PreparedFrame;
}

/**
 * What one protocol connection keeps about one room while a client join of it runs, and a little after
 * (docs/events-protocol.md, "Joining, and recovery without gap or duplicate"):
 * - while the join runs, the room's history frames are held back, in order;
 * - after a replay, the frames at or below the replay's newest position are dropped: those held back,
 *   and those still on their way from the storage (a history message's publish and the read's reply
 *   travel on different storage connections, so one appended before the read may arrive after it).
 *   Frames arrive in history order (guarantee 9), so the first one above that position ends the
 *   filtering;
 * - after a failed join, the room's history frames are dropped until the client joins it again: a
 *   client that missed part of the room never sees later messages, which would move its position past
 *   the gap.
 * Allocated with a join, dropped as soon as it has nothing left to do.
 */
export class JoinedRoom {
  /** Defined while a join runs: the frames held back, oldest first. */
  private held: HeldFrame[] | undefined;
  /** The connection the held frames go to (the same for all of them). */
  private connection: LocalConnection | undefined;
  /** After a replay: frames of this epoch at or below this offset were replayed already. */
  private replayed: RoomPosition | undefined;
  /** After a failed join: the room's history frames are dropped. */
  private muted = false;
  /** The join or leave running for this room: the next one waits for it. */
  queue: Promise<void> | undefined;

  /** Starts holding back (step 2); a new join lifts an earlier mute. */
  hold(): void {
    this.held = [];
    this.muted = false;
    this.replayed = undefined;
  }

  /** A history frame of the room. */
  receive(connection: LocalConnection, position: RoomPosition, frame: PreparedFrame): void {
    if (this.muted || this.isReplayed(position)) return;
    if (this.held) {
      this.connection = connection;
      this.held.push({ position, frame });
      return;
    }
    connection.send(frame);
  }

  /**
   * Step 7: sends what was held back, oldest first, but what `replayed` covers (the newest position a
   * replay sent, when there was one); keeps filtering the late frames at or below it.
   */
  release(replayed: RoomPosition | undefined): void {
    const held = this.held ?? [];
    const connection = this.connection;
    this.held = undefined;
    this.connection = undefined;
    this.replayed = replayed;
    for (const { position, frame } of held) {
      if (!this.isReplayed(position)) connection?.send(frame);
    }
  }

  /** The join failed: drops what was held and the room's frames from now on (see the class comment). */
  mute(): void {
    this.held = undefined;
    this.connection = undefined;
    this.replayed = undefined;
    this.muted = true;
  }

  /** Back to nothing held, filtered or muted (the client left the room). */
  clear(): void {
    this.held = undefined;
    this.connection = undefined;
    this.replayed = undefined;
    this.muted = false;
  }

  /** Nothing held, filtered or queued: the room needs no state. */
  get isIdle(): boolean {
    return this.held === undefined && this.replayed === undefined && !this.muted && this.queue === undefined;
  }

  private isReplayed(position: RoomPosition): boolean {
    const replayed = this.replayed;
    if (replayed === undefined || position.epoch !== replayed.epoch) return false;
    if (position.offset <= replayed.offset) return true;
    // History order: nothing at or below the replay can follow this one.
    this.replayed = undefined;
    return false;
  }
}
