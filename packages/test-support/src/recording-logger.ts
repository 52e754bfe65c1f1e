/** The severities a {@link RecordingLogger} records, those of `@arcade/core`'s `Logger`. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A log line recorded by {@link RecordingLogger}. */
export interface LogEntry {
  readonly level: LogLevel;
  readonly message: string;
  /** The fields passed with the message (the key is present, `undefined`, when none were). */
  readonly fields: Record<string, unknown> | undefined;
}

/**
 * The shape of `@arcade/core`'s `Logger`, restated here: this package must not depend on
 * `@arcade/core`, whose own tests use it (the build order would be a cycle). A
 * {@link RecordingLogger} is accepted wherever a `Logger` is, since TypeScript compares shapes.
 */
export interface LoggerShape {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

interface EntryWaiter {
  readonly predicate: (entry: LogEntry) => boolean;
  readonly resolve: (entry: LogEntry) => void;
}

/**
 * A logger that keeps every entry in memory, in order, so that tests stay quiet and can assert on
 * what was logged or await a line. Its methods are bound: they may be passed around on their own.
 */
export class RecordingLogger implements LoggerShape {
  /** Every entry logged so far, oldest first. */
  readonly entries: LogEntry[] = [];
  private readonly waiters: EntryWaiter[] = [];

  readonly debug = (message: string, fields?: Record<string, unknown>): void =>
    this.record({ level: 'debug', message, fields });
  readonly info = (message: string, fields?: Record<string, unknown>): void =>
    this.record({ level: 'info', message, fields });
  readonly warn = (message: string, fields?: Record<string, unknown>): void =>
    this.record({ level: 'warn', message, fields });
  readonly error = (message: string, fields?: Record<string, unknown>): void =>
    this.record({ level: 'error', message, fields });

  /** Resolves with the first entry, already logged or still to come, that matches. */
  waitFor(predicate: (entry: LogEntry) => boolean): Promise<LogEntry> {
    const found = this.entries.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  private record(entry: LogEntry): void {
    this.entries.push(entry);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(entry)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(entry);
      }
    }
  }
}
