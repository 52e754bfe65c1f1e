// The run-time constants of the events protocol the client needs (the wire format is
// packages/arcade-ws/docs/events-protocol.md). They are declared here, not imported, so that the
// client loads nothing at run time; each is typed by the server's own constant, so the compiler
// rejects a value that drifts from what @arcade/ws sends.
import type * as Protocol from '@arcade/ws/protocol';

/** The WebSocket subprotocol the client offers (and requires the server to accept). */
export const EVENTS_SUBPROTOCOL: typeof Protocol.EVENTS_SUBPROTOCOL = 'arcade.events.v1';

/** The close codes of the protocol, by name (the table of docs/events-protocol.md, "Close codes"). */
export const EVENTS_CLOSE_CODES: typeof Protocol.EVENTS_CLOSE_CODES = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  INVALID_FRAME_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  UNAUTHORIZED: 4401,
  FORBIDDEN: 4403,
};

const REFUSED_MIN: typeof Protocol.REFUSED_CLOSE_CODE_MIN = 4400;
const REFUSED_MAX: typeof Protocol.REFUSED_CLOSE_CODE_MAX = 4499;

const STORAGE_UNAVAILABLE: typeof Protocol.EVENT_ERROR_CODES.STORAGE_UNAVAILABLE = 'STORAGE_UNAVAILABLE';
const RATE_LIMITED: typeof Protocol.EVENT_ERROR_CODES.RATE_LIMITED = 'RATE_LIMITED';

/**
 * Whether a join or leave refused with `code` is worth trying again on the same connection: the
 * server's storage did not answer, or its rate limit dropped the frame. Every other refusal is final.
 */
export function isTransientRefusal(code: string): boolean {
  return code === STORAGE_UNAVAILABLE || code === RATE_LIMITED;
}

const TERMINAL_CODES: ReadonlySet<number> = new Set([
  EVENTS_CLOSE_CODES.NORMAL,
  EVENTS_CLOSE_CODES.PROTOCOL_ERROR,
  EVENTS_CLOSE_CODES.UNSUPPORTED_DATA,
  EVENTS_CLOSE_CODES.INVALID_FRAME_PAYLOAD,
  EVENTS_CLOSE_CODES.POLICY_VIOLATION,
  EVENTS_CLOSE_CODES.MESSAGE_TOO_BIG,
]);

/** What the client does after the server closed the connection with `code`. */
export type CloseAction = 'stop' | 'reconnect-now' | 'backoff';

/**
 * The rule of docs/events-protocol.md, "Close codes": 1000, the policy/protocol codes and every
 * `onConnect` refusal (4400-4499) stop the client; 1012 (a drain) reconnects at once; anything else,
 * 1005/1006 (no close frame) included, reconnects with backoff.
 */
export function closeAction(code: number): CloseAction {
  if (TERMINAL_CODES.has(code) || (code >= REFUSED_MIN && code <= REFUSED_MAX)) return 'stop';
  if (code === EVENTS_CLOSE_CODES.SERVICE_RESTART) return 'reconnect-now';
  return 'backoff';
}
