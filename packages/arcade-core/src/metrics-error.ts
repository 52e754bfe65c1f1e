/** Stable codes of {@link MetricsError}: match on these, not on messages. */
export type MetricsErrorCode =
  /** `runServer({ metrics })` was given, but the optional peer dependency `prom-client` is not installed. */
  | 'PROM_CLIENT_MISSING'
  /** The registry already holds a metric of that name (another server, or the app's own). */
  | 'METRIC_CONFLICT'
  /** prom-client refused a metric's definition (its name, labels or buckets). */
  | 'INVALID_METRIC';

/** Thrown when metrics cannot be set up: `runServer` rejects with it, or `app.metrics.counter(...)` throws it. */
export class MetricsError extends Error {
  constructor(
    readonly code: MetricsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MetricsError';
  }
}
