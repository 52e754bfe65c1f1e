import { runConnections } from '../src/load/connections';
import { runEcho } from '../src/load/echo';
import { runFanout } from '../src/load/fanout';
import { runHttp } from '../src/load/http';
import type { Metrics } from '../src/protocol';
import { type HttpTestServer, startHttpServer, startWsServer, type TestServer } from './support/servers';

describe('fan-out load against a real ws server', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startWsServer();
  });
  afterEach(() => server.close());
  /** A short fan-out against the server, charging `sidePids` apart. */
  const fanout = (sidePids: number[]) =>
    runFanout({
      kind: 'fanout',
      endpoints: [{ port: server.port, dialect: 'raw' }],
      serverPids: [process.pid],
      sidePids,
      rooms: 2,
      membersPerRoom: 5,
      window: 4,
      payloadBytes: 48,
      warmupMs: 50,
      durationMs: 300,
      connectConcurrency: 5,
    });

  it('fan-out delivers every measured message to every member and charges the server CPU', async () => {
    const metrics = await fanout([]);
    expect(metrics.lostDeliveries).toBe(0);
    expect(metrics.measuredMessages).toBeGreaterThan(0);
    expect(metrics.deliveredPerSec).toBeGreaterThan(0);
    expect(metrics.p99Ms).toBeGreaterThanOrEqual(metrics.p50Ms!);
    expect(metrics.cpuUsPerDelivery).toBeGreaterThan(0);
    expect(metrics.redisCpuUsPerDelivery).toBeNaN();
    expect(Object.keys(metrics).filter((key) => key.startsWith('side'))).toEqual([]);
  });

  it('reports each side process apart when there are several (a Redis Cluster), summing to the total', async () => {
    // This process stands in for the cluster's nodes: it does the serving, so it has CPU to read.
    const metrics = await fanout([process.pid, process.pid]);
    expect(metrics.side0CpuUsPerDelivery).toBeGreaterThan(0);
    expect(metrics.side1CpuUsPerDelivery).toBeGreaterThan(0);
    expect(metrics.side0CpuUsPerDelivery! + metrics.side1CpuUsPerDelivery!).toBeCloseTo(
      metrics.redisCpuUsPerDelivery!,
      9,
    );
    expect(metrics.side2CpuUsPerDelivery).toBeUndefined();
  });
});

describe('echo load against real ws servers', () => {
  let servers: TestServer[];
  let received: number[];
  beforeEach(async () => {
    received = [0, 0];
    servers = await Promise.all(
      received.map((_, i) => startWsServer((socket) => socket.on('message', () => received[i]!++))),
    );
  });
  afterEach(() => Promise.all(servers.map((server) => server.close())));

  it('gives every server its interleaved slices and counts each reply for the server it came from', async () => {
    const metrics = await runEcho({
      kind: 'echo',
      servers: servers.map((server) => ({ port: server.port, dialect: 'raw', pid: process.pid })),
      connections: 5,
      route: 'echo',
      rate: 500,
      payloadBytes: 48,
      warmupMs: 50,
      durationMs: 300,
      slices: 3,
      connectConcurrency: 5,
    });
    expect(metrics).toHaveLength(2);
    for (const [i, result] of metrics.entries()) {
      expect(received[i]).toBeGreaterThan(0);
      expect(result.sentPerSec).toBeGreaterThan(0);
      // Replies counted for the wrong server would show as lost on one and negative on the other.
      expect(result.lost).toBe(0);
      expect(result.rttP999Ms).toBeGreaterThanOrEqual(result.rttP50Ms!);
      expect(result.cpuUsPerMessage).toBeGreaterThan(0);
      expect(result.loadCpuPercent).toBeGreaterThan(0);
    }
  });
});

describe('echo through the room route against a real ws server', () => {
  let server: TestServer;
  let opened: number;
  beforeEach(async () => {
    opened = 0;
    server = await startWsServer(() => opened++);
  });
  afterEach(() => server.close());

  it('puts each connection alone in its room, so each broadcast comes back once, and charges side processes apart', async () => {
    const [metrics] = await runEcho({
      kind: 'echo',
      servers: [{ port: server.port, dialect: 'raw', pid: process.pid, sidePids: [process.pid] }],
      connections: 4,
      route: 'room',
      rate: 400,
      payloadBytes: 48,
      warmupMs: 50,
      durationMs: 300,
      slices: 2,
      connectConcurrency: 4,
    });
    expect(opened).toBe(4);
    // Two connections in one room would each get the other's messages: more replies than sent.
    expect(metrics!.lost).toBe(0);
    expect(metrics!.sentPerSec).toBeGreaterThan(0);
    expect(metrics!.redisCpuUsPerMessage).toBeGreaterThanOrEqual(0);
  });
});

describe('idle connections in rungs against a real ws server', () => {
  let server: TestServer;
  let open: number;
  let accepted: number;
  beforeEach(async () => {
    open = 0;
    accepted = 0;
    server = await startWsServer((socket) => {
      open++;
      accepted++;
      socket.on('close', () => open--);
    });
  });
  afterEach(() => server.close());

  it('grows to each rung after closing its warm-up connections, reports it while open, then closes them all', async () => {
    const seen: Array<{ metrics: Metrics; open: number }> = [];
    const last = await runConnections(
      {
        kind: 'connections',
        endpoint: { port: server.port, dialect: 'raw' },
        pid: process.pid,
        sidePids: [process.pid],
        rungs: [3, 7],
        rooms: 2,
        connectConcurrency: 2,
        warmup: 4,
      },
      async (metrics) => {
        seen.push({ metrics, open });
      },
    );
    // Each rung: its 4 warm-up connections, closed before it, then its new connections.
    expect(accepted).toBe(4 + 3 + 4 + 4);
    expect(seen.map((rung) => [rung.metrics.connections, rung.open])).toEqual([
      [3, 3],
      [7, 7],
    ]);
    for (const { metrics } of seen) {
      expect(metrics.failedConnects).toBe(0);
      expect(metrics.connectsPerSec).toBeGreaterThan(0);
      expect(metrics.cpuUsPerConnect).toBeGreaterThanOrEqual(0);
      expect(metrics.redisCpuUsPerConnect).toBeGreaterThanOrEqual(0);
    }
    expect(last).toEqual(seen[1]!.metrics);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(open).toBe(0);
  });

  it('only warms the server up, a batch of handshakes at a time, and leaves nothing open', async () => {
    let most = 0;
    const counting = setInterval(() => {
      most = Math.max(most, open);
    }, 1);
    const metrics = await runConnections(
      {
        kind: 'connections',
        endpoint: { port: server.port, dialect: 'raw' },
        pid: process.pid,
        sidePids: [],
        rungs: [],
        rooms: 2,
        connectConcurrency: 3,
        warmup: 7,
      },
      async () => {
        throw new Error('no rung to report');
      },
    );
    clearInterval(counting);
    expect(metrics).toEqual({});
    expect(accepted).toBe(7);
    expect(most).toBeLessThanOrEqual(3);
    expect(open).toBe(0);
  });
});

describe('HTTP load against real node:http servers', () => {
  let servers: HttpTestServer[];
  beforeEach(async () => {
    servers = await Promise.all([startHttpServer(), startHttpServer()]);
  });
  afterEach(() => Promise.all(servers.map((server) => server.close())));

  it('gives every server its interleaved slices, with requests counted and CPU charged to each', async () => {
    const metrics = await runHttp({
      kind: 'http',
      servers: servers.map((server) => ({ port: server.port, pid: process.pid })),
      path: '/json',
      connections: 2,
      warmupMs: 50,
      durationMs: 200,
      slices: 2,
    });
    expect(metrics).toHaveLength(2);
    for (const [i, server] of servers.entries()) {
      expect(server.served()).toBeGreaterThan(0);
      expect(metrics[i]!.requestsPerSec).toBeGreaterThan(0);
      expect(metrics[i]!.failedRequests).toBe(0);
      expect(metrics[i]!.p99Ms).toBeGreaterThanOrEqual(metrics[i]!.p50Ms!);
      expect(metrics[i]!.cpuUsPerRequest).toBeGreaterThan(0);
      expect(metrics[i]!.loadCpuPercent).toBeGreaterThan(0);
    }
  });
});
