import { deferred, TestClient } from '@arcade/test-support';
import { closeAll, startServer } from './harness';

afterEach(closeAll);

describe('error policy', () => {
  it('logs a throwing handler, closes that connection with 1011 and keeps serving others', async () => {
    const { url, logger } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket((ctx, websocket) => {
        if (ctx.queryParameters.fail === 'yes') throw new Error('handler exploded');
        websocket.add('fine');
      });
    });
    const failing = await TestClient.connect(url('/ws?fail=yes'));
    expect((await failing.closed).code).toBe(1011);
    const entry = await logger.waitFor((e) => e.level === 'error');
    expect(entry.fields).toMatchObject({ connectionId: expect.any(String), path: '/ws' });
    expect(String(entry.fields?.errorMessage)).toContain('handler exploded');
    const healthy = await TestClient.connect(url('/ws'));
    expect(await healthy.nextText()).toBe('fine');
  });

  it('closes with 1011 when an async handler rejects', async () => {
    const { url, logger } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(async () => {
        await Promise.resolve();
        throw new Error('async failure');
      });
    });
    const client = await TestClient.connect(url('/ws'));
    expect((await client.closed).code).toBe(1011);
    await logger.waitFor(
      (e) => e.level === 'error' && String(e.fields?.errorMessage).includes('async failure'),
    );
  });

  it('closes with 1011 when onConnect throws, skips the handler and still runs the after hooks', async () => {
    let handlerCalls = 0;
    const after = deferred<string>();
    const { url, logger } = await startServer((app) => {
      app.route
        .get('/ws')
        .handleWebSocket(
          () => {
            handlerCalls += 1;
          },
          {
            onConnect: async () => {
              throw new Error('onConnect failed');
            },
          },
        )
        .after((_ctx, _result, id) => after.resolve(id));
    });
    const client = await TestClient.connect(url('/ws'));
    expect((await client.closed).code).toBe(1011);
    expect(await after.promise).toEqual(expect.any(String));
    expect(handlerCalls).toBe(0);
    await logger.waitFor(
      (e) => e.level === 'error' && String(e.fields?.errorMessage).includes('onConnect failed'),
    );
  });

  it('logs a throwing listener and keeps the connection open', async () => {
    const { url, logger } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket((_ctx, websocket) => {
        websocket.listen((data) => {
          if (data === 'boom') throw new Error('listener exploded');
          if (data === 'async boom') return Promise.reject(new Error('listener rejected'));
          websocket.add(`echo ${String(data)}`);
          return undefined;
        });
      });
    });
    const client = await TestClient.connect(url('/ws'));
    client.send('boom');
    client.send('async boom');
    client.send('still here?');
    expect(await client.nextText()).toBe('echo still here?');
    await logger.waitFor((e) => String(e.fields?.errorMessage).includes('listener exploded'));
    await logger.waitFor((e) => String(e.fields?.errorMessage).includes('listener rejected'));
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it('logs a throwing onDone without affecting the after hooks', async () => {
    const after = deferred();
    const { url, logger } = await startServer((app) => {
      app.route
        .get('/ws')
        .handleWebSocket((_ctx, websocket) => {
          websocket.listen(() => {}, {
            onDone: () => {
              throw new Error('onDone exploded');
            },
          });
        })
        .after(() => after.resolve());
    });
    const client = await TestClient.connect(url('/ws'));
    client.socket.close();
    await after.promise;
    await logger.waitFor((e) => String(e.fields?.errorMessage).includes('onDone exploded'));
  });

  it('logs a throwing after hook and still runs the next one', async () => {
    const second = deferred<string>();
    const { url, logger } = await startServer((app) => {
      app.route
        .get('/ws')
        .handleWebSocket(() => {})
        .after(() => {
          throw new Error('after hook exploded');
        })
        .after((_ctx, _result, id) => second.resolve(id));
    });
    const client = await TestClient.connect(url('/ws'));
    client.socket.close();
    expect(await second.promise).toEqual(expect.any(String));
    await logger.waitFor((e) => String(e.fields?.errorMessage).includes('after hook exploded'));
  });
});
