/**
 * Whether `await` would wait on the value (a promise or any other thenable): user callbacks may return
 * one, and its rejection must be caught and reported like a throw. Shared with plugins (`@arcade/ws`)
 * so that every callback of the framework follows the same rule.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
