import { request as httpRequest } from 'node:http';
import { deferred } from '@arcade/test-support';
import { type ArcadeServer, BodyParseFailure, BodyParseSuccess, type RequestContext } from '../src';
import { send, startApp } from './support/http';

const json = { 'content-type': 'application/json' };

async function describeResult(
  result: Promise<BodyParseSuccess<unknown> | BodyParseFailure>,
): Promise<unknown> {
  const settled = await result;
  if (settled instanceof BodyParseSuccess) return { success: settled.success, value: settled.value };
  return { success: settled.success, code: settled.code, message: settled.message };
}

describe('request bodies', () => {
  let server: ArcadeServer;
  let bytesSeenByHandler = 0;

  beforeAll(async () => {
    ({ server } = await startApp(
      (app) => {
        const { route } = app;
        route.post('/text').handle((ctx) => ctx.body());
        route.post('/json').handle((ctx: RequestContext) => describeResult(ctx.json()));
        route.post('/map').handle((ctx: RequestContext) => describeResult(ctx.jsonMap()));
        route.post('/list').handle((ctx: RequestContext) => describeResult(ctx.jsonList()));
        route.post('/twice').handle(async (ctx) => [await ctx.body(), await ctx.body()]);
        route
          .post('/big')
          .bodyLimit(64)
          .handle(async (ctx) => (await ctx.body()).length);
        route.post('/count').handle(async (ctx) => {
          const text = await ctx.body();
          bytesSeenByHandler = text.length;
          return text.length;
        });
      },
      { bodyLimit: 16 * 1024 },
    ));
  });

  afterAll(() => server.close());

  it('reads the body as UTF-8 and caches it', async () => {
    expect((await send(server, '/text', { method: 'POST', body: 'héllo' })).text).toBe('héllo');
    expect((await send(server, '/twice', { method: 'POST', body: 'x' })).json()).toEqual(['x', 'x']);
  });

  it('parses any JSON value with json()', async () => {
    const response = await send(server, '/json', { method: 'POST', headers: json, body: '[1,"a",null]' });
    expect(response.json()).toEqual({ success: true, value: [1, 'a', null] });
    const vendor = await send(server, '/json', {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.api+json; charset=utf-8' },
      body: '42',
    });
    expect(vendor.json()).toEqual({ success: true, value: 42 });
  });

  it('parses a JSON object with jsonMap() and refuses other shapes', async () => {
    const map = await send(server, '/map', { method: 'POST', headers: json, body: '{"a":{"b":1}}' });
    expect(map.json()).toEqual({ success: true, value: { a: { b: 1 } } });
    const array = await send(server, '/map', { method: 'POST', headers: json, body: '[1]' });
    expect(array.json()).toEqual({
      success: false,
      code: 'UNEXPECTED_SHAPE',
      message: 'The JSON body is not an object',
    });
  });

  it('parses a form-urlencoded body into strings with jsonMap(), the last repeated key winning', async () => {
    const response = await send(server, '/map', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Ada+Lovelace&tag=a&tag=b&sym=%26',
    });
    expect(response.json()).toEqual({ success: true, value: { name: 'Ada Lovelace', tag: 'b', sym: '&' } });
    const malformed = await send(server, '/map', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=%zz',
    });
    expect(malformed.json()).toMatchObject({ success: false, code: 'MALFORMED_BODY' });
  });

  it('parses a JSON array with jsonList() and refuses other shapes', async () => {
    expect((await send(server, '/list', { method: 'POST', headers: json, body: '[true]' })).json()).toEqual({
      success: true,
      value: [true],
    });
    expect((await send(server, '/list', { method: 'POST', headers: json, body: '{}' })).json()).toMatchObject(
      {
        success: false,
        code: 'UNEXPECTED_SHAPE',
      },
    );
  });

  it('returns a failure, not a throw, for malformed JSON', async () => {
    const response = await send(server, '/map', { method: 'POST', headers: json, body: '{"a":' });
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({ success: false, code: 'MALFORMED_BODY' });
  });

  it('returns a failure for a wrong or missing content type', async () => {
    const wrong = await send(server, '/map', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"a":1}',
    });
    expect(wrong.json()).toEqual({
      success: false,
      code: 'UNSUPPORTED_CONTENT_TYPE',
      message: 'Expected application/json or application/x-www-form-urlencoded, got text/plain',
    });
    const missing = await send(server, '/json', { method: 'POST', body: '1' });
    expect(missing.json()).toEqual({
      success: false,
      code: 'UNSUPPORTED_CONTENT_TYPE',
      message: 'Expected application/json, got no content type',
    });
    const formForList = await send(server, '/list', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(formForList.json()).toMatchObject({ success: false, code: 'UNSUPPORTED_CONTENT_TYPE' });
  });

  it('answers 413 for a declared Content-Length over the app limit, before reading the body', async () => {
    bytesSeenByHandler = -1;
    const response = await send(server, '/count', { method: 'POST', body: 'x'.repeat(16 * 1024 + 1) });
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBe('close');
    expect(response.json()).toEqual({
      error: { statusCode: 413, message: 'Payload too large: the limit is 16384 bytes' },
    });
    expect(bytesSeenByHandler).toBe(-1);
    expect((await send(server, '/count', { method: 'POST', body: 'x'.repeat(16 * 1024) })).text).toBe(
      '16384',
    );
  });

  it('applies a route body limit over the app limit', async () => {
    expect((await send(server, '/big', { method: 'POST', body: 'x'.repeat(64) })).text).toBe('64');
    expect((await send(server, '/big', { method: 'POST', body: 'x'.repeat(65) })).status).toBe(413);
  });

  it('answers 413 to a chunked body once it passes the limit, while the client is still sending', async () => {
    const answered = deferred<{ status: number; body: string }>();
    const request = httpRequest({
      host: '127.0.0.1',
      port: server.port,
      path: '/big',
      method: 'POST',
      agent: false,
      headers: { 'transfer-encoding': 'chunked' },
    });
    request.on('response', (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => answered.resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', () => {});
    // 100 bytes in, never ended: the answer cannot wait for the rest of the body.
    request.write('y'.repeat(100));
    const { status, body } = await answered.promise;
    request.destroy();
    expect(status).toBe(413);
    expect(JSON.parse(body)).toEqual({
      error: { statusCode: 413, message: 'Payload too large: the limit is 64 bytes' },
    });
  });
});

describe('BodyParseSuccess and BodyParseFailure', () => {
  it('carry a success tag that narrows the union', () => {
    const results: (BodyParseSuccess<number> | BodyParseFailure)[] = [
      new BodyParseSuccess(1),
      new BodyParseFailure('MALFORMED_BODY', 'bad'),
    ];
    const seen = results.map((result) => (result.success ? result.value : result.code));
    expect(seen).toEqual([1, 'MALFORMED_BODY']);
    expect(results[1]).toBeInstanceOf(BodyParseFailure);
  });
});
