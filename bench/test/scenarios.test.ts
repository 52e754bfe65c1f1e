import { parseOptions } from '../src/options';
import { threadCpuMicros } from '../src/proc-stats';
import { needsRedis, TARGETS } from '../src/processes';
import { COSTS, columnsOf, GOALS, rungLabel, SCENARIO_LIST, targetsFor } from '../src/scenarios';
import { CLUSTER_MASTERS, clusterCpu } from '../src/scenarios/cluster-sharded';

const scenario = (name: string) => SCENARIO_LIST.find((s) => s.name === name)!;

describe('target selection', () => {
  it('runs arcade-history next to arcade in the fan-out and cluster scenarios by default', () => {
    expect(targetsFor(scenario('fanout'), undefined)).toEqual([
      'arcade',
      'arcade-history',
      'arcade-events',
      'arcade-metrics',
      'ws',
      'ws-batch',
      'socketio',
    ]);
    expect(targetsFor(scenario('cluster'), undefined)).toEqual([
      'arcade',
      'arcade-history',
      'ws',
      'socketio',
    ]);
  });

  it('keeps arcade-history out of the scenarios that emit to no room', () => {
    for (const name of ['echo', 'connections', 'http']) {
      expect(scenario(name).accepts).not.toContain('arcade-history');
      expect(targetsFor(scenario(name), ['arcade', 'arcade-history'])).toEqual(['arcade']);
    }
  });

  it('takes the --target list in the scenario order, among the targets the scenario accepts', () => {
    expect(targetsFor(scenario('cluster'), ['socketio', 'arcade-history', 'ws-batch', 'arcade'])).toEqual([
      'arcade',
      'arcade-history',
      'ws-batch',
      'socketio',
    ]);
    expect(targetsFor(scenario('fanout'), ['fastify'])).toEqual([]);
  });

  it('starts arcade-history from the arcade server, switched by its environment alone', () => {
    expect(TARGETS['arcade-history'].script).toBe(TARGETS.arcade.script);
    expect(TARGETS['arcade-history'].dialect).toBe(TARGETS.arcade.dialect);
    expect(TARGETS['arcade-history'].env).toEqual({ ARCADE_HISTORY: '1' });
  });
});

describe('the events protocol and metrics against arcade (issues 17 and 18)', () => {
  const ratiosTo = (name: string, baseline: string) =>
    scenario(name)
      .ratios.filter((ratio) => ratio.baseline === baseline)
      .map((ratio) => ratio.metric);

  it('starts both from the arcade server, switched by their environment alone', () => {
    expect(TARGETS['arcade-events']).toEqual({
      script: TARGETS.arcade.script,
      dialect: 'events',
      env: { ARCADE_EVENTS: '1' },
    });
    expect(TARGETS['arcade-metrics']).toEqual({
      script: TARGETS.arcade.script,
      dialect: 'raw',
      env: { ARCADE_METRICS: '1' },
    });
  });

  it('runs arcade-events in fan-out and echo, with ratios to arcade (raw frames) and to Socket.IO', () => {
    for (const name of ['fanout', 'echo'])
      expect(targetsFor(scenario(name), undefined)).toContain('arcade-events');
    for (const name of ['connections', 'http', 'cluster', 'storage-echo']) {
      expect(targetsFor(scenario(name), undefined)).not.toContain('arcade-events');
    }
    expect(ratiosTo('fanout', 'arcade')).toEqual(['deliveredPerSec', 'cpuUsPerDelivery']);
    expect(ratiosTo('fanout', 'socketio')).toEqual(['deliveredPerSec', 'cpuUsPerDelivery']);
    expect(ratiosTo('echo', 'arcade')).toEqual(['cpuUsPerMessage', 'rttP99Ms']);
    expect(ratiosTo('echo', 'socketio')).toEqual(['cpuUsPerMessage']);
  });

  it('runs arcade-metrics in fan-out, echo, connections and HTTP, with ratios to arcade (metrics off)', () => {
    for (const name of ['fanout', 'echo', 'connections', 'http']) {
      expect(targetsFor(scenario(name), undefined)).toContain('arcade-metrics');
      expect(ratiosTo(name, 'arcade').length).toBeGreaterThan(0);
    }
    expect(ratiosTo('connections', 'arcade')).toEqual(['rssPerConnKiB', 'cpuUsPerConnect']);
    expect(ratiosTo('http', 'arcade')).toEqual([
      'json.requestsPerSec',
      'param.requestsPerSec',
      'json.cpuUsPerRequest',
    ]);
  });

  it('reports each as a cost against arcade in the same rounds', () => {
    const costs = (label: string) =>
      COSTS.filter((cost) => cost.label === label).map((cost) => [cost.scenario, cost.target, cost.baseline]);
    expect(costs('Events protocol')).toEqual([
      ['fanout', 'arcade-events', 'arcade'],
      ['echo', 'arcade-events', 'arcade'],
    ]);
    expect(costs('Metrics')).toEqual(
      ['fanout', 'echo', 'connections', 'http'].map((name) => [name, 'arcade-metrics', 'arcade']),
    );
  });
});

describe('cluster-sharded', () => {
  it('runs arcade, ws and socketio by default, and every room target with --target', () => {
    expect(targetsFor(scenario('cluster-sharded'), undefined)).toEqual(['arcade', 'ws', 'socketio']);
    expect(
      targetsFor(scenario('cluster-sharded'), ['socketio', 'ws-batch', 'arcade-history', 'arcade', 'http']),
    ).toEqual(['arcade', 'arcade-history', 'ws-batch', 'socketio']);
  });

  it('compares with Socket.IO (sharded) in the same scenario, and with one Redis in the cluster scenario', () => {
    const sharded = scenario('cluster-sharded');
    expect(sharded.ratios.map((r) => `${r.metric}/${r.baseline}`)).toEqual([
      'deliveredPerSec/socketio',
      'cpuUsPerDelivery/socketio',
      'redisCpuUsPerDelivery/socketio',
      'deliveredPerSec/ws',
    ]);
    const onOneRedis = COSTS.filter((cost) => cost.scenario === 'cluster-sharded');
    expect(onOneRedis.map((cost) => cost.target)).toEqual(['arcade', 'arcade-history', 'ws', 'socketio']);
    for (const cost of onOneRedis) {
      expect(cost).toMatchObject({ baseline: cost.target, baselineScenario: 'cluster' });
      expect(cost.metrics.map((m) => m.metric)).toContain('redisCpuUsPerDelivery');
    }
  });

  it('has a column per master share, from the busiest to the least busy, and the replicas apart', () => {
    const metrics = columnsOf(scenario('cluster-sharded'), parseOptions([])).map((c) => c.metric);
    expect(metrics).toEqual(
      expect.arrayContaining([
        'redisCpuUsPerDelivery',
        ...Array.from({ length: CLUSTER_MASTERS }, (_, i) => `redisMaster${i + 1}SharePct`),
        'redisReplicaCpuUsPerDelivery',
      ]),
    );
  });

  it('sums the masters, ranks their shares and keeps the replicas apart', () => {
    const derived = clusterCpu(
      {
        deliveredPerSec: 1000,
        redisCpuUsPerDelivery: 0.7,
        side0CpuUsPerDelivery: 0.1,
        side1CpuUsPerDelivery: 0.3,
        side2CpuUsPerDelivery: 0.2,
        side3CpuUsPerDelivery: 0.05,
        side4CpuUsPerDelivery: 0.03,
        side5CpuUsPerDelivery: 0.02,
      },
      3,
    );
    expect(derived.deliveredPerSec).toBe(1000);
    expect(derived.redisCpuUsPerDelivery).toBeCloseTo(0.6, 12);
    expect(derived.redisReplicaCpuUsPerDelivery).toBeCloseTo(0.1, 12);
    expect(derived.redisMaster1CpuUsPerDelivery).toBe(0.3);
    expect(derived.redisMaster3CpuUsPerDelivery).toBe(0.1);
    expect(derived.redisMaster1SharePct).toBeCloseTo(50, 9);
    expect(derived.redisMaster2SharePct).toBeCloseTo(100 / 3, 9);
    expect(derived.redisMaster3SharePct).toBeCloseTo(100 / 6, 9);
    expect(Object.keys(derived).some((key) => key.startsWith('side'))).toBe(false);
  });

  it('gives no share when the masters spent nothing', () => {
    const derived = clusterCpu(
      { side0CpuUsPerDelivery: 0, side1CpuUsPerDelivery: 0, side2CpuUsPerDelivery: 0 },
      3,
    );
    expect(derived.redisCpuUsPerDelivery).toBe(0);
    expect(derived.redisReplicaCpuUsPerDelivery).toBe(0);
    expect(derived.redisMaster1SharePct).toBeNaN();
  });
});

describe('thread CPU of a process', () => {
  it('grows with the work done', () => {
    const before = threadCpuMicros(process.pid);
    const until = performance.now() + 20;
    while (performance.now() < until) {
      // Spin: CPU to count.
    }
    const spent = threadCpuMicros(process.pid) - before;
    expect(spent).toBeGreaterThan(0);
  });
});

describe('storage setups (issue 20)', () => {
  const setups = ['arcade', 'arcade-default', 'arcade-memory', 'arcade-redis', 'ws', 'ws-redis'];

  it('runs every storage setup and its raw ws baseline in storage-echo and storage-idle', () => {
    expect(targetsFor(scenario('storage-echo'), undefined)).toEqual(setups);
    expect(targetsFor(scenario('storage-idle'), undefined)).toEqual(setups);
  });

  it('starts each setup from the same server as arcade, switched by its environment alone', () => {
    expect(TARGETS['arcade-default']).toMatchObject({
      script: TARGETS.arcade.script,
      env: { ARCADE_STORAGE: 'default' },
    });
    expect(TARGETS['arcade-memory']).toMatchObject({
      script: TARGETS.arcade.script,
      env: { ARCADE_STORAGE: 'memory' },
    });
    expect(TARGETS['arcade-redis']).toMatchObject({ script: TARGETS.arcade.script, env: {} });
    expect(TARGETS['ws-redis']).toMatchObject({ script: TARGETS.ws.script, env: {} });
  });

  it('gives a redis-server to the Redis setups only', () => {
    expect(setups.filter((target) => needsRedis(target as keyof typeof TARGETS))).toEqual([
      'arcade-redis',
      'ws-redis',
    ]);
  });

  it('holds each setup to its goal against its own baseline: raw ws, or raw ws with Redis pub/sub', () => {
    const echo = GOALS.filter((goal) => goal.scenario === 'storage-echo');
    expect(echo.map((goal) => [goal.target, goal.baseline, goal.bound])).toEqual([
      ['arcade', 'ws', 1.05],
      ['arcade-default', 'ws', 1.05],
      ['arcade-memory', 'ws', 1.25],
      ['arcade-redis', 'ws-redis', 1.25],
    ]);
  });

  it('keeps every goal of the first round', () => {
    const first = GOALS.filter((goal) =>
      ['fanout', 'cluster', 'echo', 'connections', 'http'].includes(goal.scenario),
    );
    expect(first).toHaveLength(7);
  });
});

describe('the scale ladder', () => {
  it('has a column per rung of each per-connection figure, headed by the rung', () => {
    const columns = columnsOf(scenario('scale'), parseOptions(['--scale', '500,2000']));
    expect(columns.map((c) => c.metric)).toEqual(
      expect.arrayContaining([
        'r500.rssPerConnKiB',
        'r2000.rssPerConnKiB',
        'r500.cpuUsPerConnect',
        'heapGrowth',
      ]),
    );
    expect(columns.map((c) => c.header)).toContain('RSS KiB/conn @2k');
  });

  it('labels rungs in thousands when they are whole thousands', () => {
    expect(rungLabel(18_000)).toBe('18k');
    expect(rungLabel(500)).toBe('500');
    expect(rungLabel(1500)).toBe('1500');
  });

  it('checks its goals on the top rung, whatever the ladder', () => {
    const goals = GOALS.filter((goal) => goal.scenario === 'scale');
    expect(goals.map((goal) => goal.metric)).toEqual([
      'top.rssPerConnKiB',
      'top.cpuUsPerConnect',
      'heapGrowth',
    ]);
  });
});
