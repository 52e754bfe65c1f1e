import { type App, bearerToken, ForbiddenException, type ServerOptions } from '@arcade/core';
import type { ClientBudget, ClientLimits } from './client-limits';

/** Where Prometheus scrapes the chat (core's default metrics path). */
export const METRICS_PATH = '/metrics';

/**
 * The operations part of the chat's `runServer` options: `/livez` and `/readyz` always (ready while
 * the storage is reachable and the server is not draining: @arcade/ws adds its storage check), and
 * Prometheus metrics on `/metrics` behind `Authorization: Bearer <metricsToken>` when a token is set.
 * Without a token metrics are off, not open: the chat never serves them unauthenticated, and
 * prom-client is not even loaded.
 */
export function operationsOptions(
  metricsToken: string | undefined,
): Pick<ServerOptions, 'metrics' | 'health'> {
  return {
    health: {},
    ...(metricsToken === undefined ? {} : { metrics: { authorize: bearerToken(metricsToken) } }),
  };
}

/** With metrics off, `/metrics` says so (403, like the admin API without its token) instead of a bare 404. */
export function registerMetricsOff(app: App): void {
  app.route.get(METRICS_PATH).handle(() => {
    throw new ForbiddenException({
      message:
        'Metrics are off: start the server with METRICS_TOKEN set, then scrape with "Authorization: Bearer <METRICS_TOKEN>".',
    });
  });
}

/**
 * The chat's own metric, next to those of @arcade/core and @arcade/ws:
 * `arcade_chat_refusals_total{budget}`, the frames and connections each budget of
 * `src/client-limits.ts` refused (a client flooding shows here first). Read from the limiter's plain
 * counts at each scrape, so a refusal costs no metric update.
 */
export function registerChatMetrics(app: App, limits: ClientLimits): void {
  app.metrics?.counter<'budget'>({
    name: 'chat_refusals_total',
    help: 'Frames and WebSocket connections refused by a per-client budget of the chat, by budget.',
    labelNames: ['budget'],
    collect: (counter) => {
      counter.reset();
      for (const [budget, count] of Object.entries(limits.refusals()) as [ClientBudget, number][]) {
        counter.inc({ budget }, count);
      }
    },
  });
}
