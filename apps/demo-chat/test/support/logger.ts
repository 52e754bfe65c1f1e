import type { Logger } from '@arcade/core';

/** A logger that keeps entries in memory, so test output stays readable and tests can look at logs. */
export function memoryLogger(): Logger & { entries: { level: string; message: string; fields?: unknown }[] } {
  const entries: { level: string; message: string; fields?: unknown }[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      entries.push({ level, message, fields });
    };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
