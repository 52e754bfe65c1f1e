// The option checks of @arcade/ws, one rule each, so that every option of one kind fails the same
// way: a RangeError naming the option, what it must be, and the value given.

/** A count or a duration in whole units (leases, limits): an integer above 0. */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** A size or an interval that may be fractional (bytes, milliseconds): a finite number above 0. */
export function positiveNumber(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

/** A limit where 0 means "none allowed": 0 or more. */
export function nonNegativeNumber(name: string, value: number): number {
  if (!(value >= 0)) throw new RangeError(`${name} must be 0 or more, got ${String(value)}`);
  return value;
}
