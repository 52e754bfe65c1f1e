import { threadCpuMicros } from '../proc-stats';
import type { FanoutJob, Metrics } from '../protocol';
import { roomPath } from '../protocol';
import { Samples } from '../stats';
import { BenchClient } from './bench-client';
import { CpuWindow, peakRssMiB } from './cpu-window';
import {
  type DecodedPayload,
  decodePayload,
  encodePayload,
  KIND_MEASURED,
  KIND_PROBE,
  nowMicros,
  receivedAtMicros,
} from './payload';
import { delay, mapLimited, waitUntil } from './pool';

/** A message not delivered to every member after this long is counted lost and frees its window slot. */
const LOSS_TIMEOUT_MICROS = 2_000_000;
const PROBE_INTERVAL_MS = 100;
const JOIN_TIMEOUT_MS = 20_000;
const DRAIN_TIMEOUT_MS = 3_000;

interface InFlight {
  delivered: number;
  sentMicros: number;
  measured: boolean;
}

type Phase = 'joining' | 'warmup' | 'measure' | 'drain';

/**
 * Fan-out: `rooms` rooms of `membersPerRoom` clients; member 0 of each room publishes, keeping at most
 * `window` messages that have not yet reached every member. Members are spread round-robin over the
 * endpoints (the cluster scenario gives two), shifted per room so publishers are spread too.
 */
export async function runFanout(job: FanoutJob): Promise<Metrics> {
  const { rooms, membersPerRoom: members, window, payloadBytes } = job;
  const inFlight = Array.from({ length: rooms }, () => new Map<number, InFlight>());
  const nextSeq = new Array<number>(rooms).fill(0);
  const probed = Array.from({ length: rooms }, () => new Set<number>());
  const latency = new Samples();
  const decoded: DecodedPayload = { kind: 0, owner: 0, seq: 0, sentMicros: 0 };
  let phase: Phase = 'joining';
  let delivered = 0;
  let lostDeliveries = 0;
  let measuredMessages = 0;
  const publishers: BenchClient[] = [];

  const publish = (room: number): void => {
    const queue = inFlight[room]!;
    const publisher = publishers[room]!;
    while (queue.size < window && (phase === 'warmup' || phase === 'measure') && publisher.isOpen) {
      const seq = nextSeq[room]!;
      nextSeq[room] = seq + 1;
      const measured = phase === 'measure';
      if (measured) measuredMessages++;
      queue.set(seq, { delivered: 0, sentMicros: nowMicros(), measured });
      publisher.send(encodePayload('m', room, seq, payloadBytes));
    }
  };

  const listenerFor =
    (room: number, member: number) =>
    (buffer: Buffer, start: number, end: number): void => {
      if (!decodePayload(buffer, start, end, decoded)) return;
      if (decoded.kind === KIND_PROBE) {
        probed[room]!.add(member);
        return;
      }
      if (decoded.kind !== KIND_MEASURED) return;
      const now = receivedAtMicros();
      if (phase === 'measure') {
        delivered++;
        latency.add(now - decoded.sentMicros);
      }
      const queue = inFlight[decoded.owner];
      const entry = queue?.get(decoded.seq);
      if (queue === undefined || entry === undefined) return;
      entry.delivered++;
      if (entry.delivered >= members) {
        queue.delete(decoded.seq);
        publish(decoded.owner);
      }
    };

  const clients = await mapLimited(rooms * members, job.connectConcurrency, (index) => {
    const room = Math.floor(index / members);
    const member = index % members;
    const endpoint = job.endpoints[(member + room) % job.endpoints.length]!;
    return BenchClient.open(
      endpoint.port,
      roomPath(endpoint.dialect, `room-${room}`),
      endpoint.dialect,
      listenerFor(room, member),
    );
  });
  for (let room = 0; room < rooms; room++) publishers.push(clients[room * members]!);

  // Joining a room may finish after the upgrade: probe until every member has seen a message of its room.
  const probeTimer = setInterval(() => {
    for (let room = 0; room < rooms; room++) {
      if (probed[room]!.size < members) publishers[room]!.send(encodePayload('w', room, 0, payloadBytes));
    }
  }, PROBE_INTERVAL_MS);
  try {
    await waitUntil(
      () => probed.every((seen) => seen.size >= members),
      JOIN_TIMEOUT_MS,
      'members never all received a message of their room',
    );
  } finally {
    clearInterval(probeTimer);
  }

  const expiry = setInterval(() => {
    const now = nowMicros();
    for (let room = 0; room < rooms; room++) {
      for (const [seq, entry] of inFlight[room]!) {
        if (now - entry.sentMicros < LOSS_TIMEOUT_MICROS) continue;
        if (entry.measured) lostDeliveries += members - entry.delivered;
        inFlight[room]!.delete(seq);
      }
      publish(room);
    }
  }, 200);

  const cpu = new CpuWindow(job.serverPids);
  // redis-server's CPU per window is a few 10 ms ticks of /proc/<pid>/stat: read it to the nanosecond.
  const sideCpu = new CpuWindow(job.sidePids, threadCpuMicros);
  try {
    phase = 'warmup';
    for (let room = 0; room < rooms; room++) publish(room);
    await delay(job.warmupMs);
    phase = 'measure';
    sideCpu.start();
    cpu.start();
    await delay(job.durationMs);
    cpu.stop();
    sideCpu.stop();
    phase = 'drain';
    await waitUntil(
      () => inFlight.every((queue) => queue.size === 0),
      DRAIN_TIMEOUT_MS,
      'drain timed out',
    ).catch(() => undefined);
  } finally {
    clearInterval(expiry);
  }
  for (const queue of inFlight) {
    for (const entry of queue.values()) if (entry.measured) lostDeliveries += members - entry.delivered;
  }
  const peakRss = peakRssMiB(job.serverPids);
  await Promise.all(clients.map((client) => client.close()));

  const serverCpu = cpu.totalCpu;
  const [p50, p99] = latency.percentiles([50, 99]);
  // With several side processes (a Redis Cluster's nodes), each one's share too, in `sidePids` order.
  const perSide: Metrics = {};
  if (job.sidePids.length > 1) {
    for (const [i, micros] of sideCpu.cpu.entries()) perSide[`side${i}CpuUsPerDelivery`] = micros / delivered;
  }
  return {
    deliveredPerSec: (delivered / cpu.elapsedMs) * 1000,
    p50Ms: p50! / 1000,
    p99Ms: p99! / 1000,
    lostDeliveries,
    measuredMessages,
    cpuUsPerDelivery: serverCpu / delivered,
    redisCpuUsPerDelivery: job.sidePids.length > 0 ? sideCpu.totalCpu / delivered : Number.NaN,
    serverCpuPercent: (serverCpu / (cpu.elapsedMs * 1000)) * 100,
    peakRssMiB: peakRss,
    loadCpuPercent: cpu.selfCpuPercent,
    ...perSide,
  };
}
