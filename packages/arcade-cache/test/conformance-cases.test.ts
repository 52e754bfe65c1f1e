import { CacheError, type CacheManager } from '../src';
import {
  type CacheConformanceOptions,
  type ConformanceIt,
  cacheConformanceCases,
  runCacheConformanceSuite,
} from '../src/testing';

/** A restart that does nothing: given, so that every test applies (none is skipped). */
const restart = async (): Promise<void> => {};

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
    appendToLog: refuse,
    readLog: refuse,
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
      new Set([
        'lifecycle',
        'values',
        'TTL',
        'sets',
        'batch',
        'pub/sub',
        'logs',
        'concurrency',
        'namespaces',
        'sharding',
      ]),
    );
  });

  it('fails every test against an adapter that refuses every call', async () => {
    const cases = cacheConformanceCases({
      name: 'refusing',
      create: refusingAdapter,
      waitTimeoutMs: 50,
      restart,
    });
    expect(cases.filter((c) => c.skip !== undefined)).toEqual([]);
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
      restart,
    });
    await Promise.allSettled(cases.map((c) => c.run()));
    const perTest = new Set(namespaces.filter((n) => !n.includes('-o')));
    expect(perTest.size).toBe(cases.length);
    for (const namespace of namespaces) expect(namespace).toMatch(/^[A-Za-z0-9-]+$/);
  });
});

/**
 * Registers the suite through a recording runner; returns the full titles it registered with
 * `it`, and with `it.skip` unless `withSkip` is false (a runner without it).
 */
function registeredTitles(
  options: CacheConformanceOptions,
  withSkip = true,
): { tests: string[]; skipped: string[] } {
  const tests: string[] = [];
  const skipped: string[] = [];
  const path: string[] = [];
  const it: ConformanceIt = (name) => {
    tests.push([...path, name].join(' > '));
  };
  if (withSkip) it.skip = (name) => skipped.push([...path, name].join(' > '));
  runCacheConformanceSuite(
    {
      describe: (name, body) => {
        path.push(name);
        body();
        path.pop();
      },
      it,
    },
    options,
  );
  return { tests, skipped };
}

describe('runCacheConformanceSuite', () => {
  it('registers one describe per group and one it per test, through the given functions only', () => {
    const { tests, skipped } = registeredTitles({ name: 'Recorder', create: refusingAdapter, restart });
    expect(tests.length).toBe(cacheConformanceCases({ name: 'x', create: refusingAdapter }).length);
    expect(skipped).toEqual([]);
    expect(tests).toContain(
      'CacheManager conformance: Recorder > pub/sub > publish resolves 0 for a channel nobody hears',
    );
  });
});

describe('a test that cannot check anything under the options given', () => {
  const handlesTest = 'lifecycle > dispose releases every timer and socket it opened';
  const options = { name: 'NoHandles', create: refusingAdapter, checkOpenHandles: false, restart };

  it('says why, and its run() touches no adapter', async () => {
    const create = jest.fn(refusingAdapter);
    const cases = cacheConformanceCases({ ...options, create });
    const skipped = cases.filter((c) => c.skip !== undefined);
    expect(skipped.map((c) => `${c.group} > ${c.name}`)).toEqual([handlesTest]);
    expect(skipped[0]?.skip).toBe('checkOpenHandles is false');
    await skipped[0]?.run();
    expect(create).not.toHaveBeenCalled();
  });

  it('is registered with it.skip, so that the runner reports it skipped, not passed', () => {
    const { tests, skipped } = registeredTitles(options);
    expect(skipped).toEqual([`CacheManager conformance: NoHandles > ${handlesTest}`]);
    expect(tests).not.toContain(skipped[0]);
  });

  it('is registered under a title that says it is skipped when the runner has no it.skip', () => {
    const { tests } = registeredTitles(options, false);
    expect(tests).toContain(
      `CacheManager conformance: NoHandles > ${handlesTest} [skipped: checkOpenHandles is false]`,
    );
  });

  it('runs when checkOpenHandles is left to its default', () => {
    expect(registeredTitles({ name: 'Default', create: refusingAdapter }).tests).toContain(
      `CacheManager conformance: Default > ${handlesTest}`,
    );
  });
});

describe('the restart test', () => {
  const restartTest =
    'pub/sub > after the server restarts, a subscription made before receives again once the adapters are ready';

  it('is skipped, saying why, without the restart option', async () => {
    const create = jest.fn(refusingAdapter);
    const cases = cacheConformanceCases({ name: 'NoRestart', create });
    const skipped = cases.filter((c) => c.skip !== undefined);
    expect(skipped.map((c) => `${c.group} > ${c.name}`)).toEqual([restartTest]);
    expect(skipped[0]?.skip).toBe('no restart option');
    await skipped[0]?.run();
    expect(create).not.toHaveBeenCalled();
    expect(registeredTitles({ name: 'NoRestart', create: refusingAdapter }).skipped).toEqual([
      `CacheManager conformance: NoRestart > ${restartTest}`,
    ]);
  });

  it('applies when the restart option is given', async () => {
    const calls: string[] = [];
    const cases = cacheConformanceCases({
      name: 'Restart',
      create: refusingAdapter,
      restart: async () => {
        calls.push('restart');
      },
    });
    const testCase = cases.find((c) => `${c.group} > ${c.name}` === restartTest);
    expect(testCase?.skip).toBeUndefined();
    // The refusing adapter fails before the restart: the option is only called by that test.
    await expect(testCase?.run()).rejects.toBeDefined();
    expect(calls).toEqual([]);
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
