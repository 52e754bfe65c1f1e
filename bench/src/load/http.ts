import autocannon from 'autocannon';
import type { HttpJob, Metrics } from '../protocol';
import { CpuWindow } from './cpu-window';
import { measureInTurns } from './interleave';

declare module 'autocannon' {
  /** Merges runs made with `skipAggregateResult` (in autocannon's README, not in @types/autocannon 7). */
  function aggregateResult(
    results: readonly autocannon.Result[],
    opts: autocannon.Options,
  ): autocannon.Result;
}

/**
 * autocannon sees that a run is over only when it takes a sample, every second by default: a 500 ms
 * slice would last a full second.
 */
const SAMPLE_MS = 25;

/** One server of the job, its slices' raw results and CPU. */
interface Turns {
  options: autocannon.Options;
  cpu: CpuWindow;
  slices: autocannon.Result[];
}

/** A run whose histograms are kept encoded, to be merged with the server's other slices. */
function cannon(options: autocannon.Options, durationMs: number): Promise<autocannon.Result> {
  return autocannon({ ...options, duration: durationMs / 1000, skipAggregateResult: true });
}

/** Requests/s, p50/p99 from the merged latency histogram, server CPU per request, over a server's slices. */
function metricsOf({ options, cpu, slices }: Turns): Metrics {
  const result = autocannon.aggregateResult(slices, options);
  return {
    requestsPerSec: (result.requests.total / cpu.elapsedMs) * 1000,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    // Answers other than 2xx, and connection errors (which have no answer).
    failedRequests: result.non2xx + result.errors,
    cpuUsPerRequest: cpu.totalCpu / Math.max(1, result.requests.total),
    loadCpuPercent: cpu.selfCpuPercent,
  };
}

/**
 * HTTP: autocannon against one route of every server of the job, after a warm-up run on each, in
 * interleaved slices (`measureInTurns`); one set of metrics per server, in the job's order.
 */
export async function runHttp(job: HttpJob): Promise<Metrics[]> {
  const servers: Turns[] = job.servers.map((server) => ({
    options: {
      url: `http://127.0.0.1:${server.port}${job.path}`,
      connections: job.connections,
      sampleInt: SAMPLE_MS,
    },
    cpu: new CpuWindow([server.pid]),
    slices: [],
  }));
  await measureInTurns(
    servers,
    job.slices,
    async (server) => {
      await cannon(server.options, job.warmupMs);
    },
    async (server) => {
      server.slices.push(await cannon(server.options, job.durationMs / job.slices));
    },
  );
  return servers.map(metricsOf);
}
