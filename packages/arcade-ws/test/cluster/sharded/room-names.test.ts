import { useRedisClusterBackend } from '../../support/cluster';
import '../room-names.test';

// The cases of test/cluster/room-names.test.ts, on a Redis Cluster of 3 masters with 1 replica each
// (issue 16: guarantees 1-8 hold on a cluster as on one Redis).
useRedisClusterBackend();
