import type { Harness } from '../harness';
import type { CacheConformanceOptions } from '../types';

/** One conformance test before it is bound to an adapter's options. */
export interface CaseSpec {
  readonly name: string;
  readonly run: (h: Harness) => Promise<void>;
  /**
   * Why the test cannot check anything under `options`, or `undefined` when it applies. A case
   * that returned early instead would be counted as a pass; this way the runner reports it skipped.
   */
  readonly skip?: (options: CacheConformanceOptions) => string | undefined;
}

/** A named group of tests, registered as one `describe` block. */
export interface CaseGroup {
  readonly group: string;
  readonly cases: readonly CaseSpec[];
}
