import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ArcadeMetrics, CounterMetric, HistogramMetric } from './metrics-types';

/** The `route` label of a request no route matched (static files, the notFound handler, 404s, 400s). */
export const UNMATCHED_ROUTE = '(unmatched)';

/** Methods kept as their own label value; any other is counted as `OTHER`, so the label stays bounded. */
const METHOD_LABELS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

type HttpLabel = 'method' | 'route' | 'status';

/**
 * The HTTP metrics of a server: requests by method, route pattern and status, and their durations
 * (from the request's dispatch until its response is done or cut off). Only made with metrics on:
 * without them the server holds none and pays one `undefined` check per request.
 */
export class HttpMetrics {
  readonly #requests: CounterMetric<HttpLabel>;
  readonly #durations: HistogramMetric<HttpLabel>;

  constructor(metrics: ArcadeMetrics, buckets: readonly number[] | undefined) {
    const labelNames: HttpLabel[] = ['method', 'route', 'status'];
    this.#requests = metrics.counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern ((unmatched) when no route matched) and status',
      labelNames,
    });
    this.#durations = metrics.histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from dispatching an HTTP request until its response was done, by method, route pattern and status',
      labelNames,
      buckets,
    });
  }

  /** Starts observing one request; set the observation's `route` once a route matched. */
  begin(response: ServerResponse, method: string): HttpObservation {
    return new HttpObservation(this, response, method);
  }

  /** @internal called by {@link HttpObservation} once its response is done */
  record(method: string, route: string, status: number, seconds: number): void {
    const labels = { method: METHOD_LABELS.has(method) ? method : 'OTHER', route, status };
    this.#requests.inc(labels);
    this.#durations.observe(labels, seconds);
  }
}

/** One request being observed. */
export class HttpObservation {
  /** The matched route's pattern. */
  route = UNMATCHED_ROUTE;
  readonly #startedAt = performance.now();

  constructor(metrics: HttpMetrics, response: ServerResponse, method: string) {
    // 'close' follows 'finish', and also comes alone for a response cut off.
    response.once('close', () =>
      metrics.record(method, this.route, response.statusCode, (performance.now() - this.#startedAt) / 1000),
    );
  }
}
