// The time bounds that the guarantees state (docs/design.md, "Guarantees"), in one place for the
// tests that hold the code to them. A test may assert elapsed time only against one of these, plus
// TIMING_SLACK_MS: they prove a promise about time, never measure speed.

/** Guarantee 6: a call that needs the storage fails within 5 s while it is gone or hangs. */
export const STORAGE_FAILURE_BOUND_MS = 5000;

/** Guarantee 6: once the storage is back (even empty), subscriptions and records are restored within 5 s. */
export const STORAGE_RECOVERY_BOUND_MS = 5000;

/**
 * Head room on top of a bound for a loaded CI machine (process scheduling, an HTTP round trip to an
 * instance process). Small next to the breakages the bounds catch (a 20 s deadline, reaping delayed
 * by several leases, a shutdown timeout ignored).
 */
export const TIMING_SLACK_MS = 3000;

/**
 * Head room for a bound on work inside the test process (no other process to schedule, no HTTP round
 * trip): a shutdown that ignored its `shutdownTimeoutMs` of 300 ms took 3.4 s, which this must catch.
 */
export const LOCAL_TIMING_SLACK_MS = 1500;

/**
 * Guarantee 5: how long after its death a SIGKILLed instance's records outlive it. Its lease lapses at
 * most `leaseMs` after its last renewal, and each survivor checks the leases every `leaseMs / 3`
 * (src/registry/maintenance.ts, `schedule`): about 1.4 leases, plus the slack.
 */
export function reapBoundMs(leaseMs: number): number {
  return Math.ceil(leaseMs * 1.4) + TIMING_SLACK_MS;
}

/** Milliseconds since `startedAt` (a `performance.now()` reading). */
export function elapsedSince(startedAt: number): number {
  return performance.now() - startedAt;
}

/**
 * Guarantees 12 and 13: after a Redis Cluster master's replica is promoted, or a room's slot has moved
 * to another master, delivery, joins and registry writes resume within 10 s.
 */
export const CLUSTER_RECOVERY_BOUND_MS = 10_000;
