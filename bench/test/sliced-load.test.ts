import type { Metrics } from '../src/protocol';
import { SlicedLoad, type StartSlicedJob } from '../src/scenarios/sliced-load';

/**
 * A load generator of `slices` slices that reports each (with the slice number as its figures) and
 * waits to be told to go on, as load/main.ts does; `failAt` makes it fail instead of that slice.
 */
function fakeLoad(slices: number, log: string[], failAt?: number): StartSlicedJob {
  return async (onConnected) => {
    for (let slice = 1; slice <= slices; slice++) {
      if (slice === failAt) throw new Error(`slice ${slice} failed`);
      log.push(`slice ${slice}`);
      await onConnected({ connections: slice });
      log.push(`resumed after ${slice}`);
    }
    log.push('closed');
    return { connections: slices };
  };
}

describe('SlicedLoad', () => {
  it('runs one slice per call and holds the load generator between calls', async () => {
    const log: string[] = [];
    const sliced = new SlicedLoad(fakeLoad(2, log));
    await sliced.next();
    expect(sliced.figures).toEqual<Metrics>({ connections: 1 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log).toEqual(['slice 1']);
    await sliced.next();
    expect(sliced.figures).toEqual<Metrics>({ connections: 2 });
    expect(log).toEqual(['slice 1', 'resumed after 1', 'slice 2']);
    await sliced.finish();
    expect(log).toEqual(['slice 1', 'resumed after 1', 'slice 2', 'resumed after 2', 'closed']);
  });

  it("rejects a slice with the load generator's failure, and finishes with it", async () => {
    const sliced = new SlicedLoad(fakeLoad(3, [], 2));
    await sliced.next();
    await expect(sliced.next()).rejects.toThrow('slice 2 failed');
    await expect(sliced.finish()).rejects.toThrow('slice 2 failed');
  });

  it('aborts a load generator that waits between slices, and one that never started', async () => {
    const log: string[] = [];
    const sliced = new SlicedLoad(fakeLoad(3, log));
    await sliced.next();
    await sliced.abort();
    expect(log).toEqual(['slice 1']);
    await new SlicedLoad(fakeLoad(3, [])).abort();
  });

  it('rejects a slice the load generator never ran', async () => {
    const sliced = new SlicedLoad(fakeLoad(1, []));
    await sliced.next();
    await expect(sliced.next()).rejects.toThrow('the load generator ended before its last slice');
  });
});
