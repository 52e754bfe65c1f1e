import { httpRequest, scrape, waitFor } from '@arcade/test-support';
import { BenchClient } from '../src/load/bench-client';
import { TARGETS } from '../src/processes';
import { startArcade } from '../src/targets/arcade-server';
import type { RunningTarget } from '../src/targets/serve';
import { collector } from './support/collector';

// The `arcade-metrics` target's server, in this process (one per test file: it runs on the default app).
describe('the arcade-metrics target', () => {
  let server: RunningTarget;
  beforeAll(async () => {
    server = await startArcade(TARGETS['arcade-metrics'].env);
  });
  afterAll(() => server.close());

  it('is the arcade server, raw frames and all, with Prometheus metrics counting', async () => {
    const replies = collector();
    const client = await BenchClient.open(
      server.port,
      '/ws/echo',
      TARGETS['arcade-metrics'].dialect,
      replies.listener,
    );
    try {
      client.send('e,0,1,2,xxxx');
      await waitFor(() => replies.texts.length === 1, { description: 'the echo' });
      expect(replies.texts).toEqual(['e,0,1,2,xxxx']);
    } finally {
      await client.close();
    }
    expect((await httpRequest(`http://127.0.0.1:${server.port}/json`)).status).toBe(200);

    const metrics = await scrape(`http://127.0.0.1:${server.port}/metrics`);
    expect(metrics.value('arcade_ws_messages_total', { direction: 'in' })).toBe(1);
    expect(metrics.value('arcade_ws_connects_total')).toBe(1);
    expect(metrics.value('arcade_http_requests_total', { route: '/json', status: '200' })).toBe(1);
  });
});
