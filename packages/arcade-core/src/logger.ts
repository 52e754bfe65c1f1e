/** Severity of a log entry, from the most to the least verbose. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The logging interface of Arcade: four levels, a message and optional structured fields.
 * Any object with these four methods works (pino and winston loggers fit with a thin wrapper).
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Options of {@link createConsoleLogger}. */
export interface ConsoleLoggerOptions {
  /**
   * The least severe level that is written.
   * @default 'info'
   */
  level?: LogLevel;
}

const severity: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function formatLine(level: LogLevel, message: string, fields?: Record<string, unknown>): string {
  const head = `${new Date().toISOString()} ${level.toUpperCase()} ${message}`;
  if (fields === undefined || Object.keys(fields).length === 0) return `${head}\n`;
  let rendered: string;
  try {
    rendered = JSON.stringify(fields);
  } catch {
    // Circular or BigInt fields must not turn a log call into a crash.
    rendered = '{"fields":"<unserializable>"}';
  }
  return `${head} ${rendered}\n`;
}

/**
 * The default logger: one line per entry (`<ISO time> <LEVEL> <message> <fields as JSON>`);
 * debug and info go to stdout, warn and error to stderr.
 */
export function createConsoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const threshold = severity[options.level ?? 'info'];
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (severity[level] < threshold) return;
    const stream = severity[level] >= severity.warn ? process.stderr : process.stdout;
    stream.write(formatLine(level, message, fields));
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}

/** A logger that drops everything (handy in tests). */
export const silentLogger: Logger = Object.freeze({
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
});

/** Structured fields describing a thrown value, with its stack when it has one. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    return { errorName: error.name, errorMessage: error.message, stack: error.stack };
  }
  let text: string;
  try {
    text = typeof error === 'string' ? error : JSON.stringify(error);
  } catch {
    text = String(error);
  }
  return { errorName: typeof error, errorMessage: text ?? String(error) };
}
