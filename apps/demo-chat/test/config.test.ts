import { ChatConfigError, readChatConfig } from '../src/config';

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
        CHAT_RATE_MESSAGES: '10',
        CHAT_RATE_WINDOW_MS: '1000',
        CHAT_HISTORY_TTL_MS: '60000',
      }),
    ).toEqual({
      port: 0,
      host: '0.0.0.0',
      redisUrl: 'redis://127.0.0.1:6380/2',
      adminToken: 's3cret',
      rateLimit: { messages: 10, perMs: 1000 },
      history: { ttlMs: 60_000 },
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['CHAT_RATE_MESSAGES', '0'],
    ['CHAT_RATE_WINDOW_MS', '-5'],
    ['CHAT_HISTORY_TTL_MS', '0'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => readChatConfig({ [name]: value })).toThrow(ChatConfigError);
    expect(() => readChatConfig({ [name]: value })).toThrow(name);
  });
});
