export { cacheConformanceCases, runCacheConformanceSuite } from './suite';
export type {
  CacheConformanceOptions,
  CacheFactoryContext,
  ConformanceCase,
  ConformanceIt,
  ConformanceTestApi,
} from './types';
