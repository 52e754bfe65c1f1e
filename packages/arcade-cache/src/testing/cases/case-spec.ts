import type { Harness } from '../harness';

/** One conformance test before it is bound to an adapter's options. */
export interface CaseSpec {
  readonly name: string;
  readonly run: (h: Harness) => Promise<void>;
}

/** A named group of tests, registered as one `describe` block. */
export interface CaseGroup {
  readonly group: string;
  readonly cases: readonly CaseSpec[];
}
