import { spawn } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { waitFor } from '@arcade/test-support';
import { Redis } from 'ioredis';
import {
  findRedisServer,
  RedisServerNotFoundError,
  type RedisTestServer,
  startRedisServer,
} from '../src/testing';

async function withClient<T>(url: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, {
    // RESP2: a RESP3 client's HELLO without a password is refused and the connection closed before
    // any command, which would hide the NOAUTH reply this file checks for.
    protocol: 2,
    lazyConnect: true,
    enableReadyCheck: false,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

describe('startRedisServer', () => {
  let server: RedisTestServer | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('starts a server on 127.0.0.1 that answers PING', async () => {
    server = await startRedisServer();
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    await expect(withClient(server.url, (client) => client.ping())).resolves.toBe('PONG');
  });

  it('restart brings the server back empty on the same port', async () => {
    server = await startRedisServer();
    const { port, url } = server;
    await withClient(url, (client) => client.set('k', 'v'));
    await server.restart();
    expect(server.port).toBe(port);
    await expect(withClient(url, (client) => client.get('k'))).resolves.toBeNull();
  });

  it('kill takes the server down until restart', async () => {
    server = await startRedisServer();
    const { url } = server;
    await server.kill();
    await expect(withClient(url, (client) => client.ping())).rejects.toThrow();
    await server.restart();
    await expect(withClient(url, (client) => client.ping())).resolves.toBe('PONG');
  });

  it('pause leaves commands unanswered on an open connection until resume, which keeps the data', async () => {
    server = await startRedisServer();
    const paused = server;
    await withClient(paused.url, async (client) => {
      await client.set('k', 'v');
      await paused.pause();
      const answer = client.get('k');
      const unanswered = Symbol('unanswered');
      const settled = await Promise.race([answer, delay(300).then(() => unanswered)]);
      expect(settled).toBe(unanswered);
      await paused.resume();
      await expect(answer).resolves.toBe('v');
    });
  });

  it('stops a paused server', async () => {
    const paused = await startRedisServer();
    await paused.pause();
    await paused.stop();
    await expect(withClient(paused.url, (client) => client.ping())).rejects.toThrow();
  });

  it('requires the password it was given and puts it in the url', async () => {
    server = await startRedisServer({ password: 's3cret/+' });
    expect(server.url).toBe(`redis://:s3cret%2F%2B@127.0.0.1:${server.port}`);
    await expect(withClient(server.url, (client) => client.ping())).resolves.toBe('PONG');
    await expect(withClient(`redis://127.0.0.1:${server.port}`, (client) => client.get('k'))).rejects.toThrow(
      /NOAUTH/,
    );
  });

  it('stop is idempotent and restart after stop fails', async () => {
    const started = await startRedisServer();
    await started.stop();
    await started.stop();
    await expect(started.restart()).rejects.toThrow(/stopped/);
  });

  it('two servers get two ports', async () => {
    server = await startRedisServer();
    const other = await startRedisServer();
    try {
      expect(other.port).not.toBe(server.port);
    } finally {
      await other.stop();
    }
  });
});

/** Resolves whether something accepts a TCP connection on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('a process that exits without stop()', () => {
  it('takes its redis-server down with it', async () => {
    // The built helper, as a user's test process loads it (turbo builds the package before its tests).
    const helper = join(__dirname, '..', 'dist', 'testing');
    const script = `require(${JSON.stringify(helper)}).startRedisServer().then((s) => {
      process.stdout.write(String(s.port));
      process.exit(0);
    });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await new Promise((resolve) => child.once('close', resolve));
    const port = Number(output);
    expect(port).toBeGreaterThan(0);
    // SIGKILL was sent as the process exited; the kernel needs a moment to close the socket.
    await waitFor(async () => !(await accepts(port)), {
      description: `the orphaned redis-server to stop listening on ${port}`,
      timeoutMs: 20_000,
    });
  });
});

describe('restart when the port is taken by someone else', () => {
  let blocker: Server | undefined;

  afterEach(async () => {
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  });

  it('fails instead of talking to a server it did not start', async () => {
    const server = await startRedisServer({ readyTimeoutMs: 2000 });
    try {
      await server.kill();
      // A listener that is not Redis: it accepts and hangs up.
      blocker = createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => blocker?.listen(server.port, '127.0.0.1', resolve));
      await expect(server.restart()).rejects.toThrow(/redis-server/);
    } finally {
      await server.stop();
    }
  });
  it('fails instead of using a Redis someone else started on its port', async () => {
    const server = await startRedisServer({ readyTimeoutMs: 2000 });
    // Ours is killed before the foreign one starts: started first, on a loaded machine the foreign one
    // could try the port while ours still held it, fail to bind and exit.
    await server.kill();
    const foreign = spawn(
      findRedisServer(),
      ['--port', String(server.port), '--bind', '127.0.0.1', '--save', ''],
      {
        stdio: 'ignore',
      },
    );
    try {
      // Wait for the foreign server to own the port before restarting ours.
      await waitFor(() => accepts(server.port), { description: 'the foreign redis-server to listen' });
      await expect(server.restart()).rejects.toThrow(/did not start/);
      await withClient(`redis://127.0.0.1:${server.port}`, async (client) => {
        const info = await client.info('server');
        expect(info).toContain(`process_id:${foreign.pid}`);
      });
    } finally {
      foreign.kill('SIGKILL');
      await new Promise((resolve) => foreign.once('close', resolve));
      await server.stop();
    }
  });
});

describe('findRedisServer', () => {
  it('names the Debian package when redis-server is missing', () => {
    expect(() => findRedisServer({ PATH: '/nonexistent' }, [])).toThrow(/Debian package `redis-server`/);
  });

  it('startRedisServer rejects with the Debian package name when the binary is missing', async () => {
    const saved = process.env.REDIS_SERVER_BIN;
    process.env.REDIS_SERVER_BIN = '/nonexistent/redis-server';
    try {
      await expect(startRedisServer()).rejects.toThrow(/Debian package `redis-server`/);
    } finally {
      if (saved === undefined) delete process.env.REDIS_SERVER_BIN;
      else process.env.REDIS_SERVER_BIN = saved;
    }
  });

  it('honours REDIS_SERVER_BIN', () => {
    const bin = findRedisServer();
    expect(findRedisServer({ PATH: '', REDIS_SERVER_BIN: bin })).toBe(bin);
    expect(() => findRedisServer({ REDIS_SERVER_BIN: '/nonexistent/redis-server' })).toThrow(
      RedisServerNotFoundError,
    );
  });
});
