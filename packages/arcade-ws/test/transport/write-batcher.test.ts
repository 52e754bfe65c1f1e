import { Writable } from 'node:stream';
import { writeBatched } from '../../src/transport/write-batcher';

/** A stream that records how its chunks arrive: one entry per _write / _writev call. */
function recordingStream(): { stream: Writable; batches: string[][] } {
  const batches: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      batches.push([chunk.toString()]);
      callback();
    },
    writev(chunks, callback) {
      batches.push(chunks.map(({ chunk }) => (chunk as Buffer).toString()));
      callback();
    },
  });
  return { stream, batches };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('writeBatched', () => {
  it('hands every write of one event-loop turn to the stream as a single batch, in order', async () => {
    const { stream, batches } = recordingStream();
    writeBatched(stream, Buffer.from('a'));
    writeBatched(stream, Buffer.from('b'));
    writeBatched(stream, Buffer.from('c'));
    expect(batches).toEqual([]);
    await nextTurn();
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('starts a new batch in the next turn', async () => {
    const { stream, batches } = recordingStream();
    writeBatched(stream, Buffer.from('1'));
    await nextTurn();
    writeBatched(stream, Buffer.from('2'));
    writeBatched(stream, Buffer.from('3'));
    await nextTurn();
    expect(batches).toEqual([['1'], ['2', '3']]);
  });

  it('batches each of several streams written in the same turn', async () => {
    const first = recordingStream();
    const second = recordingStream();
    writeBatched(first.stream, Buffer.from('x'));
    writeBatched(second.stream, Buffer.from('y'));
    writeBatched(first.stream, Buffer.from('z'));
    await nextTurn();
    expect(first.batches).toEqual([['x', 'z']]);
    expect(second.batches).toEqual([['y']]);
  });

  it('leaves a stream uncorked once flushed', async () => {
    const { stream } = recordingStream();
    writeBatched(stream, Buffer.from('a'));
    expect(stream.writableCorked).toBe(1);
    await nextTurn();
    expect(stream.writableCorked).toBe(0);
  });

  it('lets end() flush what is still corked', async () => {
    const { stream, batches } = recordingStream();
    writeBatched(stream, Buffer.from('last'));
    const finished = new Promise((resolve) => stream.once('finish', resolve));
    stream.end();
    await finished;
    await nextTurn();
    expect(batches.flat()).toEqual(['last']);
  });
});
