import { type Deferred, deferred } from './deferred';

/**
 * Where a held call waits: `before` the real method runs (what happens meanwhile is seen by the call),
 * or `after` it ran and before its result is handed back (what happens meanwhile is not).
 */
export type HoldPoint = 'before' | 'after';

/** One held call: await `reached`, do what must happen during the call, then `release()`. */
export interface HeldCall<A extends unknown[] = unknown[]> {
  /** Resolves with the call's arguments once the call reached its hold point. */
  readonly reached: Promise<A>;
  /** Lets the call go on. */
  release(): void;
  /** Makes the call reject with `error` instead (a dependency failing mid-call). */
  fail(error: Error): void;
  /** Puts the method back if no call was held yet (a test that ends early); a no-op afterwards. */
  cancel(): void;
}

/** The names of `T`'s methods that return a promise. */
export type AsyncMethodOf<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T] &
  string;

type ArgsOf<T, K extends keyof T> = T[K] extends (...args: infer A) => Promise<unknown> ? A : never;

/**
 * Holds the next call of `target[method]` whose arguments `matches` accepts (every call by default),
 * at `point`, so that a test forces what is otherwise a race: something happening while a storage read,
 * a network call or any other awaited step is under way. Other calls go through untouched, and the
 * method is put back as soon as the one call is held.
 *
 * The method is replaced on `target` itself (an own property shadowing the prototype's), so only that
 * object is affected, and callers that read `target[method]` at each call see the hold.
 */
export function holdNextCall<T extends object, K extends AsyncMethodOf<T>>(
  target: T,
  method: K,
  point: HoldPoint,
  matches: (...args: ArgsOf<T, K>) => boolean = () => true,
): HeldCall<ArgsOf<T, K>> {
  type Args = ArgsOf<T, K>;
  const slot = target as unknown as Record<string, unknown>;
  const hadOwn = Object.hasOwn(target, method);
  const previous = slot[method];
  if (typeof previous !== 'function') throw new TypeError(`${method} is not a method of the target`);
  const original = previous as (...args: Args) => Promise<unknown>;
  const reached: Deferred<Args> = deferred<Args>();
  /** Resolves with the error the call must fail with, or undefined to go on. */
  const gate = deferred<Error | undefined>();
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    if (hadOwn) slot[method] = previous;
    else delete slot[method];
  };
  slot[method] = async function held(this: unknown, ...args: Args): Promise<unknown> {
    if (restored || !matches(...args)) return original.apply(this, args);
    restore();
    if (point === 'before') {
      reached.resolve(args);
      const error = await gate.promise;
      if (error) throw error;
      return original.apply(this, args);
    }
    // A call that fails still reaches its hold point: the test is not left waiting for `reached`.
    const settled = await original.apply(this, args).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    reached.resolve(args);
    const error = await gate.promise;
    if (error) throw error;
    if ('error' in settled) throw settled.error;
    return settled.value;
  };
  return {
    reached: reached.promise,
    release: () => gate.resolve(undefined),
    fail: (error) => gate.resolve(error),
    cancel: restore,
  };
}
