import type { LocalConnection } from './local-connection';
import type { EncodedMessage } from './message';
import { PreparedFrame } from './prepared-frame';

/** Frames `payload` and queues it on one connection; false when the connection could not take it. */
export function deliver(connection: LocalConnection, payload: EncodedMessage): boolean {
  return connection.send(PreparedFrame.from(payload));
}

/**
 * Queues `payload` on each connection but the excluded ones, framed once for all of them (guarantee
 * 7 in docs/design.md: local fan-out frames a message once, not once per socket), and not at all
 * when no connection receives it.
 */
export function deliverToEach(
  connections: Iterable<LocalConnection>,
  payload: EncodedMessage,
  exclude: readonly string[] | undefined,
): void {
  const excluded = exclude?.length ? new Set(exclude) : undefined;
  let frame: PreparedFrame | undefined;
  for (const connection of connections) {
    if (excluded?.has(connection.id)) continue;
    frame ??= PreparedFrame.from(payload);
    connection.send(frame);
  }
}
