/**
 * The turns of `count` servers over `passes` passes, as server indexes: each server once per pass, the
 * order reversed on every other pass, so the server that ran last in one pass runs first in the next and
 * no server is always measured at the same point of a drift.
 */
export function interleavedTurns(count: number, passes: number): number[] {
  const forward = Array.from({ length: count }, (_, i) => i);
  const backward = [...forward].reverse();
  return Array.from({ length: passes }, (_, pass) => (pass % 2 === 0 ? forward : backward)).flat();
}
