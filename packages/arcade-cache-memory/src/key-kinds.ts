import { CacheError } from '@arcade/cache';
import type { EntryKind } from './memory-store';
import type { PreparedOperation } from './validation';

/** What a key holds (or `none`) as a batch goes. */
export type KeyKind = EntryKind | 'none';

/** The error of an operation on a key that holds another kind of entry than it works on. */
export function wrongType(key: string, method: string, holds: EntryKind): CacheError {
  const what = holds === 'value' ? 'a value' : holds === 'set' ? 'a set' : 'a log';
  return new CacheError('WRONG_TYPE', `${method}() cannot use key "${key}": it holds ${what}.`);
}

/** Batches up to this long check kinds by scanning back over their earlier operations. */
const SCAN_BACK_LIMIT = 16;

/**
 * Rejects a batch before it writes anything when a set operation would meet a value or a log: what
 * an earlier operation of the batch left at its key, else what the store holds there (`kindAt`).
 */
export function checkBatchKinds(
  operations: readonly PreparedOperation[],
  kindAt: (key: string) => KeyKind,
): void {
  // What the batch has left at each key it touched so far, kept for batches too long to scan back
  // over: the registry's combined batches hold hundreds of operations, many on the same key.
  const left = operations.length > SCAN_BACK_LIMIT ? new Map<string, KeyKind>() : undefined;
  for (let index = 0; index < operations.length; index++) {
    const operation = operations[index]!;
    if (operation.type !== 'set' && operation.type !== 'remove') {
      const kind =
        (left === undefined ? kindBefore(operations, index) : left.get(operation.key)) ??
        kindAt(operation.key);
      if (kind === 'value' || kind === 'log') throw wrongType(operation.key, `batch ${operation.type}`, kind);
    }
    left?.set(operation.key, kindAfter(operation));
  }
}

/** What `operation` leaves at its key. */
function kindAfter(operation: PreparedOperation): KeyKind {
  return operation.type === 'set' ? 'value' : operation.type === 'remove' ? 'none' : 'set';
}

/** What the operations before `index` left at the key of operation `index`; `undefined` if none touched it. */
function kindBefore(operations: readonly PreparedOperation[], index: number): KeyKind | undefined {
  const key = operations[index]?.key;
  for (let i = index - 1; i >= 0; i--) {
    const operation = operations[i]!;
    if (operation.key === key) return kindAfter(operation);
  }
  return undefined;
}
