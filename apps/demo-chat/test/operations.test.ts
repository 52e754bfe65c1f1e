import {
  expectUpgradeRefused,
  httpRequest,
  parsePrometheusText,
  RecordingLogger,
} from '@arcade/test-support';
import { type ChatServer, createChatServer } from '../src';
import { ChatClient, refusalOf } from './support/chat-client';
import { UNREACHED_LIMITS } from './support/limits';
import { startMain } from './support/main-process';
import { RawEventsClient } from './support/raw-events-client';

// What an operator gets: Prometheus metrics behind a token, liveness and readiness for the load
// balancer, and a drain for rolling deploys (SIGTERM). Redis going away: test/redis-outage.test.ts.

const METRICS_TOKEN = 'metrics-secret';
const clients: (ChatClient | RawEventsClient)[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function wsUrl(server: { url: string }): string {
  return `${server.url.replace(/^http/, 'ws')}/ws`;
}

describe('with METRICS_TOKEN', () => {
  let server: ChatServer;

  beforeAll(async () => {
    server = await createChatServer({
      port: 0,
      host: '127.0.0.1',
      metricsToken: METRICS_TOKEN,
      clientLimits: { ...UNREACHED_LIMITS, chat: { messages: 2, perMs: 3_600_000 } },
      logger: new RecordingLogger(),
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('serves the metrics of HTTP, the WebSockets, the storage and the chat to a scrape with the token', async () => {
    const ada = await ChatClient.connect(server.url, 'Ada');
    clients.push(ada);
    await ada.join('measured');
    await ada.say('one');
    await ada.say('two');
    expect((await refusalOf(ada.client.request('say', { text: 'three' }))).code).toBe('RATE_LIMITED');
    await httpRequest(`${server.url}/api/rooms`);

    const reply = await httpRequest(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(reply.text);
    const value = (name: string, labels: Record<string, string> = {}) =>
      families
        .get(name)
        ?.samples.find((sample) =>
          Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted),
        )?.value;

    expect(value('arcade_http_requests_total', { method: 'GET', route: '/api/rooms', status: '200' })).toBe(
      1,
    );
    expect(value('arcade_ws_connections')).toBe(1);
    expect(value('arcade_ws_emits_total', { kind: 'history' })).toBe(2);
    expect(value('arcade_ws_rooms')).toBe(1);
    expect(value('arcade_ws_storage_reachable')).toBe(1);
    expect(families.get('arcade_chat_refusals_total')?.type).toBe('counter');
    expect(value('arcade_chat_refusals_total', { budget: 'chat' })).toBe(1);
    expect(value('arcade_chat_refusals_total', { budget: 'typing' })).toBe(0);
    // Bounded labels: the room's name appears nowhere.
    expect(reply.text).not.toContain('measured');
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer nope' }],
  ])('answers 401 to a scrape with %s', async (_label, headers) => {
    const reply = await httpRequest(`${server.url}/metrics`, { headers });
    expect(reply.status).toBe(401);
    expect(reply.text).not.toContain('arcade_');
  });
});

describe('without METRICS_TOKEN', () => {
  it('keeps metrics off and says how to turn them on', async () => {
    const server = await createChatServer({ port: 0, host: '127.0.0.1', logger: new RecordingLogger() });
    try {
      const reply = await httpRequest(`${server.url}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(reply.status).toBe(403);
      expect(reply.json()).toMatchObject({ error: { message: expect.stringContaining('METRICS_TOKEN') } });
    } finally {
      await server.close();
    }
  });
});

describe('liveness, readiness and drain', () => {
  it('is live and ready; a drain turns readiness off and refuses upgrades at once, then closes the WebSockets with 1012', async () => {
    // A drain delay no test waits for: close() ends it.
    const server = await createChatServer({
      port: 0,
      host: '127.0.0.1',
      drainDelayMs: 3_600_000,
      logger: new RecordingLogger(),
    });
    try {
      expect((await httpRequest(`${server.url}/livez`)).status).toBe(200);
      const ready = await httpRequest(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.json()).toMatchObject({
        ready: true,
        draining: false,
        checks: { webSocketStorage: { ready: true } },
      });

      const ada = await RawEventsClient.connect(server.url, 'Ada');
      clients.push(ada);
      expect(await ada.answer(ada.join('drained'))).toMatchObject({ t: 'res' });

      const drained = server.drain();
      const draining = await httpRequest(`${server.url}/readyz`);
      expect(draining.status).toBe(503);
      expect(draining.json()).toMatchObject({ ready: false, draining: true });
      expect((await httpRequest(`${server.url}/livez`)).status).toBe(200);
      expect((await expectUpgradeRefused(wsUrl(server))).status).toBe(503);
      // Plain HTTP is still served while the load balancer notices, and open WebSockets stay open.
      expect((await httpRequest(`${server.url}/api/rooms`)).status).toBe(200);
      expect(await ada.answer(ada.request('listRooms'))).toMatchObject({ t: 'res' });

      await server.close();
      await drained;
      expect(await ada.client.closed).toMatchObject({ code: 1012 });
    } finally {
      await server.close();
    }
  });
});

describe('dist/main.js', () => {
  it('logs pino JSON lines, and drains on SIGTERM: WebSockets closed with 1012, then exit 0', async () => {
    const main = await startMain({ METRICS_TOKEN, LOG_LEVEL: 'info' });
    const ada = await RawEventsClient.connect(main.url, 'Ada');
    clients.push(ada);
    expect(await ada.answer(ada.join('rolling'))).toMatchObject({ t: 'res' });
    const scrape = await httpRequest(`${main.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(parsePrometheusText(scrape.text).get('arcade_ws_connections')?.samples[0]?.value).toBe(1);

    main.kill('SIGTERM');
    expect(await ada.client.closed).toMatchObject({ code: 1012 });
    expect(await main.exited).toBe(0);
    expect(main.lines.every((line) => typeof line.level === 'number' && typeof line.time === 'number')).toBe(
      true,
    );
    expect(main.lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['demo-chat: SIGTERM, draining', 'demo-chat stopped']),
    );
  });

  it('refuses an unknown LOG_LEVEL before listening', async () => {
    await expect(startMain({ LOG_LEVEL: 'chatty' })).rejects.toThrow(/LOG_LEVEL must be one of/);
  });
});
