import { performance } from 'node:perf_hooks';

/** What a message is for: `m` measured fan-out, `w` room-membership probe, `e`/`f` echo measured/warm-up. */
export type PayloadKind = 'm' | 'w' | 'e' | 'f';

/** A payload decoded in place (one object reused for every message). */
export interface DecodedPayload {
  kind: number;
  /** Room index (fan-out) or connection index (echo). */
  owner: number;
  seq: number;
  /** `nowMicros()` of the sender when it sent the message. */
  sentMicros: number;
}

/** Microseconds on this process's monotonic clock (senders and receivers share the process). */
export function nowMicros(): number {
  return Math.round(performance.now() * 1000);
}

let receivedMicros = 0;

/**
 * Notes the time of a socket read: every frame in one read arrived at that moment. Receivers take it
 * from {@link receivedAtMicros} rather than reading the clock per frame, which at a million frames a
 * second was a sizeable share of the load generator's CPU (and added the client's own parsing time
 * of the earlier frames of the read to the later ones' latency).
 */
export function markReceived(): void {
  receivedMicros = nowMicros();
}

/** `nowMicros()` at the last socket read ({@link markReceived}). */
export function receivedAtMicros(): number {
  return receivedMicros;
}

/** `kind,owner,seq,sentMicros,` padded with `x` to `size` bytes: ASCII that needs no JSON escaping. */
export function encodePayload(kind: PayloadKind, owner: number, seq: number, size: number): string {
  const head = `${kind},${owner},${seq},${nowMicros()},`;
  return head.length >= size ? head : head + 'x'.repeat(size - head.length);
}

export const KIND_MEASURED = 'm'.charCodeAt(0);
export const KIND_PROBE = 'w'.charCodeAt(0);
export const KIND_ECHO = 'e'.charCodeAt(0);
export const KIND_ECHO_WARMUP = 'f'.charCodeAt(0);

let cursor = 0;

/** Reads the decimal digits at `cursor` up to a comma and steps over the comma; -1 when malformed. */
function readField(buffer: Buffer, end: number): number {
  let value = 0;
  let digits = 0;
  while (cursor < end) {
    const byte = buffer[cursor++]!;
    if (byte === 0x2c /* , */) return digits > 0 ? value : -1;
    if (byte < 0x30 || byte > 0x39) return -1;
    value = value * 10 + (byte - 0x30);
    digits++;
  }
  return -1;
}

/** Decodes `buffer[start..end)` into `out`; returns false for anything that is not a bench payload. */
export function decodePayload(buffer: Buffer, start: number, end: number, out: DecodedPayload): boolean {
  if (end - start < 8 || buffer[start + 1] !== 0x2c /* , */) return false;
  cursor = start + 2;
  const owner = readField(buffer, end);
  const seq = readField(buffer, end);
  const sentMicros = readField(buffer, end);
  if (owner < 0 || seq < 0 || sentMicros < 0) return false;
  out.kind = buffer[start]!;
  out.owner = owner;
  out.seq = seq;
  out.sentMicros = sentMicros;
  return true;
}
