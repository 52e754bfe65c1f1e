import { Writable } from 'node:stream';
import { type BatchTarget, flushNow, writeBatched } from '../../src/transport/write-batcher';

/** A target whose stream records how its chunks arrive: one entry per _write / _writev call. */
function recordingTarget(): BatchTarget & { isOpen: boolean; batches: string[][] } {
  const batches: string[][] = [];
  const socket = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      batches.push([chunk.toString()]);
      callback();
    },
    writev(chunks, callback) {
      batches.push(chunks.map(({ chunk }) => (chunk as Buffer).toString()));
      callback();
    },
  });
  return { socket, isOpen: true, batches };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const UNBOUNDED = Number.MAX_SAFE_INTEGER;
const write = (target: BatchTarget, text: string, limit = UNBOUNDED): boolean =>
  writeBatched(target, Buffer.from(text), limit);

describe('writeBatched', () => {
  it('writes every frame of one event-loop turn in one write, in order', async () => {
    const target = recordingTarget();
    write(target, 'a');
    write(target, 'b');
    write(target, 'c');
    expect(target.batches).toEqual([]);
    await nextTurn();
    expect(target.batches).toEqual([['abc']]);
  });

  it('starts a new batch in the next turn', async () => {
    const target = recordingTarget();
    write(target, '1');
    await nextTurn();
    write(target, '2');
    write(target, '3');
    await nextTurn();
    expect(target.batches).toEqual([['1'], ['23']]);
  });

  it('batches each of several targets written in the same turn', async () => {
    const first = recordingTarget();
    const second = recordingTarget();
    write(first, 'x');
    write(second, 'y');
    write(first, 'z');
    await nextTurn();
    expect(first.batches).toEqual([['xz']]);
    expect(second.batches).toEqual([['y']]);
  });

  it('writes large batches as a vector rather than copying them', async () => {
    const target = recordingTarget();
    const big = 'b'.repeat(10_000);
    write(target, big);
    write(target, big);
    await nextTurn();
    expect(target.batches).toEqual([[big, big]]);
    expect(target.socket.writableCorked).toBe(0);
  });

  it('refuses a frame that would take the socket past the limit, counting what is queued', async () => {
    const target = recordingTarget();
    expect(write(target, 'abcd', 6)).toBe(true);
    expect(write(target, 'efg', 6)).toBe(false);
    expect(write(target, 'ef', 6)).toBe(true);
    await nextTurn();
    expect(target.batches).toEqual([['abcdef']]);
  });

  it('writes what is queued at once on flushNow, and nothing more at the end of the turn', async () => {
    const target = recordingTarget();
    write(target, 'before');
    flushNow(target);
    expect(target.batches).toEqual([['before']]);
    flushNow(target);
    await nextTurn();
    expect(target.batches).toEqual([['before']]);
  });

  it('drops the frames of a target that closed before the end of the turn', async () => {
    const target = recordingTarget();
    write(target, 'late');
    target.isOpen = false;
    await nextTurn();
    expect(target.batches).toEqual([]);
  });
});
