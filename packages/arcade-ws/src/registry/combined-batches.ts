import type { BatchOperation } from '@arcade/cache';
import { StorageUnavailableError } from '../errors';
import type { ClusterNode } from './cluster-node';

/** A connection's write waiting for the end of the turn. */
interface PendingWrite {
  readonly what: string;
  readonly operations: readonly BatchOperation[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** The writes of one event-loop turn to one storage. */
interface TurnWrites {
  readonly node: ClusterNode;
  readonly writes: PendingWrite[];
  /** Operations in `writes`, all together. */
  operations: number;
}

/**
 * At most this many operations go in one combined batch; a turn with more sends several. A batch is
 * one storage call (one Redis script run with two arguments or more per operation): a turn opening
 * 10 000 connections must not make one call of 20 000 operations.
 */
const MAX_COMBINED_OPERATIONS = 256;

/**
 * How the registry's connection writes reach one storage: together. The writes of one event-loop turn
 * go as one combined batch, and while one is in flight the writes of the next turns wait for it (a
 * group commit). What each write holds, and what a failure leaves to redo, is record-writer.ts's part.
 */
export class CombinedBatches {
  /** The writes of the current event-loop turn, sent together at its end (see {@link write}). */
  private turn: TurnWrites | undefined;
  /** Combined batches sent and not settled yet: while there are any, new turns wait in `waiting`. */
  private inFlight = 0;
  /** Turns started while a combined batch was in flight, sent together once the last one settles. */
  private waiting: TurnWrites[] = [];

  /**
   * Applies `operations` as one atomic batch, sent together with the other connections' writes of the
   * same event-loop turn: a burst of connects and joins costs one storage call per turn instead
   * of one per connection (on Redis, one script run and one round trip). While a combined batch is in
   * flight, the writes of the turns that follow wait for it and leave together at the end of the turn
   * in which it settled: connects arrive one per turn (the usual case), and would otherwise each make a
   * storage call (a script run, a round trip) of their own. Each connection's operations
   * stay atomic (inside the combined batch) and in order (its queue sends its next write only once this
   * one settled); connections' writes touch their own record and add or remove their own id in shared
   * sets, so their order within a turn does not matter. A combined batch that fails otherwise than by
   * an unavailable storage is tried again write by write, so that a bad write fails alone. On a sharded
   * storage, where a batch is a step per shard anyway, each write goes alone.
   */
  write(node: ClusterNode, what: string, operations: readonly BatchOperation[]): Promise<void> {
    if (node.cache.shardOf !== undefined) return node.batch(what, operations);
    let turn = this.turn;
    if (
      turn === undefined ||
      turn.node !== node ||
      turn.operations + operations.length > MAX_COMBINED_OPERATIONS
    ) {
      const started: TurnWrites = { node, writes: [], operations: 0 };
      this.turn = started;
      if (this.inFlight === 0) setImmediate(() => this.flush(started));
      else this.waiting.push(started);
      turn = started;
    }
    turn.operations += operations.length;
    const writes = turn.writes;
    return new Promise((resolve, reject) => {
      writes.push({ what, operations, resolve, reject });
    });
  }

  private flush(turn: TurnWrites): void {
    if (this.turn === turn) this.turn = undefined;
    const { node, writes } = turn;
    const [first] = writes;
    if (first === undefined) return;
    this.inFlight += 1;
    if (writes.length === 1) {
      // Settled in the handlers, not with `finally`, which costs three more promises per write.
      node.batch(first.what, first.operations).then(
        () => {
          this.settled();
          first.resolve();
        },
        (error: unknown) => {
          this.settled();
          first.reject(error);
        },
      );
      return;
    }
    let what = first.what;
    const operations: BatchOperation[] = [];
    for (const write of writes) {
      if (write.what !== what) what = 'write connections';
      for (const operation of write.operations) operations.push(operation);
    }
    node.batch(what, operations).then(
      () => {
        this.settled();
        for (const write of writes) write.resolve();
      },
      (error: unknown) => {
        this.settled();
        for (const write of writes) {
          if (error instanceof StorageUnavailableError) write.reject(error);
          else node.batch(write.what, write.operations).then(write.resolve, write.reject);
        }
      },
    );
  }

  /**
   * A combined batch settled: once none is in flight, the turns that waited leave at the end of this
   * event-loop turn, so that the writes its callers make on resuming (a join after its connection's
   * registration) go with them.
   */
  private readonly settled = (): void => {
    this.inFlight -= 1;
    if (this.inFlight > 0 || this.waiting.length === 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    setImmediate(() => {
      for (const turn of waiting) this.flush(turn);
    });
  };
}
