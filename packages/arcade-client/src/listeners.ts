// Listener lists. Each list is replaced, never changed in place, when a listener is added or removed:
// a dispatch walks the array it started with, so a listener added during a dispatch waits for the next
// one and one removed during it is still called this once.

/** The listeners of one kind. A listener that throws is handed to `onThrow`; the others still run. */
export class ListenerList<A extends unknown[]> {
  private list: ReadonlyArray<{ readonly call: (...args: A) => void }> = [];

  constructor(private readonly onThrow: (error: unknown) => void) {}

  get isEmpty(): boolean {
    return this.list.length === 0;
  }

  /** Adds `listener` (again if already there: each call gets its own removal); returns its removal. */
  add(listener: (...args: A) => void): () => void {
    // An entry per registration, so removing one leaves a second registration of the same function.
    const entry = { call: listener };
    this.list = [...this.list, entry];
    return () => {
      this.list = this.list.filter((other) => other !== entry);
    };
  }

  emit(...args: A): void {
    for (const entry of this.list) {
      try {
        entry.call(...args);
      } catch (error) {
        this.onThrow(error);
      }
    }
  }

  clear(): void {
    this.list = [];
  }
}
