import type { AfterHook, BeforeHook, RouteHandler, UpgradeHandler } from './hooks';
import type { Logger } from './logger';
import type { RequestContext, RouteInfo } from './request-context';
import { type PatternSegment, Trie, type TrieMatch, type TrieNode } from './router/trie';

/** One registered route, as the dispatcher runs it. */
export interface RouteRecord {
  /** Upper-case method, or `'ANY'`. */
  readonly method: string;
  readonly pattern: string;
  readonly paramNames: readonly string[];
  /** What `ctx.route` reports, built once for every request of the route. */
  readonly route: RouteInfo;
  /** Group hooks (outer to inner), then the route's own. Global hooks are added by {@link RouteTable.hooksOf}. */
  readonly before: readonly BeforeHook[];
  readonly after: AfterHook[];
  readonly handler?: RouteHandler;
  readonly upgrade?: UpgradeHandler<RequestContext>;
  readonly bodyLimit: number | undefined;
  /** The global hooks followed by the route's, composed on first dispatch; reset when a hook is added. */
  composed: ComposedHooks | undefined;
}

/** Every hook a request of one route runs, in order. */
export interface ComposedHooks {
  readonly before: readonly BeforeHook[];
  readonly after: readonly AfterHook[];
  /** The table's hook version these lists were composed at. */
  readonly version: number;
}

type Select = (entries: ReadonlyMap<string, RouteRecord>) => RouteRecord | undefined;

const ANY = 'ANY';
const upgradeKey = (method: string): string => `UPGRADE ${method}`;

/** The routes and app-wide hooks of one app. */
export class RouteTable {
  readonly trie = new Trie<RouteRecord>();
  readonly #globalBefore: BeforeHook[] = [];
  readonly #globalAfter: AfterHook[] = [];
  /** Bumped whenever a global hook is added, so that every route composes its hooks again. */
  #hooksVersion = 0;
  /** One selector per request method, made once instead of one closure per request. */
  readonly #httpSelectors = new Map<string, Select>();
  readonly #upgradeSelectors = new Map<string, Select>();
  notFound: RouteHandler | undefined;

  constructor(private readonly logger: () => Logger) {}

  /** The app-wide before hooks, in registration order. */
  get globalBefore(): readonly BeforeHook[] {
    return this.#globalBefore;
  }

  /** The app-wide after hooks, in registration order. */
  get globalAfter(): readonly AfterHook[] {
    return this.#globalAfter;
  }

  /** Adds an app-wide before hook (it runs before every route's own). */
  addGlobalBefore(hook: BeforeHook): void {
    this.#globalBefore.push(hook);
    this.#hooksVersion++;
  }

  /** Adds an app-wide after hook (it runs before every route's own). */
  addGlobalAfter(hook: AfterHook): void {
    this.#globalAfter.push(hook);
    this.#hooksVersion++;
  }

  /**
   * The global hooks followed by the route's, composed once per route rather than copied for every
   * request; composed again after a hook was added.
   */
  hooksOf(record: RouteRecord): ComposedHooks {
    const cached = record.composed;
    if (cached !== undefined && cached.version === this.#hooksVersion) return cached;
    const composed: ComposedHooks = {
      before: [...this.#globalBefore, ...record.before],
      after: [...this.#globalAfter, ...record.after],
      version: this.#hooksVersion,
    };
    record.composed = composed;
    return composed;
  }

  /** Registers a route; a second registration of the same method and pattern replaces the first. */
  add(segments: readonly PatternSegment[], record: RouteRecord): void {
    const node = this.trie.nodeFor(segments);
    const key = record.upgrade === undefined ? record.method : upgradeKey(record.method);
    if (node.entries.has(key)) {
      this.logger().warn('A route was registered twice; the later registration replaces the earlier', {
        method: record.method,
        path: record.pattern,
      });
    }
    node.entries.set(key, record);
  }

  /**
   * The route a plain HTTP request runs: its method's route, else GET's for HEAD, else `any`'s, else
   * an upgrade route (which answers 426; a HEAD request finds GET's upgrade route too).
   */
  matchHttp(
    method: string,
    segments: readonly string[],
    visit?: (node: TrieNode<RouteRecord>) => void,
  ): TrieMatch<RouteRecord> | undefined {
    let select = this.#httpSelectors.get(method);
    if (select === undefined) {
      const key = method;
      select = (entries) =>
        entries.get(key) ??
        (key === 'HEAD' ? entries.get('GET') : undefined) ??
        entries.get(ANY) ??
        entries.get(upgradeKey(key)) ??
        (key === 'HEAD' ? entries.get(upgradeKey('GET')) : undefined) ??
        entries.get(upgradeKey(ANY));
      this.#httpSelectors.set(method, select);
    }
    return this.trie.match(segments, select, visit);
  }

  /** The upgrade route an HTTP upgrade request runs. */
  matchUpgrade(method: string, segments: readonly string[]): TrieMatch<RouteRecord> | undefined {
    let select = this.#upgradeSelectors.get(method);
    if (select === undefined) {
      const key = upgradeKey(method);
      select = (entries) => entries.get(key) ?? entries.get(upgradeKey(ANY));
      this.#upgradeSelectors.set(method, select);
    }
    return this.trie.match(segments, select);
  }
}
