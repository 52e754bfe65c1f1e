import type { AfterHook, BeforeHook, RouteHandler, UpgradeHandler } from './hooks';
import type { Logger } from './logger';
import type { RequestContext } from './request-context';
import { type PatternSegment, Trie, type TrieMatch, type TrieNode } from './router/trie';

/** One registered route, as the dispatcher runs it. */
export interface RouteRecord {
  /** Upper-case method, or `'ANY'`. */
  readonly method: string;
  readonly pattern: string;
  readonly paramNames: readonly string[];
  /** Group hooks (outer to inner), then the route's own. Global hooks are added at dispatch. */
  readonly before: readonly BeforeHook[];
  readonly after: AfterHook[];
  readonly handler?: RouteHandler;
  readonly upgrade?: UpgradeHandler<RequestContext>;
  readonly bodyLimit: number | undefined;
}

const ANY = 'ANY';
const upgradeKey = (method: string): string => `UPGRADE ${method}`;

/** The routes and app-wide hooks of one app. */
export class RouteTable {
  readonly trie = new Trie<RouteRecord>();
  readonly globalBefore: BeforeHook[] = [];
  readonly globalAfter: AfterHook[] = [];
  notFound: RouteHandler | undefined;

  constructor(private readonly logger: () => Logger) {}

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
   * an upgrade route (which answers 426).
   */
  matchHttp(
    method: string,
    segments: readonly string[],
    visit?: (node: TrieNode<RouteRecord>) => void,
  ): TrieMatch<RouteRecord> | undefined {
    return this.trie.match(
      segments,
      (entries) =>
        entries.get(method) ??
        (method === 'HEAD' ? entries.get('GET') : undefined) ??
        entries.get(ANY) ??
        entries.get(upgradeKey(method)) ??
        entries.get(upgradeKey(ANY)),
      visit,
    );
  }

  /** The upgrade route an HTTP upgrade request runs. */
  matchUpgrade(method: string, segments: readonly string[]): TrieMatch<RouteRecord> | undefined {
    return this.trie.match(
      segments,
      (entries) => entries.get(upgradeKey(method)) ?? entries.get(upgradeKey(ANY)),
    );
  }
}
