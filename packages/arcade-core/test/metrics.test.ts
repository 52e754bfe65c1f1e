import { RecordingLogger, scrape } from '@arcade/test-support';
import { Counter, type Gauge, register as globalRegistry, Registry } from 'prom-client';
import {
  type ArcadeMetrics,
  bearerToken,
  type CounterMetric,
  createApp,
  ForbiddenException,
  type GaugeMetric,
  type HistogramMetric,
  MetricsError,
  type MetricsRegistry,
  NotFoundException,
} from '../src';
import { send, startApp } from './support/http';

// prom-client's own classes fit the structural types the public API declares (checked by the compiler).
const registryFits: MetricsRegistry = new Registry();
const counterFits: CounterMetric<'kind'> = new Counter<'kind'>({
  name: 'fits_total',
  help: 'h',
  labelNames: ['kind'],
  registers: [],
});
type GaugeFits = Gauge<'kind'> extends GaugeMetric<'kind'> ? true : never;
const gaugeFits: GaugeFits = true;
void [registryFits, counterFits, gaugeFits];

describe('HTTP metrics', () => {
  it('counts requests by method, route pattern and status, with a duration histogram', async () => {
    const { server } = await startApp(
      (app) => {
        app.route.get('/users/:id').handle((ctx) => {
          if (ctx.pathParameters.id === 'missing') throw new NotFoundException();
          return { id: ctx.pathParameters.id };
        });
        app.route.post('/users').handle(() => 'created');
        app.route.group('/api', { defineRoutes: (group) => group.get('/items/*').handle(() => []) });
      },
      { metrics: {} },
    );
    try {
      for (const path of ['/users/1', '/users/2', '/users/missing', '/api/items/a/b', '/nowhere', '/%zz']) {
        await send(server, path);
      }
      await send(server, '/users', { method: 'POST', body: 'x' });
      await send(server, '/users/1', { method: 'PROPFIND' });

      const metrics = await scrape(`${server.url}/metrics`);
      const requests = (route: string, method: string, status: string) =>
        metrics.value('arcade_http_requests_total', { route, method, status });
      expect(requests('/users/:id', 'GET', '200')).toBe(2);
      expect(requests('/users/:id', 'GET', '404')).toBe(1);
      expect(requests('/users', 'POST', '200')).toBe(1);
      expect(requests('/api/items/*', 'GET', '200')).toBe(1);
      // Raw paths never become labels: what no route matched shares one label, malformed paths too.
      expect(requests('(unmatched)', 'GET', '404')).toBe(1);
      expect(requests('(unmatched)', 'GET', '400')).toBe(1);
      // A method outside the common ones is counted as OTHER (the label stays bounded).
      expect(requests('(unmatched)', 'OTHER', '404')).toBe(1);
      expect(
        metrics
          .samples('arcade_http_requests_total')
          .map((sample) => sample.labels.route)
          .sort(),
      ).toEqual(
        [
          '(unmatched)',
          '(unmatched)',
          '(unmatched)',
          '/api/items/*',
          '/users',
          '/users/:id',
          '/users/:id',
        ].sort(),
      );
      expect(metrics.families.get('arcade_http_request_duration_seconds')?.type).toBe('histogram');
      const labels = { route: '/users/:id', method: 'GET', status: '200' };
      expect(metrics.value('arcade_http_request_duration_seconds_count', labels)).toBe(2);
      expect(metrics.value('arcade_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(2);
      expect(metrics.value('arcade_http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('counts the server endpoints under their paths, scrapes included', async () => {
    const { server } = await startApp(() => {}, { metrics: {}, health: {} });
    try {
      await send(server, '/livez');
      await send(server, '/metrics');
      const metrics = await scrape(`${server.url}/metrics`);
      expect(metrics.value('arcade_http_requests_total', { route: '/livez', status: '200' })).toBe(1);
      expect(metrics.value('arcade_http_requests_total', { route: '/metrics', status: '200' })).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('the metrics registry', () => {
  it('is a private one when none is passed; prom-client’s global registry stays empty', async () => {
    const { app, server } = await startApp((current) => current.route.get('/').handle(() => 'hi'), {
      metrics: {},
    });
    try {
      await send(server, '/');
      const registry = app.metrics?.registry as Registry;
      expect(registry).toBeInstanceOf(Registry);
      expect(registry).not.toBe(globalRegistry);
      expect(await registry.getSingleMetricAsString('arcade_http_requests_total')).toContain('route="/"');
      expect(globalRegistry.getMetricsAsArray()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('is the app’s when passed, with the prefix asked for, and loses the server’s metrics at close', async () => {
    const registry = new Registry();
    const own = new Counter({ name: 'app_own_total', help: 'the app’s own', registers: [registry] });
    own.inc(3);
    const { app, server } = await startApp(() => {}, { metrics: { registry, prefix: 'shop_', path: '/m' } });
    expect(app.metrics?.registry).toBe(registry);
    expect(app.metrics?.prefix).toBe('shop_');
    const metrics = await scrape(`${server.url}/m`);
    expect(metrics.value('app_own_total')).toBe(3);
    expect(metrics.families.has('shop_http_requests_total')).toBe(true);
    expect((await send(server, '/metrics')).status).toBe(404);
    await server.close();

    expect(app.metrics).toBeUndefined();
    expect(registry.getSingleMetric('shop_http_requests_total')).toBeUndefined();
    expect(registry.getSingleMetric('app_own_total')).toBe(own);
    // So the same registry serves the next run.
    const again = await app.runServer({
      port: 0,
      host: '127.0.0.1',
      logger: new RecordingLogger(),
      metrics: { registry },
    });
    await again.close();
  });

  it('refuses to start when its registry already holds one of the server’s names', async () => {
    const registry = new Registry();
    new Counter({ name: 'arcade_http_requests_total', help: 'taken', registers: [registry] });
    const app = createApp({ logger: new RecordingLogger() });
    const started = app.runServer({ port: 0, host: '127.0.0.1', metrics: { registry } });
    await expect(started).rejects.toBeInstanceOf(MetricsError);
    await expect(started).rejects.toMatchObject({ code: 'METRIC_CONFLICT' });
    expect(app.metrics).toBeUndefined();
    expect(registry.getMetricsAsArray()).toHaveLength(1);
  });

  it('refuses invalid options before anything starts', async () => {
    const app = createApp({ logger: new RecordingLogger() });
    const run = (metrics: unknown) =>
      app.runServer({ port: 0, host: '127.0.0.1', metrics: metrics as Record<string, never> });
    await expect(run({ prefix: '1x' })).rejects.toThrow(/metrics.prefix/);
    await expect(run({ path: 'metrics' })).rejects.toThrow(/metrics.path/);
    await expect(run({ registry: {} })).rejects.toThrow(/metrics.registry/);
    await expect(run({ authorize: 'token' })).rejects.toThrow(/metrics.authorize/);
    await expect(run({ httpDurationBuckets: [1, 0.5] })).rejects.toThrow(/httpDurationBuckets/);
    await expect(
      app.runServer({ port: 0, host: '127.0.0.1', metrics: { path: '/readyz' }, health: {} }),
    ).rejects.toThrow(/also a health path/);
    expect(app.metrics).toBeUndefined();
  });
});

describe('metrics for plugins (app.metrics)', () => {
  it('makes counters, gauges with collectors and histograms on the server’s registry, prefixed', async () => {
    const made: { counter?: CounterMetric<'kind'>; histogram?: HistogramMetric } = {};
    let level = 7;
    const app = createApp({ logger: new RecordingLogger() });
    app.onServerStart(() => {
      const metrics = app.metrics as ArcadeMetrics;
      made.counter = metrics.counter({ name: 'toy_events_total', help: 'events', labelNames: ['kind'] });
      metrics.gauge({ name: 'toy_level', help: 'level', collect: (gauge) => gauge.set(level) });
      made.histogram = metrics.histogram({ name: 'toy_seconds', help: 'durations', buckets: [1, 2] });
    });
    const server = await app.runServer({ port: 0, host: '127.0.0.1', metrics: {} });
    try {
      made.counter?.labels({ kind: 'a' }).inc();
      made.counter?.inc({ kind: 'b' }, 2);
      made.histogram?.observe(1.5);
      level = 9;
      const metrics = await scrape(`${server.url}/metrics`);
      expect(metrics.value('arcade_toy_events_total', { kind: 'a' })).toBe(1);
      expect(metrics.value('arcade_toy_events_total', { kind: 'b' })).toBe(2);
      expect(metrics.value('arcade_toy_level')).toBe(9);
      expect(metrics.value('arcade_toy_seconds_bucket', { le: '1' })).toBe(0);
      expect(metrics.value('arcade_toy_seconds_bucket', { le: '2' })).toBe(1);
      expect(() => app.metrics?.counter({ name: 'toy_events_total', help: 'again' })).toThrow(
        expect.objectContaining({ code: 'METRIC_CONFLICT' }),
      );
      expect(() => app.metrics?.counter({ name: 'bad name', help: 'x' })).toThrow(
        expect.objectContaining({ code: 'INVALID_METRIC' }),
      );
    } finally {
      await server.close();
    }
  });

  it('logs a collector that throws and still serves the other metrics', async () => {
    const logger = new RecordingLogger();
    const app = createApp();
    app.onServerStart(() => {
      app.metrics?.gauge({
        name: 'broken',
        help: 'throws',
        collect: () => {
          throw new Error('collector failed');
        },
      });
    });
    const server = await app.runServer({ port: 0, host: '127.0.0.1', logger, metrics: {} });
    try {
      const metrics = await scrape(`${server.url}/metrics`);
      expect(metrics.families.has('arcade_http_requests_total')).toBe(true);
      expect(logger.entries).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          fields: expect.objectContaining({ metric: 'broken', errorMessage: 'collector failed' }),
        }),
      );
    } finally {
      await server.close();
    }
  });

  it('is undefined without the metrics option', async () => {
    const { app, server } = await startApp(() => {});
    expect(app.metrics).toBeUndefined();
    expect((await send(server, '/metrics')).status).toBe(404);
    await server.close();
  });
});

describe('the metrics endpoint', () => {
  it('answers only requests its authorize admits: 401 otherwise, an HTTP exception’s own status', async () => {
    const { server } = await startApp(() => {}, {
      metrics: { authorize: bearerToken('s3cret') },
    });
    try {
      const refused = await send(server, '/metrics');
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(refused.json()).toEqual({ error: { statusCode: 401, message: 'Unauthorized' } });
      expect((await send(server, '/metrics', { headers: { authorization: 'Bearer wrong' } })).status).toBe(
        401,
      );
      expect((await send(server, '/metrics', { headers: { authorization: 's3cret' } })).status).toBe(401);
      const metrics = await scrape(`${server.url}/metrics`, { authorization: 'Bearer s3cret' });
      expect(metrics.families.has('arcade_http_requests_total')).toBe(true);
    } finally {
      await server.close();
    }
    const forbidding = await startApp(() => {}, {
      metrics: {
        authorize: async () => {
          throw new ForbiddenException({ message: 'Scrapes come from the monitoring network' });
        },
      },
    });
    try {
      const answer = await send(forbidding.server, '/metrics');
      expect(answer.status).toBe(403);
      expect(answer.json()).toEqual({
        error: { statusCode: 403, message: 'Scrapes come from the monitoring network' },
      });
    } finally {
      await forbidding.server.close();
    }
  });

  it('answers 405 to other methods and HEAD without a body', async () => {
    const { server } = await startApp(() => {}, { metrics: {} });
    try {
      const post = await send(server, '/metrics', { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.allow).toBe('GET, HEAD');
      const head = await send(server, '/metrics?x=1', { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.text).toBe('');
      expect(head.headers['cache-control']).toBe('no-store');
    } finally {
      await server.close();
    }
  });

  it('is off with path: false, the registry still filled', async () => {
    const { app, server } = await startApp((current) => current.route.get('/metrics').handle(() => 'mine'), {
      metrics: { path: false },
    });
    try {
      expect((await send(server, '/metrics')).text).toBe('mine');
      expect(await app.metrics?.registry.metrics()).toContain('route="/metrics"');
    } finally {
      await server.close();
    }
  });

  it('bearerToken refuses an empty or missing token', () => {
    expect(() => bearerToken('')).toThrow(TypeError);
    expect(() => bearerToken(undefined)).toThrow(/environment variable/);
  });
});
