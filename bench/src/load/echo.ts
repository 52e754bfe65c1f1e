import type { EchoJob, Metrics } from '../protocol';
import { echoPath } from '../protocol';
import { Samples } from '../stats';
import { BenchClient } from './bench-client';
import { CpuWindow } from './cpu-window';
import { type DecodedPayload, decodePayload, encodePayload, KIND_ECHO, receivedAtMicros } from './payload';
import { delay, mapLimited, waitUntil } from './pool';

const TICK_MS = 2;
const DRAIN_TIMEOUT_MS = 3_000;

/**
 * Echo: `connections` clients send at a fixed total `rate` (open loop: the schedule does not wait for
 * replies), round-robin over the connections; each reply's round trip is measured from the send time
 * it carries. Messages sent during warm-up are kind `f` and are not measured.
 */
export async function runEcho(job: EchoJob): Promise<Metrics> {
  const rtt = new Samples();
  const decoded: DecodedPayload = { kind: 0, owner: 0, seq: 0, sentMicros: 0 };
  let measuring = false;
  let measuredSent = 0;
  let measuredReceived = 0;
  let receivedInWindow = 0;

  const onMessage = (buffer: Buffer, start: number, end: number): void => {
    if (!decodePayload(buffer, start, end, decoded)) return;
    if (decoded.kind === KIND_ECHO) measuredReceived++;
    if (!measuring) return;
    receivedInWindow++;
    rtt.add(receivedAtMicros() - decoded.sentMicros);
  };
  const clients = await mapLimited(job.connections, job.connectConcurrency, () =>
    BenchClient.open(job.endpoint.port, echoPath(job.endpoint.dialect), job.endpoint.dialect, onMessage),
  );

  let sent = 0;
  let next = 0;
  let measuredKind = false;
  const startedAt = performance.now();
  const ticker = setInterval(() => {
    const due = Math.floor(((performance.now() - startedAt) * job.rate) / 1000) - sent;
    for (let i = 0; i < due; i++) {
      const index = next;
      next = (next + 1) % clients.length;
      clients[index]!.send(encodePayload(measuredKind ? 'e' : 'f', index, sent + i, job.payloadBytes));
    }
    sent += Math.max(0, due);
    if (measuredKind) measuredSent += Math.max(0, due);
  }, TICK_MS);

  const cpu = new CpuWindow(job.serverPids);
  try {
    await delay(job.warmupMs);
    measuredKind = true;
    measuring = true;
    cpu.start();
    await delay(job.durationMs);
    cpu.stop();
    measuring = false;
  } finally {
    clearInterval(ticker);
  }
  await waitUntil(() => measuredReceived >= measuredSent, DRAIN_TIMEOUT_MS, 'echo drain timed out').catch(
    () => undefined,
  );
  await Promise.all(clients.map((client) => client.close()));

  const [p50, p99, p999] = rtt.percentiles([50, 99, 99.9]);
  return {
    sentPerSec: (measuredSent / cpu.elapsedMs) * 1000,
    rttP50Ms: p50! / 1000,
    rttP99Ms: p99! / 1000,
    rttP999Ms: p999! / 1000,
    lost: measuredSent - measuredReceived,
    cpuUsPerMessage: cpu.totalCpu / receivedInWindow,
    serverCpuPercent: (cpu.totalCpu / (cpu.elapsedMs * 1000)) * 100,
    loadCpuPercent: cpu.selfCpuPercent,
  };
}
