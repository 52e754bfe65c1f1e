/** Severity of a log entry, from the most to the least verbose. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The logging interface of Arcade: four levels, a message and optional structured fields.
 * Any object with these four methods works, winston's loggers included. A pino logger fits as it is:
 * `runServer({ logger: pino() })` (see {@link adaptLogger}).
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

/**
 * What pino (any version since 7) sets on every logger and child logger, with `Symbol.for` so that it
 * is the same symbol whatever copy of pino made the logger: pino documents it as public.
 */
const PINO_SERIALIZERS = Symbol.for('pino.serializers');

/** The four methods of a pino logger, which take the fields first: `(fields, message)` or `(message)`. */
interface FieldsFirstLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  debug(message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  info(message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  warn(message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  error(message: string): void;
}

/** Whether `logger` is a pino logger (or a child of one). */
export function isPinoLogger(logger: object): boolean {
  return PINO_SERIALIZERS in logger;
}

/**
 * The logger Arcade calls: `logger` itself, or for a pino logger, whose methods take the fields first,
 * a view of it that calls `pino.info(fields, message)` for Arcade's `info(message, fields)`. So a pino
 * logger is passed as it is, its level, bindings, serializers and transports apply, and every other
 * logger keeps the `(message, fields)` convention unchanged.
 */
export function adaptLogger(logger: Logger): Logger {
  if (!isPinoLogger(logger)) return logger;
  const pino = logger as unknown as FieldsFirstLogger;
  // Methods called on the logger (pino's use `this`); no fields: pino's plain `(message)` form.
  return {
    debug: (message, fields) => (fields === undefined ? pino.debug(message) : pino.debug(fields, message)),
    info: (message, fields) => (fields === undefined ? pino.info(message) : pino.info(fields, message)),
    warn: (message, fields) => (fields === undefined ? pino.warn(message) : pino.warn(fields, message)),
    error: (message, fields) => (fields === undefined ? pino.error(message) : pino.error(fields, message)),
  };
}
