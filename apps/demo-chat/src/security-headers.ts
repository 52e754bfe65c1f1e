import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * The Content-Security-Policy of the page. Everything comes from the server itself: `app.js` and
 * `style.css` as files (the page has no inline script or style, and `app.js` evaluates no string),
 * the WebSocket and `/api/rooms` on the page's own host (`'self'` covers ws: and wss: there). No
 * plugin, no `<base>` to re-point relative URLs, forms post nowhere else, and no site may frame the
 * page (clickjacking: `frame-ancestors`, with `X-Frame-Options` for browsers older than CSP 2).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every HTTP answer of the chat: the page, its files, the API and error answers. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  // Browsers must not run or style a file as another type than the one sent.
  'x-content-type-options': 'nosniff',
  // The chat links nowhere that needs to know which page a visitor came from.
  'referrer-policy': 'no-referrer',
});

function addSecurityHeaders(_request: IncomingMessage, response: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
}

/**
 * Makes `server` send {@link SECURITY_HEADERS} on every response. The listener runs before the
 * app's own (it is prepended), so the headers are set before any route, static file or error answer
 * writes its head; a route may still replace one with its own value.
 */
export function sendSecurityHeaders(server: Server): void {
  if (server.listeners('request').includes(addSecurityHeaders)) return;
  server.prependListener('request', addSecurityHeaders);
}
