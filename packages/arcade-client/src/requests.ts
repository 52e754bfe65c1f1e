// Requests (README, "Requests"): a `req` frame and the promise of its reply, which always settles: with
// the reply, the server's refusal, the loss of the socket it went out on, the client's close, or its
// timeout (time spent in the offline queue included).
import { checkName, encodeCall } from './arguments.js';
import type { Connection } from './connection.js';
import {
  ClientClosedError,
  ConnectionLostError,
  QueueFullError,
  RequestTimeoutError,
  ServerError,
} from './errors.js';
import type { QueuedFrame } from './offline-queue.js';
import type { ResolvedOptions } from './options.js';
import type { PendingCalls } from './pending-calls.js';
import type { SendPath } from './send-path.js';

export class Requests {
  constructor(
    private readonly options: Pick<ResolvedOptions, 'queueSize'>,
    private readonly connection: Pick<Connection, 'live' | 'isClosed'>,
    private readonly calls: PendingCalls,
    private readonly sendPath: SendPath,
  ) {}

  /** Sends request `event`, written now or queued, and resolves its reply; `timeoutMs` bounds the wait. */
  request(timeoutMs: number, event: string, payload: unknown[]): Promise<never> {
    const operation = `request "${String(event)}"`;
    const id = this.calls.newId();
    let text: string;
    try {
      checkName('request(event)', event);
      text = encodeCall('req', event, payload, id);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.connection.isClosed) return Promise.reject(new ClientClosedError(operation));
    return new Promise<never>((resolve, reject) => {
      let queued: QueuedFrame | undefined;
      const socket = this.sendPath.writable();
      this.calls.add(
        id,
        socket,
        {
          result: (data) => resolve(data as never),
          refused: (reply) =>
            reject(new ServerError(reply.code, reply.message, { event, issues: reply.issues })),
          lost: () => reject(new ConnectionLostError(operation)),
          closed: () => reject(new ClientClosedError(operation)),
          timedOut: () => {
            if (queued) this.sendPath.remove(queued);
            reject(new RequestTimeoutError(operation, timeoutMs));
          },
        },
        timeoutMs,
      );
      if (socket) {
        socket.send(text);
        return;
      }
      queued = {
        text,
        onWritten: () => {
          queued = undefined;
          const live = this.connection.live;
          if (live) this.calls.written(id, live);
        },
      };
      if (!this.sendPath.enqueue(queued)) {
        this.calls.drop(id);
        reject(new QueueFullError(operation, this.options.queueSize));
      }
    });
  }
}
