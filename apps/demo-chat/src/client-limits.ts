import { ChatConfigError } from './chat-config-error';
import type { ClientMessageType } from './protocol';
import { DEFAULT_MESSAGE_RATE_LIMIT, type RateBudget, type RateDecision, RateLimiter } from './rate-limiter';

/**
 * What one client address may do, counted per address (see `rateLimitKey`) and not per connection,
 * so opening more connections gives a client no more of anything. Each instance counts on its own.
 */
export interface ClientLimitOptions {
  /** New WebSocket connections; beyond it the upgrade is answered 429. @default 20 per 60 s */
  connect: RateBudget;
  /** WebSocket connections open at once; beyond it the upgrade is answered 429. @default 20 */
  openConnections: number;
  /** `join` and `leave` frames: each may send a room one joined or left notice. @default 10 per 30 s */
  membership: RateBudget;
  /** `message` and `private` frames. @default 5 per 5 s */
  chat: RateBudget;
  /** `typing` frames, each relayed to a whole room. @default 20 per 10 s */
  typing: RateBudget;
  /** `list_rooms` frames. @default 10 per 10 s */
  roomList: RateBudget;
}

/** The budgets frames are counted against. */
export type FrameBudget = 'membership' | 'chat' | 'typing' | 'roomList';

/**
 * The budget of every frame type a client may send: a new type must be given one here, or the
 * compiler refuses it, so no frame type is ever unlimited.
 */
export const FRAME_BUDGETS: Readonly<Record<ClientMessageType, FrameBudget>> = {
  join: 'membership',
  leave: 'membership',
  message: 'chat',
  private: 'chat',
  typing: 'typing',
  list_rooms: 'roomList',
};

/**
 * Generous for a person on the page (it sends `typing` at most every 2 s and a stop after each line,
 * so 10 lines in 10 s need 20) and small next to what a script sends: the transport alone lets
 * 100 frames a second through per connection.
 */
export const DEFAULT_CLIENT_LIMITS: Readonly<ClientLimitOptions> = Object.freeze({
  connect: { messages: 20, perMs: 60_000 },
  openConnections: 20,
  membership: { messages: 10, perMs: 30_000 },
  chat: DEFAULT_MESSAGE_RATE_LIMIT,
  typing: { messages: 20, perMs: 10_000 },
  roomList: { messages: 10, perMs: 10_000 },
});

const REFUSALS: Readonly<Record<FrameBudget | 'connect' | 'openConnections', string>> = {
  connect: 'Too many new connections from your address',
  openConnections: 'Too many open connections from your address: close one first',
  membership: 'You are joining and leaving rooms too fast',
  chat: 'You are sending messages too fast',
  typing: 'Too many typing notices',
  roomList: 'You are asking for the room list too often',
};

/** The sentence a refused client reads: what it did too much of, and how long to wait. */
export function refusalMessage(budget: keyof typeof REFUSALS, retryAfterMs?: number): string {
  if (retryAfterMs === undefined) return `${REFUSALS[budget]}.`;
  return `${REFUSALS[budget]}: wait ${Math.ceil(retryAfterMs / 1000)} s and try again.`;
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ChatConfigError(`clientLimits.${name} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}

function budget(name: string, value: RateBudget): RateBudget {
  if (typeof value !== 'object' || value === null) {
    throw new ChatConfigError(
      `clientLimits.${name} must be { messages, perMs } with positive integers, got ${String(value)}.`,
    );
  }
  return {
    messages: positiveInteger(`${name}.messages`, value.messages),
    perMs: positiveInteger(`${name}.perMs`, value.perMs),
  };
}

/** `given` over the defaults, each value checked; throws {@link ChatConfigError} naming a bad one. */
export function resolveClientLimits(given: Partial<ClientLimitOptions> = {}): ClientLimitOptions {
  const merged = { ...DEFAULT_CLIENT_LIMITS, ...given };
  return {
    connect: budget('connect', merged.connect),
    openConnections: positiveInteger('openConnections', merged.openConnections),
    membership: budget('membership', merged.membership),
    chat: budget('chat', merged.chat),
    typing: budget('typing', merged.typing),
    roomList: budget('roomList', merged.roomList),
  };
}

/** The answer to a new connection: admitted with a `release` for when it closes, or refused. */
export type ConnectionAdmission =
  | { admitted: true; release: () => void }
  | { admitted: false; budget: 'connect'; retryAfterMs: number }
  | { admitted: false; budget: 'openConnections' };

/**
 * The budgets of every client address on this instance: one sliding window per budget and address
 * (the state of an idle address is dropped, see {@link RateLimiter}), and the count of open
 * connections per address (an address is dropped when its last connection closes).
 */
export class ClientLimits {
  private readonly windows: Readonly<Record<FrameBudget | 'connect', RateLimiter>>;
  private readonly open = new Map<string, number>();

  constructor(
    readonly options: ClientLimitOptions,
    now: () => number = Date.now,
  ) {
    this.windows = {
      connect: new RateLimiter(options.connect, now),
      membership: new RateLimiter(options.membership, now),
      chat: new RateLimiter(options.chat, now),
      typing: new RateLimiter(options.typing, now),
      roomList: new RateLimiter(options.roomList, now),
    };
  }

  /** Counts one frame of `type` from `key` if its budget has room for it. */
  takeFrame(type: ClientMessageType, key: string): RateDecision {
    return this.windows[FRAME_BUDGETS[type]].take(key);
  }

  /**
   * Admits a new connection from `key` if the address is under both connection budgets. An admitted
   * connection holds an open slot until `release()` (idempotent) is called when it closes.
   */
  admitConnection(key: string): ConnectionAdmission {
    const open = this.open.get(key) ?? 0;
    if (open >= this.options.openConnections) return { admitted: false, budget: 'openConnections' };
    const decision = this.windows.connect.take(key);
    if (!decision.allowed) {
      return { admitted: false, budget: 'connect', retryAfterMs: decision.retryAfterMs };
    }
    this.open.set(key, open + 1);
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.open.get(key) ?? 1) - 1;
        if (left > 0) this.open.set(key, left);
        else this.open.delete(key);
      },
    };
  }

  /** Connections of `key` admitted and not yet released. */
  openConnectionsOf(key: string): number {
    return this.open.get(key) ?? 0;
  }
}
