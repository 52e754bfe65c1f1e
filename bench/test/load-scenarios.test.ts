import { runEcho } from '../src/load/echo';
import { runFanout } from '../src/load/fanout';
import { runHttp } from '../src/load/http';
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
