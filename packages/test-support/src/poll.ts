import { setTimeout as delay } from 'node:timers/promises';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** What is awaited, for the failure message ("timed out waiting for <description>"). */
  description: string;
  /** Bound before the wait fails. @default 10000 */
  timeoutMs?: number;
  /** Pause between two checks. @default 25 */
  intervalMs?: number;
}

/**
 * Checks a condition until it returns a value other than `undefined`/`false`, and resolves that
 * value. For state that has no event to await (another process, storage, a timer inside the code
 * under test). A check that throws counts as "not yet"; after the bound the wait fails with the
 * description and the last error. The pauses use `node:timers/promises`, which jest's fake timers
 * leave alone.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitForOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.description}${cause}`);
    }
    await delay(options.intervalMs ?? 25);
  }
}
