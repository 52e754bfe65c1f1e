// The WebSocket close codes @arcade/ws sends, in one place (RFC 6455, section 7.4.1, and the IANA
// "WebSocket Close Code Number Registry"). Users see them on their clients, so they are part of the
// behaviour the README documents.

/** `close()` without a code ("Normal Closure"). */
export const CLOSE_NORMAL = 1000;
/** The server is shutting down ("Going Away"). */
export const CLOSE_GOING_AWAY = 1001;
/** A peer over the rate limit with `onExceed: 'close'` ("Policy Violation"). */
export const CLOSE_POLICY_VIOLATION = 1008;
/** An exception in the handler or `onConnect` ("Internal Error"). */
export const CLOSE_INTERNAL_ERROR = 1011;
/**
 * The server drains for a restart or a rolling deploy ("Service Restart"): clients reconnect at once,
 * to another instance.
 */
export const CLOSE_SERVICE_RESTART = 1012;
/** A consumer that reads too slowly, or sends too much before `listen()` ("Try Again Later"). */
export const CLOSE_SLOW_CONSUMER = 1013;
