import { parsePattern, Trie, type TrieNode } from '../src/router/trie';

function build(routeCount: number): Trie<string> {
  const trie = new Trie<string>();
  for (let index = 0; index < routeCount; index += 1) {
    trie.nodeFor(parsePattern(`/service${index}/items/:id`)).entries.set('GET', `service${index}`);
    trie.nodeFor(parsePattern(`/users/name${index}`)).entries.set('GET', `name${index}`);
  }
  trie.nodeFor(parsePattern('/users/:id/*')).entries.set('GET', 'user files');
  return trie;
}

function visitedLabels(trie: Trie<string>, path: string): { value: string | undefined; labels: string[] } {
  const labels: string[] = [];
  const segments = path.split('/').filter((segment) => segment !== '');
  const match = trie.match(
    segments,
    (entries) => entries.get('GET'),
    (node: TrieNode<string>) => labels.push(node.label),
  );
  return { value: match?.value, labels };
}

describe('Trie', () => {
  it('visits only the nodes on the request path, however many routes exist', () => {
    for (const routeCount of [10, 10_000]) {
      const trie = build(routeCount);
      const { value, labels } = visitedLabels(trie, '/service7/items/abc');
      expect(value).toBe('service7');
      expect(labels).toEqual(['', '/service7', '/service7/items', '/service7/items/:']);
    }
  });

  it('visits the same nodes for a static sibling among ten thousand', () => {
    const small = visitedLabels(build(10), '/users/name5');
    const large = visitedLabels(build(10_000), '/users/name5');
    expect(large).toEqual(small);
    expect(large.labels).toEqual(['', '/users', '/users/name5']);
  });

  it('backtracks only within the branches of the path itself', () => {
    const { value, labels } = visitedLabels(build(10_000), '/users/name5/a/b');
    expect(value).toBe('user files');
    // name5 is tried first (static wins), has no child for "a", then the param branch takes over.
    expect(labels).toEqual(['', '/users', '/users/name5', '/users/:', '/users/:/*']);
  });

  it('reports no match when nothing accepts the node', () => {
    expect(visitedLabels(build(3), '/service1/items').value).toBeUndefined();
    expect(visitedLabels(build(3), '/users').value).toBeUndefined();
  });

  it('rejects an empty parameter name', () => {
    expect(() => parsePattern('/a/:')).toThrow('a parameter needs a name');
  });
});
