import { createServer, type Server, Socket } from 'node:net';
import { deferred, TcpProxy } from '../src';

/** A TCP server that records what each connection sent and answers each chunk with `<name>:<chunk>`. */
interface Upstream {
  readonly server: Server;
  readonly port: number;
  /** One entry per connection: what it received so far, and when it closed. */
  readonly connections: Array<{ received: string; closed: Promise<void> }>;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function upstream(name: string): Promise<Upstream> {
  const connections: Upstream['connections'] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const closed = deferred();
    const entry = { received: '', closed: closed.promise };
    connections.push(entry);
    socket.on('data', (chunk) => {
      entry.received += chunk.toString();
      socket.write(`${name}:${chunk}`);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => closed.resolve());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, connections };
}

async function proxyOf(port: number): Promise<TcpProxy> {
  const proxy = await TcpProxy.start(port);
  closers.unshift(() => proxy.close());
  return proxy;
}

/** A client connection through `proxy`, with what it received and how it ended. */
function connect(proxy: TcpProxy) {
  const socket = new Socket();
  const closed = deferred<boolean>();
  let received = '';
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk) => {
    received += chunk.toString();
    for (const waiter of waiters.splice(0)) waiter();
  });
  socket.on('error', () => undefined);
  socket.on('close', (hadError) => closed.resolve(hadError));
  socket.connect(proxy.port, '127.0.0.1');
  closers.push(async () => {
    socket.destroy();
  });
  return {
    socket,
    closed: closed.promise,
    /** Resolves once `text` was received. */
    async receive(text: string): Promise<void> {
      while (!received.includes(text)) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

it('forwards bytes both ways, untouched', async () => {
  const target = await upstream('a');
  const proxy = await proxyOf(target.port);
  const client = connect(proxy);
  client.socket.write('hello');
  await client.receive('a:hello');
  expect(target.connections[0]?.received).toBe('hello');
  expect(proxy.forwarded).toBe(1);
  expect(proxy.open).toBe(1);
});

it('cut() ends every connection on both sides; new connections still go through', async () => {
  const target = await upstream('a');
  const proxy = await proxyOf(target.port);
  const client = connect(proxy);
  client.socket.write('one');
  await client.receive('a:one');
  proxy.cut();
  expect(await client.closed).toBe(true);
  await target.connections[0]?.closed;
  expect(proxy.open).toBe(0);

  const next = connect(proxy);
  next.socket.write('two');
  await next.receive('a:two');
});

it('block() refuses connections until restore()', async () => {
  const target = await upstream('a');
  const proxy = await proxyOf(target.port);
  proxy.block();
  const refused = connect(proxy);
  await refused.closed;
  expect(proxy.forwarded).toBe(0);
  proxy.restore();
  const accepted = connect(proxy);
  accepted.socket.write('back');
  await accepted.receive('a:back');
  expect(target.connections).toHaveLength(1);
});

it('freeze() forwards nothing more on the open connections, and says nothing', async () => {
  const target = await upstream('a');
  const proxy = await proxyOf(target.port);
  const client = connect(proxy);
  client.socket.write('before');
  await client.receive('a:before');
  proxy.freeze();
  client.socket.write('after');
  // What reached the target before its connection ended is all it will ever get (TCP keeps the order).
  proxy.cut();
  await target.connections[0]?.closed;
  expect(target.connections[0]?.received).toBe('before');
});

it('retarget() sends the next connections elsewhere; the open ones stay', async () => {
  const first = await upstream('a');
  const second = await upstream('b');
  const proxy = await proxyOf(first.port);
  const staying = connect(proxy);
  staying.socket.write('x');
  await staying.receive('a:x');
  proxy.retarget(second.port);
  expect(proxy.targetPort).toBe(second.port);
  const moved = connect(proxy);
  moved.socket.write('y');
  await moved.receive('b:y');
  staying.socket.write('z');
  await staying.receive('a:z');
});

it('ends the other side gracefully when one side closes, after what it still had to send', async () => {
  const target = await upstream('a');
  const proxy = await proxyOf(target.port);
  const client = connect(proxy);
  client.socket.end('last words');
  await client.receive('a:last words');
  expect(await client.closed).toBe(false);
  await target.connections[0]?.closed;
});
