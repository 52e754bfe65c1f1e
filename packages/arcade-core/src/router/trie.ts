/** One parsed segment of a route pattern. */
export type PatternSegment =
  | { kind: 'static'; text: string }
  | { kind: 'param'; name: string }
  | { kind: 'wildcard' };

/**
 * Parses a route pattern (`/users/:id/files/*`). Empty segments are dropped, so `/a/` and `/a`
 * are the same route; `*` must be the last segment.
 */
export function parsePattern(pattern: string): PatternSegment[] {
  const parts = pattern.split('/').filter((part) => part !== '');
  return parts.map((part, index): PatternSegment => {
    if (part === '*') {
      if (index !== parts.length - 1) {
        throw new Error(`Route pattern "${pattern}": the wildcard "*" must be the last segment`);
      }
      return { kind: 'wildcard' };
    }
    if (part.startsWith(':')) {
      const name = part.slice(1);
      if (name === '') throw new Error(`Route pattern "${pattern}": a parameter needs a name after ":"`);
      return { kind: 'param', name };
    }
    return { kind: 'static', text: part };
  });
}

/** A node of the trie; `label` is the pattern prefix it stands for (used by tracing). */
export class TrieNode<V> {
  readonly statics = new Map<string, TrieNode<V>>();
  param: TrieNode<V> | undefined;
  wildcard: TrieNode<V> | undefined;
  /** What is registered exactly at this node, keyed by the caller (a method, for instance). */
  readonly entries = new Map<string, V>();

  constructor(readonly label: string) {}
}

/** A successful lookup: the selected value, the parameter values in order, and the wildcard rest. */
export interface TrieMatch<V> {
  value: V;
  params: string[];
  /** The segments the wildcard matched, joined with `/` (only for wildcard routes). */
  rest?: string;
}

/**
 * A segment trie. Lookup walks only the nodes on the request's own path: at each level it tries
 * the static child (one Map lookup), then the parameter child, then the wildcard, and backtracks
 * only when the more specific branch has nothing `select` accepts. Its cost depends on the path's
 * depth, never on how many routes are registered.
 */
export class Trie<V> {
  readonly root = new TrieNode<V>('');

  /** The node for a pattern, created on demand. */
  nodeFor(segments: readonly PatternSegment[]): TrieNode<V> {
    let node = this.root;
    for (const segment of segments) {
      if (segment.kind === 'static') {
        let child = node.statics.get(segment.text);
        if (child === undefined) {
          child = new TrieNode<V>(`${node.label}/${segment.text}`);
          node.statics.set(segment.text, child);
        }
        node = child;
      } else if (segment.kind === 'param') {
        node.param ??= new TrieNode<V>(`${node.label}/:`);
        node = node.param;
      } else {
        node.wildcard ??= new TrieNode<V>(`${node.label}/*`);
        node = node.wildcard;
      }
    }
    return node;
  }

  /**
   * Finds the most specific node whose entries `select` accepts.
   * @param visit called with every node the lookup touches (for tests and diagnostics).
   */
  match(
    segments: readonly string[],
    select: (entries: ReadonlyMap<string, V>) => V | undefined,
    visit?: (node: TrieNode<V>) => void,
  ): TrieMatch<V> | undefined {
    return walk(this.root, { segments, select, visit, params: [] }, 0);
  }
}

/** What one lookup carries down the recursion (one object per lookup, not one closure per level). */
interface Lookup<V> {
  readonly segments: readonly string[];
  readonly select: (entries: ReadonlyMap<string, V>) => V | undefined;
  readonly visit: ((node: TrieNode<V>) => void) | undefined;
  /** The parameter values of the branch being tried. */
  readonly params: string[];
}

function walk<V>(node: TrieNode<V>, lookup: Lookup<V>, index: number): TrieMatch<V> | undefined {
  const { segments, select, visit, params } = lookup;
  visit?.(node);
  if (index === segments.length) {
    const value = node.entries.size === 0 ? undefined : select(node.entries);
    return value === undefined ? undefined : { value, params: params.slice() };
  }
  const segment = segments[index]!;
  const staticChild = node.statics.get(segment);
  if (staticChild !== undefined) {
    const found = walk(staticChild, lookup, index + 1);
    if (found !== undefined) return found;
  }
  if (node.param !== undefined) {
    params.push(segment);
    const found = walk(node.param, lookup, index + 1);
    params.pop();
    if (found !== undefined) return found;
  }
  if (node.wildcard !== undefined) {
    visit?.(node.wildcard);
    const value = node.wildcard.entries.size === 0 ? undefined : select(node.wildcard.entries);
    if (value !== undefined) return { value, params: params.slice(), rest: segments.slice(index).join('/') };
  }
  return undefined;
}
