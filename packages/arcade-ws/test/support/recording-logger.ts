import type { Logger } from '@arcade/core';

/** A log line recorded by {@link RecordingLogger}. */
export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

/** A logger that keeps every entry in memory, so tests stay quiet and can assert on logs. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  private readonly waiters: {
    readonly predicate: (entry: LogEntry) => boolean;
    readonly resolve: (entry: LogEntry) => void;
  }[] = [];

  debug(message: string, fields?: Record<string, unknown>): void {
    this.record({ level: 'debug', message, fields });
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.record({ level: 'info', message, fields });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.record({ level: 'warn', message, fields });
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.record({ level: 'error', message, fields });
  }

  /** Resolves with the first entry (past or future) that matches. */
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
