import { CacheError, type CacheManager } from '../src';
import { cacheConformanceCases, runCacheConformanceSuite } from '../src/testing';

/** An adapter that refuses everything: no conformance test may pass against it. */
function refusingAdapter(): CacheManager {
  const refuse = async (): Promise<never> => {
    throw new CacheError('OPERATION_FAILED', 'this adapter refuses every call');
  };
  return {
    status: 'unavailable',
    onStatusChange: () => () => {},
    init: refuse,
    dispose: async () => {},
    get: refuse,
    set: refuse,
    setIfAbsent: refuse,
    remove: refuse,
    contains: refuse,
    clear: refuse,
    setAdd: refuse,
    setRemove: refuse,
    setMembers: refuse,
    setSize: refuse,
    batch: refuse,
    publish: refuse,
    subscribe: refuse,
  };
}

describe('cacheConformanceCases', () => {
  it('lists every test once, with a group and a unique name', () => {
    const cases = cacheConformanceCases({ name: 'listing', create: refusingAdapter });
    const titles = cases.map((c) => `${c.group} > ${c.name}`);
    expect(new Set(titles).size).toBe(titles.length);
    expect(new Set(cases.map((c) => c.group))).toEqual(
      new Set(['lifecycle', 'values', 'TTL', 'sets', 'batch', 'pub/sub', 'concurrency', 'namespaces']),
    );
  });

  it('fails every test against an adapter that refuses every call', async () => {
    const cases = cacheConformanceCases({ name: 'refusing', create: refusingAdapter, waitTimeoutMs: 50 });
    const outcomes = await Promise.allSettled(cases.map((c) => c.run()));
    const passed = cases.filter((_, i) => outcomes[i]?.status === 'fulfilled').map((c) => c.name);
    expect(passed).toEqual([]);
  });

  it('gives each test its own namespace', async () => {
    const namespaces: string[] = [];
    const cases = cacheConformanceCases({
      name: 'namespaces',
      create: ({ namespace }) => {
        namespaces.push(namespace);
        return refusingAdapter();
      },
      waitTimeoutMs: 50,
    });
    await Promise.allSettled(cases.map((c) => c.run()));
    const perTest = new Set(namespaces.filter((n) => !n.includes('-o')));
    expect(perTest.size).toBe(cases.length);
    for (const namespace of namespaces) expect(namespace).toMatch(/^[A-Za-z0-9-]+$/);
  });
});

describe('runCacheConformanceSuite', () => {
  it('registers one describe per group and one it per test, through the given functions only', () => {
    const titles: string[] = [];
    const path: string[] = [];
    runCacheConformanceSuite(
      {
        describe: (name, body) => {
          path.push(name);
          body();
          path.pop();
        },
        it: (name) => {
          titles.push([...path, name].join(' > '));
        },
      },
      { name: 'Recorder', create: refusingAdapter },
    );
    expect(titles.length).toBe(cacheConformanceCases({ name: 'x', create: refusingAdapter }).length);
    expect(titles).toContain(
      'CacheManager conformance: Recorder > pub/sub > publish resolves 0 for a channel nobody hears',
    );
  });
});

describe('runCacheConformanceSuite with a runner’s own globals', () => {
  it('accepts { describe, it, expect } as a test runner passes them', () => {
    const registered: string[] = [];
    const fakeIt = (name: string): void => {
      registered.push(name);
    };
    const fakeDescribe = (_name: string, body: () => void): void => body();
    runCacheConformanceSuite(
      { describe: fakeDescribe, it: fakeIt, expect },
      { name: 'WithExpect', create: refusingAdapter },
    );
    expect(registered.length).toBeGreaterThan(0);
  });
});
