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
  it('writes the first frame of a turn at once and the rest of the turn in one write at its end, in order', async () => {
    const target = recordingTarget();
    write(target, 'a');
    expect(target.batches).toEqual([['a']]);
    write(target, 'b');
    write(target, 'c');
    expect(target.batches).toEqual([['a']]);
    await nextTurn();
    expect(target.batches).toEqual([['a'], ['bc']]);
  });

  it('starts afresh in the next turn', async () => {
    const target = recordingTarget();
    write(target, '1');
    await nextTurn();
    write(target, '2');
    write(target, '3');
    write(target, '4');
    await nextTurn();
    expect(target.batches).toEqual([['1'], ['2'], ['34']]);
  });

  it('under load, batches the frames past the 32nd of a turn and every frame of the turn after, until a light turn', async () => {
    const targets = Array.from({ length: 40 }, recordingTarget);
    for (const target of targets) write(target, 'h');
    expect(targets.map((target) => target.batches.length)).toEqual([
      ...Array(32).fill(1),
      ...Array(8).fill(0),
    ]);
    await nextTurn();
    expect(targets.every((target) => target.batches.length === 1)).toBe(true);
    const [first] = targets as [ReturnType<typeof recordingTarget>];
    write(first, 'next');
    expect(first.batches).toEqual([['h']]);
    await nextTurn();
    expect(first.batches).toEqual([['h'], ['next']]);
    write(first, 'again');
    expect(first.batches).toEqual([['h'], ['next'], ['again']]);
    await nextTurn();
  });

  it('keeps a turn apart for each of several targets written in it', async () => {
    const first = recordingTarget();
    const second = recordingTarget();
    write(first, 'x');
    write(second, 'y');
    write(first, 'z');
    write(first, 'w');
    await nextTurn();
    expect(first.batches).toEqual([['x'], ['zw']]);
    expect(second.batches).toEqual([['y']]);
  });

  it('writes large batches as a vector rather than copying them', async () => {
    const target = recordingTarget();
    const big = 'b'.repeat(10_000);
    write(target, 'first');
    write(target, big);
    write(target, big);
    await nextTurn();
    expect(target.batches).toEqual([['first'], [big, big]]);
    expect(target.socket.writableCorked).toBe(0);
  });

  it('refuses a frame that would take the socket past the limit, counting what is queued', async () => {
    const target = recordingTarget();
    expect(write(target, 'ab', 5)).toBe(true);
    expect(write(target, 'cd', 5)).toBe(true);
    expect(write(target, 'efgh', 5)).toBe(false);
    expect(write(target, 'ef', 5)).toBe(true);
    await nextTurn();
    expect(target.batches).toEqual([['ab'], ['cdef']]);
  });

  it('refuses a first frame that would take the socket past the limit, counting what the socket holds', async () => {
    const target = recordingTarget();
    target.socket.cork();
    target.socket.write('held');
    expect(write(target, 'xyz', 6)).toBe(false);
    expect(write(target, 'xy', 6)).toBe(true);
    target.socket.uncork();
    await nextTurn();
    expect(target.batches).toEqual([['held', 'xy']]);
  });

  it('writes what is queued at once on flushNow, and a frame after it at the end of the turn', async () => {
    const target = recordingTarget();
    write(target, 'first');
    write(target, 'before');
    flushNow(target);
    expect(target.batches).toEqual([['first'], ['before']]);
    flushNow(target);
    write(target, 'after');
    expect(target.batches).toEqual([['first'], ['before']]);
    await nextTurn();
    expect(target.batches).toEqual([['first'], ['before'], ['after']]);
  });

  it('drops the waiting frames of a target that closed before the end of the turn', async () => {
    const target = recordingTarget();
    write(target, 'sent');
    write(target, 'late');
    target.isOpen = false;
    await nextTurn();
    expect(target.batches).toEqual([['sent']]);
  });
});
