import type { App, ReadinessCheckResult } from '@arcade/core';

/** The name of the readiness check a WebSocket app adds (`/readyz` with `runServer({ health })`). */
export const STORAGE_READINESS_CHECK = 'webSocketStorage';

/**
 * Where an app keeps the storage checks of its WebSocket managers: a global symbol, so that two copies
 * of @arcade/ws loaded in one process (a CommonJS and an ES module import, or two installed versions)
 * share one readiness check instead of failing on the second registration of its name.
 */
const STORAGE_CHECKS = Symbol.for('@arcade/ws.storageReadinessChecks');

type AppWithStorageChecks = App & { [STORAGE_CHECKS]?: Set<() => ReadinessCheckResult> };

/**
 * Makes `app`'s readiness depend on `check` (a manager's storage reachability) under one check named
 * {@link STORAGE_READINESS_CHECK}: ready while every manager's storage is.
 */
export function addStorageReadiness(app: App, check: () => ReadinessCheckResult): void {
  const holder = app as AppWithStorageChecks;
  let checks = holder[STORAGE_CHECKS];
  if (checks === undefined) {
    const registered = new Set<() => ReadinessCheckResult>();
    checks = registered;
    Object.defineProperty(holder, STORAGE_CHECKS, { value: registered });
    app.addReadinessCheck(STORAGE_READINESS_CHECK, () => {
      for (const each of registered) {
        const result = each();
        if (!result.ready) return result;
      }
      return { ready: true };
    });
  }
  checks.add(check);
}
