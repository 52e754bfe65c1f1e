import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheError } from '@arcade/cache';
import { RedisCacheManager } from '../src';
import { type RedisTestServer, startRedisServer } from '../src/testing';
import { findRedisServer } from '../src/testing/find-redis-server';
import { freePort, launchOnFreePort, terminate } from '../src/testing/redis-process';

// Cluster mode on what is not a healthy Redis Cluster (issue 16, "bad input"): a clear error, never a
// hang. The contract itself on a healthy cluster is test/conformance-cluster.test.ts.
jest.setTimeout(60_000);

const opened: RedisCacheManager[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((cache) => cache.dispose()));
});

function create(cluster: string[]): RedisCacheManager {
  const cache = new RedisCacheManager({
    cluster,
    connectTimeoutMs: 2000,
    commandTimeoutMs: 1000,
    logger: { warn: () => {} },
  });
  opened.push(cache);
  return cache;
}

async function initFailure(cache: RedisCacheManager): Promise<CacheError> {
  const error = await cache.init().then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(CacheError);
  return error as CacheError;
}

it('rejects init with UNAVAILABLE naming the seed nodes when none can be reached', async () => {
  const error = await initFailure(create(['redis://127.0.0.1:1', 'redis://127.0.0.1:2']));
  expect(error.code).toBe('UNAVAILABLE');
  expect(error.message).toContain('127.0.0.1:1, 127.0.0.1:2');
});

describe('a Redis that is not a cluster, given as cluster', () => {
  let server: RedisTestServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server?.stop());

  it('rejects init with an error that says so', async () => {
    const error = await initFailure(create([server.url]));
    expect(error.message).toMatch(/cluster support disabled/);
  });
});

describe('a cluster node that serves no slot (cluster_state:fail)', () => {
  let node: { child: ChildProcess; port: number } | undefined;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arcade-cluster-fail-'));
    node = await launchOnFreePort(
      { bin: findRedisServer(), dir, readyTimeoutMs: 10_000 },
      5,
      async (port) => [
        '--cluster-enabled',
        'yes',
        '--cluster-port',
        String(await freePort()),
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
      ],
    );
  });

  afterAll(async () => {
    if (node) await terminate(node.child, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects init with UNAVAILABLE naming the cluster, instead of hanging', async () => {
    const error = await initFailure(create([`redis://127.0.0.1:${node?.port}`]));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain('Redis Cluster');
  });
});
