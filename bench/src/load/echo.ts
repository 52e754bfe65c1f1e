import { cpuMicros, threadCpuMicros } from '../proc-stats';
import type { EchoJob, EchoServer, Metrics } from '../protocol';
import { echoPath, roomPath } from '../protocol';
import { Samples } from '../stats';
import { BenchClient } from './bench-client';
import { CpuWindow } from './cpu-window';
import { measureInTurns } from './interleave';
import {
  type DecodedPayload,
  decodePayload,
  encodePayload,
  KIND_ECHO,
  type PayloadKind,
  receivedAtMicros,
} from './payload';
import { delay, mapLimited, waitUntil } from './pool';

const TICK_MS = 2;
const DRAIN_TIMEOUT_MS = 3_000;
/** A slice's last replies are due within milliseconds, and the drain is inside the slice's CPU window. */
const DRAIN_POLL_MS = 1;

/** One server of the job, with its own clients and counters: a reply counts for the server it came from. */
interface EchoTarget {
  clients: BenchClient[];
  /** Next client to send on (round-robin). */
  next: number;
  /** Every message sent and reply received, warm-up included: what a drain waits for. */
  sent: number;
  received: number;
  /** Replies a drain stopped waiting for (they count as lost): later drains do not wait for them again. */
  givenUp: number;
  measuredSent: number;
  measuredReceived: number;
  /** Wall time of the measured sending, ms (the CPU window also holds the drains). */
  sendingMs: number;
  rtt: Samples;
  /** The server's CPU first, then its side processes' (redis-server, read to the nanosecond). */
  cpu: CpuWindow;
}

const decoded: DecodedPayload = { kind: 0, owner: 0, seq: 0, sentMicros: 0 };

async function connect(server: EchoServer, job: EchoJob): Promise<EchoTarget> {
  const sidePids = server.sidePids ?? [];
  const target: EchoTarget = {
    clients: [],
    next: 0,
    sent: 0,
    received: 0,
    givenUp: 0,
    measuredSent: 0,
    measuredReceived: 0,
    sendingMs: 0,
    rtt: new Samples(),
    cpu: new CpuWindow([server.pid, ...sidePids], (pid) =>
      pid === server.pid ? cpuMicros(pid) : threadCpuMicros(pid),
    ),
  };
  const onMessage = (buffer: Buffer, start: number, end: number): void => {
    if (!decodePayload(buffer, start, end, decoded)) return;
    target.received++;
    if (decoded.kind !== KIND_ECHO) return;
    target.measuredReceived++;
    target.rtt.add(receivedAtMicros() - decoded.sentMicros);
  };
  // On the room route, each connection is alone in a room of its own: the broadcast is the echo.
  const path = (index: number): string =>
    job.route === 'echo' ? echoPath(server.dialect) : roomPath(server.dialect, `echo-${index}`);
  target.clients = await mapLimited(job.connections, job.connectConcurrency, (index) =>
    BenchClient.open(server.port, path(index), server.dialect, onMessage),
  );
  return target;
}

/**
 * Sends on `target`'s clients at the job's total rate for `ms`, round-robin over them, open loop (on a
 * clock, not on replies). A last tick at the end makes the count match the elapsed time exactly.
 */
async function send(target: EchoTarget, kind: PayloadKind, ms: number, job: EchoJob): Promise<void> {
  let sent = 0;
  const startedAt = performance.now();
  const tick = (): number => {
    const now = performance.now();
    const due = Math.max(0, Math.floor(((now - startedAt) * job.rate) / 1000) - sent);
    for (let i = 0; i < due; i++) {
      const index = target.next;
      target.next = (index + 1) % target.clients.length;
      const payload = encodePayload(kind, index, target.sent + i, job.payloadBytes);
      // The echo route answers on the connection (an events target: a request); the room route broadcasts.
      if (job.route === 'echo') target.clients[index]!.request(payload);
      else target.clients[index]!.send(payload);
    }
    sent += due;
    target.sent += due;
    if (kind === 'e') target.measuredSent += due;
    return now;
  };
  const ticker = setInterval(tick, TICK_MS);
  await delay(ms);
  clearInterval(ticker);
  const endedAt = tick();
  if (kind === 'e') target.sendingMs += endedAt - startedAt;
}

/** Waits, for a bounded time, until every reply `target` is owed has come back. */
async function drain(target: EchoTarget): Promise<void> {
  await waitUntil(
    () => target.received + target.givenUp >= target.sent,
    DRAIN_TIMEOUT_MS,
    'echo drain timed out',
    DRAIN_POLL_MS,
  ).catch(() => {
    target.givenUp = target.sent - target.received;
  });
}

function metricsOf({ measuredSent, measuredReceived, sendingMs, rtt, cpu }: EchoTarget): Metrics {
  const [p50, p99, p999] = rtt.percentiles([50, 99, 99.9]);
  const [serverCpu = 0, ...sideCpu] = cpu.cpu;
  const side: Metrics =
    sideCpu.length === 0
      ? {}
      : { redisCpuUsPerMessage: sideCpu.reduce((a, b) => a + b, 0) / measuredReceived };
  return {
    sentPerSec: (measuredSent / sendingMs) * 1000,
    rttP50Ms: p50! / 1000,
    rttP99Ms: p99! / 1000,
    rttP999Ms: p999! / 1000,
    lost: measuredSent - measuredReceived,
    cpuUsPerMessage: serverCpu / measuredReceived,
    serverCpuPercent: (serverCpu / (cpu.elapsedMs * 1000)) * 100,
    loadCpuPercent: cpu.selfCpuPercent,
    ...side,
  };
}

/**
 * Echo: `connections` clients per server of the job, connected server by server. Each server is warmed
 * up in turn (kind `f`, unmeasured), then the servers take turns in interleaved slices
 * (`measureInTurns`) of `durationMs / slices`: only the turn's clients send, the others stay idle.
 * Each reply's round trip is measured from the send time it carries. A slice's CPU window closes once
 * its replies are in, so it holds the server's work for exactly the replies counted, and the next
 * server's slice starts on a quiet machine. One set of metrics per server, in the job's order.
 */
export async function runEcho(job: EchoJob): Promise<Metrics[]> {
  const targets: EchoTarget[] = [];
  try {
    for (const server of job.servers) targets.push(await connect(server, job));
    const sendAndDrain = (kind: PayloadKind, ms: number) => async (target: EchoTarget) => {
      await send(target, kind, ms, job);
      await drain(target);
    };
    await measureInTurns(
      targets,
      job.slices,
      sendAndDrain('f', job.warmupMs),
      sendAndDrain('e', job.durationMs / job.slices),
    );
  } finally {
    await Promise.all(targets.flatMap((target) => target.clients.map((client) => client.close())));
  }
  return targets.map(metricsOf);
}
