import type { AfterHook, BeforeHook } from './hooks';
import type { RouteRecord, RouteTable } from './route-table';
import { type PatternSegment, parsePattern } from './router/trie';

/** The path prefix and hooks a router gives each of its routes: none at the top, more in each group. */
export interface RouteScope {
  readonly prefix: readonly PatternSegment[];
  readonly before: readonly BeforeHook[];
  readonly after: readonly AfterHook[];
}

/** What a route chain accumulates until `handle` or `handleUpgrade` registers it (internal). */
export interface RouteDraft {
  readonly table: RouteTable;
  readonly method: string;
  /** The normalized pattern including the group prefix (`/api/users/:id`). */
  readonly pattern: string;
  readonly segments: readonly PatternSegment[];
  readonly groupBefore: readonly BeforeHook[];
  readonly groupAfter: readonly AfterHook[];
  readonly before: BeforeHook[];
  bodyLimit: number | undefined;
}

function renderPattern(segments: readonly PatternSegment[]): string {
  const parts = segments.map((segment) =>
    segment.kind === 'static' ? segment.text : segment.kind === 'param' ? `:${segment.name}` : '*',
  );
  return `/${parts.join('/')}`;
}

/**
 * The scope of a group defined in `scope`: its prefix and hooks come after the enclosing ones.
 * @throws Error when the prefix holds the wildcard `*`.
 */
export function nestedScope(
  scope: RouteScope,
  prefix: string,
  before: readonly BeforeHook[],
  after: readonly AfterHook[],
): RouteScope {
  const nested: RouteScope = {
    prefix: [...scope.prefix, ...parsePattern(prefix)],
    before: [...scope.before, ...before],
    after: [...scope.after, ...after],
  };
  if (nested.prefix.some((segment) => segment.kind === 'wildcard')) {
    throw new Error(`Group prefix "${prefix}" cannot contain the wildcard "*"`);
  }
  return nested;
}

/** The start of a route chain for `method` and `path` in `scope`; nothing is registered yet. */
export function draftRoute(table: RouteTable, scope: RouteScope, method: string, path: string): RouteDraft {
  const segments = [...scope.prefix, ...parsePattern(path)];
  return {
    table,
    method,
    pattern: renderPattern(segments),
    segments,
    groupBefore: scope.before,
    groupAfter: scope.after,
    before: [],
    bodyLimit: undefined,
  };
}

/** Adds the drafted route to its table with its handler (or upgrade handler). */
export function registerRoute(
  draft: RouteDraft,
  handlers: Pick<RouteRecord, 'handler' | 'upgrade'>,
): RouteRecord {
  const record: RouteRecord = {
    method: draft.method,
    pattern: draft.pattern,
    route: Object.freeze({ method: draft.method, path: draft.pattern }),
    paramNames: draft.segments.flatMap((segment) => (segment.kind === 'param' ? [segment.name] : [])),
    before: [...draft.groupBefore, ...draft.before],
    after: [...draft.groupAfter],
    bodyLimit: draft.bodyLimit,
    composed: undefined,
    ...handlers,
  };
  draft.table.add(draft.segments, record);
  return record;
}
