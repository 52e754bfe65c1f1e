import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { RequestContext } from '@arcade/core';

/** What the before hooks decided for the 101 response of one upgrade. */
export interface HandshakeResponse {
  /** The subprotocol a before hook set with `responseHeaders.set('sec-websocket-protocol', p)`. */
  readonly protocol: string | undefined;
  /** `Name: value` lines added to the 101 response. */
  readonly headerLines: readonly string[];
}

// ws writes these itself (or they make no sense on a 101): a before hook cannot override them.
const RESERVED_HEADERS = new Set([
  'connection',
  'upgrade',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'content-length',
  'transfer-encoding',
]);

/**
 * Reads the response headers recorded by the before hooks: the subprotocol (first value when set
 * several times) and every other header, validated like Node validates response headers. An invalid
 * header is reported and left out rather than written raw to the socket.
 * @returns undefined when the 101 response needs nothing from the hooks (no subprotocol, no header).
 */
export function handshakeResponseOf(
  ctx: RequestContext,
  reportInvalid: (name: string, error: unknown) => void,
): HandshakeResponse | undefined {
  let protocol: string | undefined;
  const headerLines: string[] = [];
  for (const [name, value] of ctx.responseHeaders.entries()) {
    const values = Array.isArray(value) ? value : [value];
    if (name === 'sec-websocket-protocol') {
      protocol = values[0]?.trim() || undefined;
      continue;
    }
    if (RESERVED_HEADERS.has(name)) continue;
    try {
      validateHeaderName(name);
      for (const item of values) validateHeaderValue(name, item);
    } catch (error) {
      reportInvalid(name, error);
      continue;
    }
    for (const item of values) headerLines.push(`${name}: ${item}`);
  }
  return protocol === undefined && headerLines.length === 0 ? undefined : { protocol, headerLines };
}
