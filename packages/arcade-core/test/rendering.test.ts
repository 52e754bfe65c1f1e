import { Readable } from 'node:stream';
import type { RecordingLogger } from '@arcade/test-support';
import {
  ArcadeHttpException,
  type ArcadeServer,
  BadRequestException,
  ConflictException,
  ForbiddenException,
  InternalServerErrorException,
  MethodNotAllowedException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  TooManyRequestsException,
  UnauthorizedException,
  UnprocessableEntityException,
} from '../src';
import { send, startApp } from './support/http';

describe('result rendering', () => {
  let server: ArcadeServer;

  beforeAll(async () => {
    ({ server } = await startApp((app) => {
      const { route } = app;
      route.get('/string').handle(() => '<p>héllo</p>');
      route.get('/string-typed').handle((ctx) => {
        ctx.responseHeaders.set('content-type', 'text/plain; charset=utf-8');
        return 'plain';
      });
      route.get('/undefined').handle(() => undefined);
      route.get('/async-undefined').handle(async () => {});
      route.get('/redirect').handle((ctx) => {
        ctx.statusCode = 302;
        ctx.responseHeaders.set('location', '/string');
      });
      route.get('/null').handle(() => null);
      route.get('/number').handle(() => 0);
      route.get('/object').handle((ctx) => {
        ctx.statusCode = 201;
        return { a: [1, 2], nested: { b: true } };
      });
      route.get('/buffer').handle(() => Buffer.from([0, 1, 2, 255]));
      route.get('/uint8').handle(() => new Uint8Array([9, 8]));
      route.get('/stream').handle((ctx) => {
        ctx.responseHeaders.set('content-type', 'text/plain');
        return Readable.from(['a', 'b', 'c']);
      });
      route.get('/function').handle(() => () => 1);
      route.get('/raw').handle((ctx) => {
        ctx.rawResponse?.writeHead(299, { 'x-raw': '1' });
        ctx.rawResponse?.end('written by hand');
        return 'ignored';
      });
    }));
  });

  afterAll(() => server.close());

  it('renders a string as text/html with its byte length', async () => {
    const response = await send(server, '/string');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-length']).toBe(String(Buffer.byteLength('<p>héllo</p>')));
    expect(response.text).toBe('<p>héllo</p>');
  });

  it('keeps a content type the handler set', async () => {
    expect((await send(server, '/string-typed')).headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('renders undefined as 204 with no body, or keeps a status the handler set', async () => {
    for (const path of ['/undefined', '/async-undefined']) {
      const response = await send(server, path);
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
    }
    const redirect = await send(server, '/redirect');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('/string');
  });

  it('renders null, numbers and objects as JSON', async () => {
    const nullResponse = await send(server, '/null');
    expect(nullResponse.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(nullResponse.text).toBe('null');
    expect((await send(server, '/number')).text).toBe('0');
    const object = await send(server, '/object');
    expect(object.status).toBe(201);
    expect(object.json()).toEqual({ a: [1, 2], nested: { b: true } });
  });

  it('sends Buffers, Uint8Arrays and streams as they are', async () => {
    const buffer = await send(server, '/buffer');
    expect(buffer.headers['content-type']).toBe('application/octet-stream');
    expect([...buffer.bytes]).toEqual([0, 1, 2, 255]);
    expect([...(await send(server, '/uint8')).bytes]).toEqual([9, 8]);
    const stream = await send(server, '/stream');
    expect(stream.headers['content-type']).toBe('text/plain');
    expect(stream.text).toBe('abc');
  });

  it('answers 500 for a result JSON cannot represent', async () => {
    expect((await send(server, '/function')).status).toBe(500);
  });

  it('leaves alone a response the handler wrote itself', async () => {
    const response = await send(server, '/raw');
    expect(response.status).toBe(299);
    expect(response.text).toBe('written by hand');
  });
});

describe('errors', () => {
  let server: ArcadeServer;
  let logger: RecordingLogger;

  beforeAll(async () => {
    ({ server, logger } = await startApp((app) => {
      const { route } = app;
      route.get('/http/:kind').handle((ctx) => {
        throw exceptionFor(ctx.pathParameters.kind ?? '');
      });
      route.get('/custom').handle(() => {
        throw new ArcadeHttpException(
          "I'm a teapot",
          418,
          { brew: 'no' },
          { headers: { 'x-tea': 'earl grey' } },
        );
      });
      route.get('/validation').handle(() => {
        throw new UnprocessableEntityException({ message: 'Invalid input', errors: [{ field: 'name' }] });
      });
      route.get('/error').handle(() => {
        throw new Error('database password is hunter2');
      });
      route.get('/string-throw').handle(() => {
        throw 'a bare string';
      });
      route.get('/rejected').handle(() => Promise.reject({ not: 'an error' }));
      route.get('/keeps-headers').handle((ctx) => {
        ctx.responseHeaders.set('access-control-allow-origin', '*');
        ctx.responseHeaders.set('content-type', 'text/html');
        throw new ForbiddenException();
      });
      route
        .get('/after-throws')
        .handle(() => 'fine')
        .after(() => {
          throw new ConflictException();
        });
      route.get('/invalid-header-value').handle((ctx) => {
        ctx.responseHeaders.set('access-control-allow-origin', '*');
        ctx.responseHeaders.set('x-bad', 'line\nbreak');
        return 'unreachable';
      });
      route.get('/invalid-header-name').handle((ctx) => {
        ctx.responseHeaders.set('bad name', 'v');
        throw new ForbiddenException();
      });
      route.get('/invalid-exception-header').handle(() => {
        throw new TooManyRequestsException({ headers: { 'retry-after': '1\r\nx-injected: yes' } });
      });
      route
        .get('/bad-hook')
        .before(() => undefined as never)
        .handle(() => 'unreachable');
    }));
  });

  afterAll(() => server.close());

  function exceptionFor(kind: string): ArcadeHttpException {
    const all: Record<string, ArcadeHttpException> = {
      BadRequest: new BadRequestException(),
      Unauthorized: new UnauthorizedException(),
      Forbidden: new ForbiddenException(),
      NotFound: new NotFoundException(),
      MethodNotAllowed: new MethodNotAllowedException(),
      Conflict: new ConflictException(),
      PayloadTooLarge: new PayloadTooLargeException(),
      UnprocessableEntity: new UnprocessableEntityException(),
      TooManyRequests: new TooManyRequestsException({ headers: { 'retry-after': '3' } }),
      InternalServerError: new InternalServerErrorException(),
      ServiceUnavailable: new ServiceUnavailableException(),
    };
    return all[kind] ?? new BadRequestException({ message: `unknown kind ${kind}` });
  }

  it.each([
    ['BadRequest', 400, 'Bad request'],
    ['Unauthorized', 401, 'Unauthorized'],
    ['Forbidden', 403, 'Forbidden'],
    ['NotFound', 404, 'Not found'],
    ['MethodNotAllowed', 405, 'Method not allowed'],
    ['Conflict', 409, 'Conflict'],
    ['PayloadTooLarge', 413, 'Payload too large'],
    ['UnprocessableEntity', 422, 'Unprocessable entity'],
    ['TooManyRequests', 429, 'Too many requests'],
    ['InternalServerError', 500, 'Internal server error'],
    ['ServiceUnavailable', 503, 'Service unavailable'],
  ])('answers %sException with %i and its default message', async (kind, statusCode, message) => {
    const response = await send(server, `/http/${kind}`);
    expect(response.status).toBe(statusCode);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json()).toEqual({ error: { statusCode, message } });
  });

  it('sends the headers an exception carries', async () => {
    expect((await send(server, '/http/TooManyRequests')).headers['retry-after']).toBe('3');
    const custom = await send(server, '/custom');
    expect(custom.status).toBe(418);
    expect(custom.headers['x-tea']).toBe('earl grey');
    expect(custom.json()).toEqual({
      error: { statusCode: 418, message: "I'm a teapot", errors: { brew: 'no' } },
    });
  });

  it('adds errors to the body when given', async () => {
    expect((await send(server, '/validation')).json()).toEqual({
      error: { statusCode: 422, message: 'Invalid input', errors: [{ field: 'name' }] },
    });
  });

  it('answers 500 with a generic message for an Error and logs it with its stack', async () => {
    logger.entries.length = 0;
    const response = await send(server, '/error');
    expect(response.status).toBe(500);
    expect(response.json()).toEqual({ error: { statusCode: 500, message: 'Internal server error' } });
    expect(response.text).not.toContain('hunter2');
    const entry = logger.entries.find((candidate) => candidate.level === 'error');
    expect(entry?.fields).toMatchObject({
      method: 'GET',
      path: '/error',
      route: '/error',
      errorMessage: 'database password is hunter2',
    });
    expect(String(entry?.fields?.stack)).toContain('rendering.test.ts');
  });

  it('answers 500 for thrown or rejected non-Error values and logs them', async () => {
    logger.entries.length = 0;
    expect((await send(server, '/string-throw')).json()).toEqual({
      error: { statusCode: 500, message: 'Internal server error' },
    });
    expect((await send(server, '/rejected')).status).toBe(500);
    const messages = logger.entries
      .filter((entry) => entry.level === 'error')
      .map((e) => e.fields?.errorMessage);
    expect(messages).toEqual(['a bare string', '{"not":"an error"}']);
  });

  it('keeps the headers recorded before the throw, except the content headers', async () => {
    const response = await send(server, '/keeps-headers');
    expect(response.status).toBe(403);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('answers an invalid response header with 500 instead of crashing, keeping the valid ones', async () => {
    const response = await send(server, '/invalid-header-value');
    expect(response.status).toBe(500);
    expect(response.json()).toEqual({ error: { statusCode: 500, message: 'Internal server error' } });
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['x-bad']).toBeUndefined();
    expect(logger.entries.some((entry) => entry.fields?.header === 'x-bad')).toBe(true);
  });

  it('answers an exception even when a recorded header or its own header is invalid', async () => {
    const named = await send(server, '/invalid-header-name');
    expect(named.status).toBe(403);
    expect(named.json()).toEqual({ error: { statusCode: 403, message: 'Forbidden' } });
    const carried = await send(server, '/invalid-exception-header');
    expect(carried.status).toBe(429);
    expect(carried.headers['x-injected']).toBeUndefined();
  });

  it('answers an exception thrown by an after hook', async () => {
    expect((await send(server, '/after-throws')).status).toBe(409);
  });

  it('answers 500 when a before hook returns something other than a context', async () => {
    logger.entries.length = 0;
    expect((await send(server, '/bad-hook')).status).toBe(500);
    expect(logger.entries[0]?.fields?.errorMessage).toContain('A before hook must return a RequestContext');
  });

  it('refuses a non-error status code for ArcadeHttpException', () => {
    expect(() => new ArcadeHttpException('ok', 200)).toThrow(RangeError);
  });

  it('gives exceptions a stable code and name', () => {
    const error = new NotFoundException({ message: 'User not found' });
    expect(error).toBeInstanceOf(ArcadeHttpException);
    expect(error).toBeInstanceOf(Error);
    expect([error.code, error.name, error.statusCode, error.message]).toEqual([
      'NOT_FOUND',
      'NotFoundException',
      404,
      'User not found',
    ]);
    expect(new ArcadeHttpException('x', 418).code).toBe('HTTP_418');
  });
});

describe('exposeErrorDetails', () => {
  it('puts the name, message and stack in 500 bodies only when turned on', async () => {
    const define = (app: import('../src').App): void => {
      app.route.get('/boom').handle(() => {
        throw new TypeError('details please');
      });
    };
    const dev = await startApp(define, { exposeErrorDetails: true });
    const prod = await startApp(define);
    try {
      const body = (await send(dev.server, '/boom')).json() as {
        error: { details: { name: string; message: string; stack: string } };
      };
      expect(body.error.details).toMatchObject({ name: 'TypeError', message: 'details please' });
      expect(body.error.details.stack).toContain('TypeError: details please');
      expect((await send(prod.server, '/boom')).json()).toEqual({
        error: { statusCode: 500, message: 'Internal server error' },
      });
    } finally {
      await dev.server.close();
      await prod.server.close();
    }
  });
});
