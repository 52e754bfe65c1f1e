/** A promise together with the function that resolves it. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
}

/**
 * A promise with its resolve function, so that a test awaits an event (a hook ran, a handler saw a
 * value) handed over from server code instead of sleeping. It never rejects and never times out: the
 * test's own timeout bounds the wait.
 */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}
