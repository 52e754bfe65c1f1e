import type { Metrics } from '../protocol';

/**
 * Starts a sliced connections job (`slices: true`, load/connections.ts) in a load generator, which
 * calls `onConnected` after each slice and waits for it before going on: `runLoad` of src/processes.ts.
 */
export type StartSlicedJob = (onConnected: (figures: Metrics) => Promise<void>) => Promise<Metrics>;

/**
 * One server's sliced connections job, driven one slice at a time so that several servers' slices can
 * take turns: its load generator starts at the first slice and waits after each until told to go on.
 */
export class SlicedLoad {
  private result: Promise<Metrics> | undefined;
  /** Lets the paused load generator go on: to its next slice, or, after the last, to its end. */
  private resume: (() => void) | undefined;
  /** Fails the paused load generator's wait, which ends its job (`runLoad` kills it). */
  private stop: ((reason: Error) => void) | undefined;
  private sliceEnded: ((figures: Metrics) => void) | undefined;
  /** The figures over every slice so far. */
  figures: Metrics = {};

  constructor(private readonly start: StartSlicedJob) {}

  /** Runs the next slice; resolves once its connections are open and its CPU window is closed. */
  async next(): Promise<void> {
    const ended = new Promise<Metrics>((resolve) => {
      this.sliceEnded = resolve;
    });
    if (this.result === undefined) {
      this.result = this.start(
        (figures) =>
          new Promise<void>((resume, stop) => {
            this.resume = resume;
            this.stop = stop;
            this.sliceEnded?.(figures);
          }),
      );
    } else {
      this.resume?.();
    }
    // A load generator that fails or stops early ends its job: its result settles before the slice ends.
    const stopped = this.result.then((): never => {
      throw new Error('the load generator ended before its last slice');
    });
    this.figures = await Promise.race([ended, stopped]);
  }

  /** After the last slice: lets the load generator close its connections and end. */
  async finish(): Promise<void> {
    this.resume?.();
    await this.result;
  }

  /** Ends the job wherever it is (another server's slice failed); never rejects. */
  async abort(): Promise<void> {
    this.stop?.(new Error('the round was aborted'));
    await this.result?.catch(() => undefined);
  }
}
