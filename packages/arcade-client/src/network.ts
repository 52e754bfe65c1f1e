// Where the client learns that the network went away or came back: the `online` / `offline` events
// of the page (or worker) in browsers, nothing elsewhere unless the app passes its own monitor.

/** A source of network changes (the `network` option). */
export interface NetworkMonitor {
  /** Whether the network is up right now; the client waits for `online` when this says `false`. */
  isOnline(): boolean;
  /** Calls `listener` on every change (`true`: online); returns the function that stops it. */
  subscribe(listener: (online: boolean) => void): () => void;
}

interface BrowserGlobals {
  addEventListener?: (type: string, listener: () => void) => void;
  removeEventListener?: (type: string, listener: () => void) => void;
  navigator?: { onLine?: unknown };
}

/**
 * The `online` / `offline` events of `globalThis` (a window or a worker), or `null` where there are
 * none (Node). `navigator.onLine === false` is trusted; `true` only means "maybe", so it never holds
 * the client back.
 */
export function browserNetworkMonitor(): NetworkMonitor | null {
  const scope = globalThis as BrowserGlobals;
  const { addEventListener, removeEventListener } = scope;
  if (typeof addEventListener !== 'function' || typeof removeEventListener !== 'function') return null;
  return {
    isOnline: () => scope.navigator?.onLine !== false,
    subscribe(listener) {
      const online = () => listener(true);
      const offline = () => listener(false);
      addEventListener.call(scope, 'online', online);
      addEventListener.call(scope, 'offline', offline);
      return () => {
        removeEventListener.call(scope, 'online', online);
        removeEventListener.call(scope, 'offline', offline);
      };
    },
  };
}
