export { cacheConformanceCases, runCacheConformanceSuite } from './suite';
export type {
  CacheConformanceOptions,
  CacheFactoryContext,
  ConformanceCase,
  ConformanceTestApi,
} from './types';
