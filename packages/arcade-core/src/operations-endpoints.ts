import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedException, UnauthorizedException } from './exceptions';
import type { ReadinessReport, ResolvedHealthOptions } from './health';
import type { HttpMetrics } from './http-metrics';
import type { MetricsAuthorizer, MetricsRegistry } from './metrics-types';
import { type ErrorPolicy, errorResponseFor, sendError } from './respond';

/** What the server's own endpoints serve. */
export interface OperationsConfig {
  readonly health: ResolvedHealthOptions | undefined;
  readonly metrics:
    | {
        readonly path: string;
        readonly registry: MetricsRegistry;
        readonly authorize: MetricsAuthorizer | undefined;
      }
    | undefined;
  readonly httpMetrics: HttpMetrics | undefined;
  readonly policy: ErrorPolicy;
  readiness(): Promise<ReadinessReport>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Whether the request target `url` is `path`, with or without a query string. */
function targets(url: string, path: string): boolean {
  return url.startsWith(path) && (url.length === path.length || url.charCodeAt(path.length) === 63) /* ? */;
}

/**
 * The endpoints a server answers itself, before routing: liveness, readiness and metrics. No hook runs
 * for them (a global authentication hook must not turn a load balancer's probe away); the metrics
 * endpoint has its own `authorize`. They answer GET and HEAD, 405 to other methods.
 */
export class OperationsEndpoints {
  constructor(private readonly config: OperationsConfig) {}

  /** Answers `request` when it is for one of these endpoints; false when it is not (route it). */
  serve(request: IncomingMessage, response: ServerResponse): boolean {
    const url = request.url ?? '/';
    const { health, metrics } = this.config;
    let answer: () => Promise<void>;
    let path: string;
    if (health !== undefined && targets(url, health.livenessPath)) {
      path = health.livenessPath;
      answer = () => this.#json(request, response, 200, { status: 'ok' });
    } else if (health !== undefined && targets(url, health.readinessPath)) {
      path = health.readinessPath;
      answer = async () => {
        const report = await this.config.readiness();
        await this.#json(request, response, report.ready ? 200 : 503, report);
      };
    } else if (metrics !== undefined && targets(url, metrics.path)) {
      path = metrics.path;
      answer = () => this.#metrics(request, response);
    } else {
      return false;
    }
    const observation = this.config.httpMetrics?.begin(response, (request.method ?? 'GET').toUpperCase());
    if (observation !== undefined) observation.route = path;
    const run = request.method === 'GET' || request.method === 'HEAD' ? answer : () => this.#refuseMethod();
    run().catch((error: unknown) => this.#fail(response, path, error));
    return true;
  }

  async #metrics(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const metrics = this.config.metrics;
    if (metrics === undefined) return;
    if (metrics.authorize !== undefined && !(await metrics.authorize(request))) {
      throw new UnauthorizedException({ headers: { 'www-authenticate': 'Bearer realm="metrics"' } });
    }
    const text = await metrics.registry.metrics();
    this.#send(request, response, 200, metrics.registry.contentType, text);
  }

  async #refuseMethod(): Promise<void> {
    throw new MethodNotAllowedException({ headers: { allow: 'GET, HEAD' } });
  }

  async #json(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    body: unknown,
  ): Promise<void> {
    this.#send(request, response, status, JSON_TYPE, JSON.stringify(body));
  }

  #send(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    type: string,
    text: string,
  ): void {
    response.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(text),
      // Probes and scrapes must see the current state, never a cached one.
      'cache-control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : text);
  }

  /** An HTTP exception answers its status; anything else (a registry that failed) is logged and answers 500. */
  #fail(response: ServerResponse, path: string, error: unknown): void {
    const { policy } = this.config;
    sendError(response, errorResponseFor(error, policy, { path }), undefined, policy.logger);
  }
}

/**
 * A {@link MetricsAuthorizer} that admits requests with `Authorization: Bearer <token>`, compared in
 * constant time: `runServer({ metrics: { authorize: bearerToken(process.env.METRICS_TOKEN) } })`.
 * @throws TypeError when `token` is not a non-empty string (an unset environment variable, say)
 */
export function bearerToken(token: string | undefined): MetricsAuthorizer {
  if (typeof token !== 'string' || token === '') {
    throw new TypeError('bearerToken(token) needs a non-empty token (is the environment variable set?)');
  }
  // Digests have one length, so the comparison reveals nothing about the token's.
  const expected = createHash('sha256').update(token).digest();
  return (request) => {
    const header = request.headers.authorization;
    if (header === undefined || !/^Bearer /i.test(header)) return false;
    const given = createHash('sha256').update(header.slice(7).trim()).digest();
    return timingSafeEqual(given, expected);
  };
}
