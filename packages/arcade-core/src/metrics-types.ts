// The metrics surface of @arcade/core, as plain structural types: a user who never turns metrics on
// compiles these declarations without prom-client installed, and a user who does can pass any
// prom-client 15 `Registry` (test/metrics-types.test.ts checks prom-client's own types against these).
import type { IncomingMessage } from 'node:http';

/** The part of a prom-client `Registry` Arcade uses. `new Registry()` of prom-client 15 is one. */
export interface MetricsRegistry {
  /** Every metric of the registry in its exposition format (`contentType`). */
  metrics(): Promise<string>;
  /** The `Content-Type` of {@link MetricsRegistry.metrics}'s text. */
  readonly contentType: string;
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

/** Label values of one series: every label the metric declares, by name. */
export type MetricLabels<L extends string> = { readonly [K in L]: string | number };

/** A counter bound to one set of label values (`counter.labels(...)`): no label lookup per increment. */
export interface BoundCounter {
  inc(value?: number): void;
}

/** A value that only goes up (requests served, messages sent). */
export interface CounterMetric<L extends string = never> {
  inc(value?: number): void;
  inc(labels: MetricLabels<L>, value?: number): void;
  /** The series of these label values. */
  labels(labels: MetricLabels<L>): BoundCounter;
  /** Drops every series: with `inc(total)` in a collector, reports a total kept elsewhere. */
  reset(): void;
}

/** A gauge bound to one set of label values. */
export interface BoundGauge {
  set(value: number): void;
  inc(value?: number): void;
  dec(value?: number): void;
}

/** A value that goes up and down (connections open, rooms). */
export interface GaugeMetric<L extends string = never> {
  set(value: number): void;
  set(labels: MetricLabels<L>, value: number): void;
  inc(value?: number): void;
  inc(labels: MetricLabels<L>, value?: number): void;
  dec(value?: number): void;
  dec(labels: MetricLabels<L>, value?: number): void;
  labels(labels: MetricLabels<L>): BoundGauge;
}

/** A histogram bound to one set of label values. */
export interface BoundHistogram {
  observe(value: number): void;
}

/** Observations counted in buckets (durations, sizes). */
export interface HistogramMetric<L extends string = never> {
  observe(value: number): void;
  observe(labels: MetricLabels<L>, value: number): void;
  labels(labels: MetricLabels<L>): BoundHistogram;
}

/** What every metric is declared with. */
export interface MetricDefinition<L extends string> {
  /**
   * The name without the server's prefix: `ws_connects_total` is served as `arcade_ws_connects_total`
   * with the default prefix. Letters, digits, `_` and `:`, as Prometheus requires.
   */
  name: string;
  /** One line saying what is counted. */
  help: string;
  /**
   * Its labels. Keep their values bounded (route patterns, close codes, operation names), never ids,
   * room names or raw paths: every distinct combination is a series Prometheus keeps.
   * @default none
   */
  labelNames?: readonly L[];
}

/** A counter's definition. */
export interface CounterDefinition<L extends string> extends MetricDefinition<L> {
  /**
   * Called at each scrape, before the counter is read: to report a total counted elsewhere (a plain
   * number incremented on a hot path costs less than a metric update), `reset()` then `inc(total)`.
   * A collector that throws (or rejects) is logged and leaves the counter as it was.
   * @default none (the counter holds what was added)
   */
  collect?: (counter: CounterMetric<L>) => void | Promise<void>;
}

/** A gauge's definition. */
export interface GaugeDefinition<L extends string> extends MetricDefinition<L> {
  /**
   * Called at each scrape to set the gauge from the current state, so that nothing is maintained
   * between scrapes. A collector that throws (or rejects) is logged and leaves the gauge as it was.
   * @default none (the gauge holds what was set)
   */
  collect?: (gauge: GaugeMetric<L>) => void | Promise<void>;
}

/** A histogram's definition. */
export interface HistogramDefinition<L extends string> extends MetricDefinition<L> {
  /**
   * Bucket upper bounds, in the metric's unit (seconds for durations), increasing.
   * @default prom-client's: 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
   */
  buckets?: readonly number[];
}

/**
 * The metrics of a running server, for plugins: `app.metrics` while a server runs with
 * `runServer({ metrics })`, `undefined` otherwise. Metrics made here are registered on the server's
 * registry with its prefix, and removed from it when the server closes (so a registry the app keeps
 * can serve a later run). @arcade/ws adds its own this way.
 */
export interface ArcadeMetrics {
  /** The registry the metrics are on: the app's, or a private one (never prom-client's global one). */
  readonly registry: MetricsRegistry;
  /** Put in front of every name (`'arcade_'` by default). */
  readonly prefix: string;
  /** @throws MetricsError `METRIC_CONFLICT` when the registry holds the name already, `INVALID_METRIC` for a bad definition. */
  counter<L extends string = never>(definition: CounterDefinition<L>): CounterMetric<L>;
  /** @throws MetricsError as {@link ArcadeMetrics.counter} does. */
  gauge<L extends string = never>(definition: GaugeDefinition<L>): GaugeMetric<L>;
  /** @throws MetricsError as {@link ArcadeMetrics.counter} does. */
  histogram<L extends string = never>(definition: HistogramDefinition<L>): HistogramMetric<L>;
}

/**
 * Decides whether a request may read the metrics. Return `false` to answer 401 (with
 * `WWW-Authenticate: Bearer`), or throw an `ArcadeHttpException` to answer its status.
 */
export type MetricsAuthorizer = (request: IncomingMessage) => boolean | Promise<boolean>;

/** `runServer({ metrics })`: Prometheus metrics through prom-client, an optional peer dependency. */
export interface MetricsOptions {
  /**
   * The prom-client registry to register on. Without one, the server makes a private registry (read
   * it as `app.metrics.registry`); prom-client's global registry is used only when passed here.
   * @default a new private `Registry`
   */
  registry?: MetricsRegistry;
  /**
   * Put in front of every metric name; `''` for none.
   * @default 'arcade_'
   */
  prefix?: string;
  /**
   * Where the server answers GET with the registry's metrics, before routing (no hook runs for it);
   * `false` to serve them yourself from `app.metrics.registry`.
   * @default '/metrics'
   */
  path?: string | false;
  /**
   * Who may read `path`. `bearerToken(process.env.METRICS_TOKEN)` checks an
   * `Authorization: Bearer <token>` header.
   * @default everyone who reaches the server (keep the path off public listeners, or set this)
   */
  authorize?: MetricsAuthorizer;
  /**
   * Buckets of `arcade_http_request_duration_seconds`, in seconds.
   * @default prom-client's (5 ms to 10 s)
   */
  httpDurationBuckets?: readonly number[];
}
