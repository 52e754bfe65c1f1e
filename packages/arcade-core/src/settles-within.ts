/** The longest delay a Node.js timer takes (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves `true` when `promise` settles (fulfils or rejects) within `ms`, `false` otherwise; no timer
 * is left behind either way. An `ms` beyond a timer's range (`Infinity` included) waits for `promise`.
 * For plugins that share `shutdownTimeoutMs` between steps of their `onServerClose`.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = promise.then(
    () => true,
    () => true,
  );
  // Node fires a longer timer after 1 ms: past its range, there is no bound at all.
  if (!(ms <= MAX_TIMER_MS)) return settled;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
