import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RedisTestServer, startRedisServer } from '@arcade/cache-redis/testing';
import { httpRequest } from '@arcade/test-support';
import { startExampleProcess } from './support/example-process';

// Every example that can be run (`if (require.main === module)`), as its user runs it.
const srcDir = join(__dirname, '..', 'src');
const runnable = readdirSync(srcDir)
  .filter((file) => file.endsWith('.ts'))
  .filter((file) => readFileSync(join(srcDir, file), 'utf8').includes('if (require.main === module)'))
  .map((file) => file.replace(/\.ts$/, ''));

describe('node dist/<example>.js', () => {
  let redis: RedisTestServer;

  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(() => redis?.stop());

  it('finds the examples', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(15);
  });

  it.each(runnable)('%s listens on PORT, answers HTTP and exits cleanly on SIGTERM', async (name) => {
    const example = await startExampleProcess(name, { REDIS_URL: redis.url });
    try {
      const answer = await httpRequest(`http://127.0.0.1:${example.port}/no-such-page`);
      expect(answer.status).toBe(404);
      expect(answer.json()).toEqual({ error: { statusCode: 404, message: 'Not found' } });
    } finally {
      const code = await example.stop();
      expect({ code, output: example.output() }).toMatchObject({ code: 0 });
    }
  });
});
