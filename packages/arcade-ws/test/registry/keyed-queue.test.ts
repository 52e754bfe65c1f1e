import { deferred } from '@arcade/test-support';
import { KeyedQueue } from '../../src/registry/keyed-queue';

// Every change to one connection's record goes through its key of this queue: one writer per record
// is what keeps concurrent joins and leaves from losing a member (guarantee 4 of docs/design.md), and
// drain() is what server.close() waits for before it cleans the storage (guarantee 8).

/** Lets every promise callback that is ready run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedQueue', () => {
  it('has(key) is true from the moment a task is queued until its last task settled', async () => {
    const queue = new KeyedQueue();
    const gate = deferred();
    expect(queue.has('id')).toBe(false);
    const done = queue.run('id', () => gate.promise);
    expect(queue.has('id')).toBe(true);
    expect(queue.has('other')).toBe(false);
    gate.resolve();
    await done;
    await settle();
    expect(queue.has('id')).toBe(false);
  });

  it('starts a task only once every earlier task of its key has settled, even after the first one finished', async () => {
    const queue = new KeyedQueue();
    const started: string[] = [];
    const second = deferred();
    const first = queue.run('id', async () => {
      started.push('first');
    });
    const secondDone = queue.run('id', async () => {
      started.push('second');
      await second.promise;
    });
    await first;
    await settle();
    // The first task's tail is gone from the queue; the second one still runs.
    const third = queue.run('id', async () => {
      started.push('third');
    });
    await settle();
    expect(started).toEqual(['first', 'second']);
    second.resolve();
    await Promise.all([secondDone, third]);
    expect(started).toEqual(['first', 'second', 'third']);
  });

  it('runs the next task of a key after one that failed, and hands each caller its own outcome', async () => {
    const queue = new KeyedQueue();
    const started: string[] = [];
    const failed = queue.run('id', async () => {
      started.push('failing');
      throw new Error('write failed (test)');
    });
    const next = queue.run('id', async () => {
      started.push('next');
      return 'done';
    });
    await expect(failed).rejects.toThrow('write failed (test)');
    await expect(next).resolves.toBe('done');
    expect(started).toEqual(['failing', 'next']);
    await queue.drain();
  });

  it('never starts a task inside run(), even with nothing queued before it', async () => {
    const queue = new KeyedQueue();
    let started = false;
    const running = queue.run('id', async () => {
      started = true;
    });
    expect(started).toBe(false);
    await running;
    expect(started).toBe(true);
  });

  it('drain() waits for the tasks in progress, and for those queued while it waits', async () => {
    const queue = new KeyedQueue();
    const gate = deferred();
    const finished: string[] = [];
    void queue.run('a', async () => {
      await gate.promise;
      finished.push('a');
      void queue.run('b', async () => {
        await settle();
        finished.push('b');
      });
    });
    let drained = false;
    const draining = queue.drain().then(() => {
      drained = true;
    });
    await settle();
    expect(drained).toBe(false);
    gate.resolve();
    await draining;
    expect(finished).toEqual(['a', 'b']);
  });
});
