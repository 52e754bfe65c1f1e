import { ChatConfigError } from './chat-config-error';
import type { ChatFrameKind } from './chat-events';
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
  /** The protocol's joins and leaves: each may send a room one joined or left notice. @default 10 per 30 s */
  membership: RateBudget;
  /** `say` and `whisper`. @default 5 per 5 s */
  chat: RateBudget;
  /** `typing`, each relayed to a whole room. @default 20 per 10 s */
  typing: RateBudget;
  /** `listRooms`. @default 10 per 10 s */
  roomList: RateBudget;
  /** `roomView`: a room's members (one storage read each) and, when asked, its history. @default 20 per 30 s */
  roomView: RateBudget;
}

/** The budgets frames are counted against. */
export type FrameBudget = 'membership' | 'chat' | 'typing' | 'roomList' | 'roomView';

/** Every budget of a client address: its frames', and its connections'. */
export type ClientBudget = FrameBudget | 'connect' | 'openConnections';

/**
 * The budget of every frame kind a client may send to the chat (each `toServer` name of the events
 * map, and the protocol's `join` and `leave`): a new kind must be given one here, or the compiler
 * refuses it, so no kind is ever unlimited. (The protocol's `ping` reaches no chat code: see the
 * README, "Limits per client".)
 */
export const FRAME_BUDGETS: Readonly<Record<ChatFrameKind, FrameBudget>> = {
  join: 'membership',
  leave: 'membership',
  say: 'chat',
  whisper: 'chat',
  typing: 'typing',
  listRooms: 'roomList',
  roomView: 'roomView',
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
  roomView: { messages: 20, perMs: 30_000 },
});

const REFUSALS: Readonly<Record<ClientBudget, string>> = {
  connect: 'Too many new connections from your address',
  openConnections: 'Too many open connections from your address: close one first',
  membership: 'You are joining and leaving rooms too fast',
  chat: 'You are sending messages too fast',
  typing: 'Too many typing notices',
  roomList: 'You are asking for the room list too often',
  roomView: 'You are asking for the members of your room too often',
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
    roomView: budget('roomView', merged.roomView),
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
  /** Refusals since the start, per budget: read by the metrics at each scrape (src/operations.ts). */
  private readonly refused: Record<ClientBudget, number> = {
    connect: 0,
    openConnections: 0,
    membership: 0,
    chat: 0,
    typing: 0,
    roomList: 0,
    roomView: 0,
  };

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
      roomView: new RateLimiter(options.roomView, now),
    };
  }

  /** Counts one frame of `kind` from `key` if its budget has room for it. */
  takeFrame(kind: ChatFrameKind, key: string): RateDecision {
    const budget = FRAME_BUDGETS[kind];
    const decision = this.windows[budget].take(key);
    if (!decision.allowed) this.refused[budget] += 1;
    return decision;
  }

  /** How many frames and connections each budget has refused since the start. */
  refusals(): Readonly<Record<ClientBudget, number>> {
    return this.refused;
  }

  /**
   * Admits a new connection from `key` if the address is under both connection budgets. An admitted
   * connection holds an open slot until `release()` (idempotent) is called when it closes.
   */
  admitConnection(key: string): ConnectionAdmission {
    const open = this.open.get(key) ?? 0;
    if (open >= this.options.openConnections) {
      this.refused.openConnections += 1;
      return { admitted: false, budget: 'openConnections' };
    }
    const decision = this.windows.connect.take(key);
    if (!decision.allowed) {
      this.refused.connect += 1;
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
