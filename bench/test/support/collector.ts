import type { MessageListener } from '../../src/load/bench-client';

/** A `BenchClient` listener that keeps every payload it is handed, as text. */
export function collector(): { texts: string[]; listener: MessageListener } {
  const texts: string[] = [];
  return { texts, listener: (buffer, start, end) => texts.push(buffer.toString('latin1', start, end)) };
}
