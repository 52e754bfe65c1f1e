import type { WebSocket } from 'ws';
import type { HeartbeatOptions } from './options';

/**
 * Pings the peer every `intervalMs`; a peer that has not answered a ping with a pong within
 * `timeoutMs` is terminated (socket destroyed, no closing handshake: a dead peer would not answer it).
 * Returns a function that stops the timers; it must be called when the socket closes.
 */
export function startHeartbeat(ws: WebSocket, options: HeartbeatOptions): () => void {
  let timer: NodeJS.Timeout | undefined;

  const schedulePing = (): void => {
    timer = setTimeout(ping, options.intervalMs);
    timer.unref();
  };
  const ping = (): void => {
    if (ws.readyState !== ws.OPEN) return;
    ws.ping();
    timer = setTimeout(() => ws.terminate(), options.timeoutMs);
    timer.unref();
  };
  const onPong = (): void => {
    clearTimeout(timer);
    schedulePing();
  };

  ws.on('pong', onPong);
  schedulePing();
  return () => {
    clearTimeout(timer);
    ws.off('pong', onPong);
  };
}
