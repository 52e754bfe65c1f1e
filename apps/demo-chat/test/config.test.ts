import { ChatConfigError, readChatConfig, readLogLevel } from '../src/config';

describe('readChatConfig', () => {
  it('defaults to port 3000, memory storage and no admin API', () => {
    expect(readChatConfig({})).toEqual({
      port: 3000,
      rateLimit: { messages: 5, perMs: 5000 },
      history: { ttlMs: 600_000 },
    });
  });

  it('reads every variable', () => {
    expect(
      readChatConfig({
        PORT: '0',
        HOST: '0.0.0.0',
        REDIS_URL: 'redis://127.0.0.1:6380/2',
        ADMIN_TOKEN: ' s3cret ',
        METRICS_TOKEN: ' sc4pe ',
        DRAIN_DELAY_MS: '15000',
        CHAT_RATE_MESSAGES: '10',
        CHAT_RATE_WINDOW_MS: '1000',
        CHAT_HISTORY_TTL_MS: '60000',
      }),
    ).toEqual({
      port: 0,
      host: '0.0.0.0',
      redisUrl: 'redis://127.0.0.1:6380/2',
      adminToken: 's3cret',
      metricsToken: 'sc4pe',
      drainDelayMs: 15_000,
      rateLimit: { messages: 10, perMs: 1000 },
      history: { ttlMs: 60_000 },
    });
  });

  it('reads the seed nodes of a Redis Cluster from REDIS_CLUSTER_NODES', () => {
    expect(
      readChatConfig({
        REDIS_CLUSTER_NODES: ' redis://10.0.0.1:7000, redis://10.0.0.2:7001 ,redis://[::1]:7002',
      }),
    ).toEqual({
      port: 3000,
      redisClusterNodes: ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7001', 'redis://[::1]:7002'],
      rateLimit: { messages: 5, perMs: 5000 },
      history: { ttlMs: 600_000 },
    });
    expect(readChatConfig({ REDIS_CLUSTER_NODES: 'rediss://cache.example:6380/' }).redisClusterNodes).toEqual(
      ['rediss://cache.example:6380/'],
    );
  });

  it('keeps the credentials of a seed URL, which the adapter applies to every node', () => {
    expect(
      readChatConfig({ REDIS_CLUSTER_NODES: 'redis://ada:s3cret@127.0.0.1:7000' }).redisClusterNodes,
    ).toEqual(['redis://ada:s3cret@127.0.0.1:7000']);
  });

  it('treats a blank REDIS_CLUSTER_NODES as unset', () => {
    expect(readChatConfig({ REDIS_CLUSTER_NODES: '  ' })).not.toHaveProperty('redisClusterNodes');
  });

  it('refuses REDIS_URL and REDIS_CLUSTER_NODES together', () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: 'redis://127.0.0.1:7000' };
    expect(() => readChatConfig(env)).toThrow(ChatConfigError);
    expect(() => readChatConfig(env)).toThrow(/REDIS_URL and REDIS_CLUSTER_NODES are both set/);
  });

  it.each([
    ['redis://127.0.0.1:7000,,redis://127.0.0.1:7001', /entry 2 of 3 is empty/],
    ['redis://127.0.0.1:7000,', /entry 2 of 2 is empty/],
    ['127.0.0.1:7000', /entry 1 of 1 is not a URL/],
    ['http://127.0.0.1:7000', /entry 1 of 1 must start with redis:\/\/ or rediss:\/\//],
    ['redis://127.0.0.1', /entry 1 of 1 must name a host and a port/],
    ['redis://127.0.0.1:99999', /entry 1 of 1 is not a URL/],
    ['redis://127.0.0.1:7000/2', /entry 1 of 1 must be only redis:\/\/host:port/],
    ['redis://127.0.0.1:7000,rediss://127.0.0.1:7001', /mixes redis:\/\/ and rediss:\/\//],
  ])('refuses REDIS_CLUSTER_NODES=%s with a clear message', (value, message) => {
    expect(() => readChatConfig({ REDIS_CLUSTER_NODES: value })).toThrow(ChatConfigError);
    expect(() => readChatConfig({ REDIS_CLUSTER_NODES: value })).toThrow(message);
  });

  it('reads ALLOWED_ORIGINS as origins normalized as browsers send them, or * for any', () => {
    expect(
      readChatConfig({ ALLOWED_ORIGINS: ' https://Chat.Example.com:443/ , http://localhost:8080' })
        .allowedOrigins,
    ).toEqual(['https://chat.example.com', 'http://localhost:8080']);
    expect(readChatConfig({ ALLOWED_ORIGINS: ' * ' }).allowedOrigins).toBe('any');
    expect(readChatConfig({ ALLOWED_ORIGINS: ' ' })).not.toHaveProperty('allowedOrigins');
  });

  it.each([
    ['https://a.example,,https://b.example', /ALLOWED_ORIGINS entry 2 of 3 is empty/],
    ['https://a.example,*', /entry 2 of 2 is "\*": set ALLOWED_ORIGINS=\* alone/],
    ['a.example', /ALLOWED_ORIGINS entry 1 of 1 is not a URL/],
    ['https://a.example/chat', /ALLOWED_ORIGINS entry 1 of 1 must have no path/],
  ])('refuses ALLOWED_ORIGINS=%s with a clear message', (value, message) => {
    expect(() => readChatConfig({ ALLOWED_ORIGINS: value })).toThrow(ChatConfigError);
    expect(() => readChatConfig({ ALLOWED_ORIGINS: value })).toThrow(message);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['CHAT_RATE_MESSAGES', '0'],
    ['CHAT_RATE_WINDOW_MS', '-5'],
    ['CHAT_HISTORY_TTL_MS', '0'],
    ['DRAIN_DELAY_MS', '-1'],
    ['DRAIN_DELAY_MS', '1.5'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => readChatConfig({ [name]: value })).toThrow(ChatConfigError);
    expect(() => readChatConfig({ [name]: value })).toThrow(name);
  });

  it('takes DRAIN_DELAY_MS=0, and a blank METRICS_TOKEN as unset (metrics off)', () => {
    expect(readChatConfig({ DRAIN_DELAY_MS: '0' }).drainDelayMs).toBe(0);
    expect(readChatConfig({ METRICS_TOKEN: '  ' })).not.toHaveProperty('metricsToken');
  });
});

describe('readLogLevel', () => {
  it('defaults to info and reads the levels of pino, in any case', () => {
    expect(readLogLevel({})).toBe('info');
    expect(readLogLevel({ LOG_LEVEL: ' DEBUG ' })).toBe('debug');
    expect(readLogLevel({ LOG_LEVEL: 'silent' })).toBe('silent');
  });

  it('refuses another level, naming the ones it takes', () => {
    expect(() => readLogLevel({ LOG_LEVEL: 'verbose' })).toThrow(
      new ChatConfigError(
        'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got "verbose".',
      ),
    );
  });
});
