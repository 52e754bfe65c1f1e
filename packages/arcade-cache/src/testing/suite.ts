import { batchCases } from './cases/batch';
import type { CaseGroup } from './cases/case-spec';
import { concurrencyCases } from './cases/concurrency';
import { lifecycleCases } from './cases/lifecycle';
import { logCases } from './cases/logs';
import { namespaceCases } from './cases/namespaces';
import { pubSubCases } from './cases/pubsub';
import { setCases } from './cases/sets';
import { shardingCases } from './cases/sharding';
import { ttlCases } from './cases/ttl';
import { valueCases } from './cases/values';
import { Harness } from './harness';
import type { CacheConformanceOptions, ConformanceCase, ConformanceTestApi } from './types';

const GROUPS: readonly CaseGroup[] = [
  lifecycleCases,
  valueCases,
  ttlCases,
  setCases,
  batchCases,
  pubSubCases,
  logCases,
  concurrencyCases,
  namespaceCases,
  shardingCases,
];

/**
 * Every conformance test bound to `options`, as plain functions: each `run()` creates fresh
 * adapters in a namespace of its own and disposes them before it settles. Use it to run the suite
 * without a test runner, or to check that a broken adapter fails it.
 */
export function cacheConformanceCases(options: CacheConformanceOptions): ConformanceCase[] {
  // Unique per call, so that parallel test files sharing one server never meet.
  const runToken = `cc${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  let testIndex = 0;
  return GROUPS.flatMap(({ group, cases }) =>
    cases.map((spec) => {
      testIndex += 1;
      const token = `${runToken}-${testIndex}`;
      const skip = spec.skip?.(options);
      return {
        group,
        name: spec.name,
        skip,
        async run() {
          if (skip !== undefined) return;
          const harness = new Harness(options, token);
          try {
            await spec.run(harness);
          } finally {
            await harness.disposeAll();
          }
        },
      };
    }),
  );
}

/**
 * Registers the `CacheManager` conformance suite with a test runner: one `describe` per group,
 * one `it` per behaviour. Call it at the top level of a test file:
 *
 * ```ts
 * import { runCacheConformanceSuite } from '@arcade/cache/testing';
 * runCacheConformanceSuite({ describe, it }, {
 *   name: 'MyCacheManager',
 *   create: ({ namespace }) => new MyCacheManager({ keyPrefix: `test:${namespace}:` }),
 * });
 * ```
 */
export function runCacheConformanceSuite(api: ConformanceTestApi, options: CacheConformanceOptions): void {
  const cases = cacheConformanceCases(options);
  api.describe(`CacheManager conformance: ${options.name}`, () => {
    for (const { group } of GROUPS) {
      api.describe(group, () => {
        for (const testCase of cases.filter((c) => c.group === group)) register(api, testCase);
      });
    }
  });
}

/** Registers one test; one that does not apply is reported skipped, never counted as a pass. */
function register(api: ConformanceTestApi, testCase: ConformanceCase): void {
  const body = () => testCase.run();
  if (testCase.skip === undefined) api.it(testCase.name, body);
  else if (api.it.skip) api.it.skip(testCase.name, body);
  else api.it(`${testCase.name} [skipped: ${testCase.skip}]`, body);
}
