import type { CpuWindow } from './cpu-window';

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

/**
 * Warms every target up in turn, then runs `slice` on them over `passes` interleaved passes, each slice
 * inside its target's CPU window.
 */
export async function measureInTurns<T extends { readonly cpu: CpuWindow }>(
  targets: readonly T[],
  passes: number,
  warmUp: (target: T) => Promise<void>,
  slice: (target: T) => Promise<void>,
): Promise<void> {
  for (const target of targets) await warmUp(target);
  for (const index of interleavedTurns(targets.length, passes)) {
    const target = targets[index]!;
    target.cpu.start();
    await slice(target);
    target.cpu.stop();
  }
}
