import { deferred, TestClient } from '@arcade/test-support';
import { WebSocketError } from '../../src/errors';
import type { ArcadeWebSocket, WebSocketData } from '../../src/index';
import { WebSocketListenError } from '../../src/index';
import { clientFrame, closeAll, rawPeer, sayReadyAndHoldUntilClosed, startServer } from './harness';

afterEach(closeAll);

/** Resolves once the raw socket has received `count` messages (whoever listens to them). */
function rawMessages(websocket: ArcadeWebSocket, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    websocket.raw.on('message', () => {
      seen += 1;
      if (seen === count) resolve();
    });
  });
}

describe('the websocket wrapper', () => {
  it('delivers text frames as strings and binary frames as Uint8Array', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws/binary').handleWebSocket((_ctx, websocket) => {
        websocket.listen((data) => {
          if (typeof data === 'string') websocket.add(`Received text: ${data}`);
          else websocket.add(`Received ${data.byteLength} bytes, Uint8Array=${data instanceof Uint8Array}`);
        });
      });
    });
    const client = await TestClient.connect(url('/ws/binary'));
    client.send('héllo');
    client.send(new Uint8Array([1, 2, 3]));
    expect(await client.nextText()).toBe('Received text: héllo');
    expect(await client.nextText()).toBe('Received 3 bytes, Uint8Array=true');
  });

  it('sends a string as a text frame and bytes as a binary frame, byte for byte', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket((_ctx, websocket) => {
        websocket.add('{"looks":"like json"}');
        websocket.add('');
        websocket.add(new Uint8Array([1, 2, 3, 4, 5]));
        websocket.add(Buffer.from('raw'));
      });
    });
    const client = await TestClient.connect(url('/ws'));
    const received = await Promise.all([client.next(), client.next(), client.next(), client.next()]);
    expect(received.map(({ isBinary }) => isBinary)).toEqual([false, false, true, true]);
    expect(received[0]?.data.toString()).toBe('{"looks":"like json"}');
    expect(received[1]?.data.length).toBe(0);
    expect([...(received[2]?.data ?? [])]).toEqual([1, 2, 3, 4, 5]);
    expect(received[3]?.data.toString()).toBe('raw');
  });

  it('buffers the messages that arrive before listen and delivers them first, in order', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(
        (_ctx, websocket) => {
          websocket.listen((data) => websocket.add(`echo ${String(data)}`));
        },
        {
          onConnect: async (_ctx, websocket) => {
            const arrived = rawMessages(websocket, 3);
            websocket.add('ready');
            await arrived;
          },
        },
      );
    });
    const client = await TestClient.connect(url('/ws'));
    expect(await client.nextText()).toBe('ready');
    for (const message of ['a', 'b', 'c']) client.send(message);
    const echoes = [await client.nextText(), await client.nextText(), await client.nextText()];
    expect(echoes).toEqual(['echo a', 'echo b', 'echo c']);
    client.send('d');
    expect(await client.nextText()).toBe('echo d');
  });

  it('delivers buffered messages, then onDone, to a listener attached after the peer left', async () => {
    const delivered = deferred<string[]>();
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(
        (_ctx, websocket) => {
          const seen: string[] = [];
          websocket.listen((data) => seen.push(String(data)), {
            onDone: () => delivered.resolve([...seen, 'done']),
          });
        },
        {
          onConnect: sayReadyAndHoldUntilClosed,
        },
      );
    });
    const client = await TestClient.connect(url('/ws'));
    await client.nextText();
    client.send('one');
    client.send('two');
    client.socket.close();
    expect(await delivered.promise).toEqual(['one', 'two', 'done']);
  });

  it('lets listen be called once per connection', async () => {
    const secondCall = deferred<unknown>();
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket((_ctx, websocket) => {
        websocket.listen(() => {});
        try {
          websocket.listen(() => {});
          secondCall.resolve(undefined);
        } catch (error) {
          secondCall.resolve(error);
        }
      });
    });
    await TestClient.connect(url('/ws'));
    const error = await secondCall.promise;
    expect(error).toBeInstanceOf(WebSocketListenError);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error).toMatchObject({ code: 'ALREADY_LISTENING', name: 'WebSocketListenError' });
  });

  it('exposes readyState and the raw ws socket, and add returns false once closed', async () => {
    const states = deferred<{ open: number; closedState: number; addAfterClose: boolean }>();
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket((_ctx, websocket) => {
        const open = websocket.readyState;
        websocket.listen(() => {}, {
          onDone: () =>
            states.resolve({
              open,
              closedState: websocket.raw.readyState,
              addAfterClose: websocket.add('too late'),
            }),
        });
      });
    });
    const client = await TestClient.connect(url('/ws'));
    client.socket.close();
    expect(await states.promise).toEqual({ open: 1, closedState: 3, addAfterClose: false });
  });

  it('closes the connection with the code and reason given to close()', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket((_ctx, websocket) => {
        websocket.listen((data: WebSocketData) => {
          if (data === 'bye') websocket.close(4000, 'see you');
        });
      });
    });
    const client = await TestClient.connect(url('/ws'));
    client.send('bye');
    expect(await client.closed).toEqual({ code: 4000, reason: 'see you' });
  });

  it('sends what add() queued in the turn before a close frame and before a frame sent through raw', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket((_ctx, websocket) => {
        const { raw } = websocket; // a reference kept for later, as user code may hold one
        websocket.listen((data: WebSocketData) => {
          websocket.add('first');
          raw.send('second');
          websocket.add('third');
          if (data === 'bye') websocket.close(4001, 'after third');
        });
      });
    });
    const client = await TestClient.connect(url('/ws'));
    client.send('bye');
    expect([await client.nextText(), await client.nextText(), await client.nextText()]).toEqual([
      'first',
      'second',
      'third',
    ]);
    expect(await client.closed).toEqual({ code: 4001, reason: 'after third' });
  });

  it('answers a message that arrives with the peer’s close frame before echoing the close', async () => {
    const { server } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket((_ctx, websocket) => {
        websocket.listen((data: WebSocketData) => websocket.add(`ack ${String(data)}`));
      });
    });
    const peer = await rawPeer(server.port, '/ws');
    const received: Buffer[] = [];
    peer.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise((resolve) => peer.once('close', resolve));
    // One TCP write: ws reads the message and the close frame in the same turn.
    peer.write(Buffer.concat([clientFrame(0x1, 'bye'), clientFrame(0x8, Buffer.from([0x03, 0xe8]))]));
    await closed;
    const ack = Buffer.from('ack bye');
    expect(Buffer.concat(received)).toEqual(
      Buffer.concat([Buffer.from([0x81, ack.length]), ack, Buffer.from([0x88, 0x02, 0x03, 0xe8])]),
    );
  });

  it('closes with 1000 (normal closure) when close() is given no code, keeping a reason given alone', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket((_ctx, websocket) => {
        websocket.listen((data: WebSocketData) => {
          if (data === 'plain') websocket.close();
          if (data === 'reason only') websocket.close(undefined, 'done here');
        });
      });
    });
    const plain = await TestClient.connect(url('/ws'));
    plain.send('plain');
    const withReason = await TestClient.connect(url('/ws'));
    withReason.send('reason only');
    expect(await plain.closed).toEqual({ code: 1000, reason: '' });
    expect(await withReason.closed).toEqual({ code: 1000, reason: 'done here' });
  });

  it('keeps the order of add() calls across event-loop turns', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(async (_ctx, websocket) => {
        for (let index = 0; index < 50; index += 1) {
          websocket.add(String(index));
          if (index % 7 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      });
    });
    const client = await TestClient.connect(url('/ws'));
    const received: string[] = [];
    for (let index = 0; index < 50; index += 1) received.push(await client.nextText());
    expect(received).toEqual(Array.from({ length: 50 }, (_, index) => String(index)));
  });
});
