import autocannon from 'autocannon';
import type { HttpJob, Metrics } from '../protocol';
import { CpuWindow } from './cpu-window';

function cannon(job: HttpJob, durationMs: number): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${job.port}${job.path}`,
    connections: job.connections,
    duration: durationMs / 1000,
  });
}

/** HTTP: autocannon against one route, after a short warm-up run; requests/s, p99, server CPU per request. */
export async function runHttp(job: HttpJob): Promise<Metrics> {
  await cannon(job, job.warmupMs);
  const cpu = new CpuWindow([job.serverPid]);
  cpu.start();
  const result = await cannon(job, job.durationMs);
  cpu.stop();
  const ok = result.requests.total - result.non2xx - result.errors;
  return {
    requestsPerSec: (result.requests.total / cpu.elapsedMs) * 1000,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failedRequests: result.requests.total - ok + result.errors,
    cpuUsPerRequest: cpu.totalCpu / Math.max(1, result.requests.total),
    loadCpuPercent: cpu.selfCpuPercent,
  };
}
