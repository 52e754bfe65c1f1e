import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { RequestContext } from '@arcade/core';
import { deferred, TestClient } from '@arcade/test-support';
import { closeAll, startServer } from './harness';

afterEach(closeAll);

// A full GC on demand, without starting jest under --expose-gc.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Whether what `ref` points to survives a full GC (after the current job, which keeps it alive). */
async function survivesGc(ref: WeakRef<object>): Promise<boolean> {
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
  return ref.deref() !== undefined;
}

describe('what an open connection keeps alive', () => {
  it('releases the request context once the handler has settled, when the route has no after hook', async () => {
    const seen = deferred<WeakRef<RequestContext>>();
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket((ctx, websocket) => {
        seen.resolve(new WeakRef(ctx));
        websocket.listen((data) => websocket.add(data));
      });
    });
    const client = await TestClient.connect(url('/ws'));
    const ref = await seen.promise;
    client.send('still served');
    expect(await client.nextText()).toBe('still served');
    expect(await survivesGc(ref)).toBe(false);
  });

  it('keeps the request context for the after hooks while the connection is open', async () => {
    const seen = deferred<WeakRef<RequestContext>>();
    const after = deferred<string | undefined>();
    const { url } = await startServer((app) => {
      app.route
        .get('/ws/:room')
        .handleWebSocket((ctx) => {
          seen.resolve(new WeakRef(ctx));
        })
        .after((ctx) => after.resolve(ctx.pathParameters.room));
    });
    const client = await TestClient.connect(url('/ws/lobby'));
    expect(await survivesGc(await seen.promise)).toBe(true);
    client.socket.close();
    expect(await after.promise).toBe('lobby');
  });
});
