/**
 * Resolves `true` when `promise` settles (fulfils or rejects) within `ms`, `false` otherwise; no timer
 * is left behind either way. For plugins that share `shutdownTimeoutMs` between steps of their
 * `onServerClose`.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
