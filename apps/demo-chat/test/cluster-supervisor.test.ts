import net from 'node:net';
import { httpRequest, waitFor } from '@arcade/test-support';
import { ChatClient } from './support/chat-client';
import { type ClusterScript, startClusterScript, stopClusterScript } from './support/cluster-script';

// `scripts/cluster.js` (what `npm run cluster` runs) when its redis-server dies: the two instances
// are built to ride out a storage outage, so the script keeps them up and starts Redis again.

/** Generous for a loaded 2-core machine: Redis restarts after a short backoff, then both instances reconnect. */
const RECOVERY_LIMIT_MS = 30_000;

let cluster: ClusterScript;
const clients: ChatClient[] = [];

async function clientOn(url: string, name: string): Promise<ChatClient> {
  const client = await ChatClient.connect(url, name);
  clients.push(client);
  return client;
}

/** The port of the redis-server the script printed. */
function redisPort(): number {
  const match = /^Redis:\s+redis:\/\/127\.0\.0\.1:(\d+)$/m.exec(cluster.output);
  if (!match?.[1]) throw new Error(`cluster.js printed no Redis line:\n${cluster.output}`);
  return Number(match[1]);
}

/** The process id of the redis-server answering on `port` (`INFO server`), to kill it as a crash would. */
function redisPid(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.on('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      const match = /process_id:(\d+)/.exec(reply);
      if (match?.[1]) {
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`no redis-server answered INFO on port ${port}`)));
  });
}

async function healthOf(url: string): Promise<number> {
  return (await httpRequest(`${url}/healthz`)).status;
}

/** Sends chat lines from `from` until one reaches `to`: the first may meet a storage still reconnecting. */
async function chatGetsThrough(from: ChatClient, to: ChatClient, label: string): Promise<void> {
  let attempt = 0;
  await waitFor(
    async () => {
      attempt += 1;
      const text = `${label} ${attempt}`;
      if ((await from.trySay(text)) !== 'sent') return false;
      await to.next('line', (line) => line.text === text);
      return true;
    },
    {
      description: `a chat line (${label}) crossing instances`,
      timeoutMs: RECOVERY_LIMIT_MS,
      intervalMs: 1000,
    },
  );
}

beforeAll(async () => {
  cluster = await startClusterScript();
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  if (cluster) await stopClusterScript(cluster);
});

it('keeps both instances up when its redis-server dies, restarts Redis, and cross-instance chat resumes', async () => {
  const ada = await clientOn(cluster.urlA, 'Ada');
  const bea = await clientOn(cluster.urlB, 'Bea');
  await ada.join('resilient');
  await bea.join('resilient');
  await chatGetsThrough(ada, bea, 'before');

  const port = redisPort();
  const crashed = await redisPid(port);
  let connectionsClosed = false;
  for (const member of [ada, bea]) {
    member.client.onStatus(() => {
      connectionsClosed = true;
    });
  }
  process.kill(crashed, 'SIGKILL');

  await waitFor(() => /redis-server stopped \(killed by SIGKILL\)/.test(cluster.printedSoFar()), {
    description: 'the script reporting the dead redis-server',
  });
  expect(cluster.printedSoFar()).toMatch(
    new RegExp(`the instances stay up .*restarting redis-server on port ${port} in \\d+ ms \\(attempt 1\\)`),
  );
  await waitFor(() => /redis-server is back on port/.test(cluster.printedSoFar()), {
    description: 'the script reporting Redis back',
    timeoutMs: RECOVERY_LIMIT_MS,
  });
  expect(await redisPid(port)).not.toBe(crashed);
  expect(cluster.process.exitCode).toBeNull();

  // Both instances stayed up all along, and are ready again once they have reconnected.
  for (const url of [cluster.urlA, cluster.urlB]) {
    await waitFor(async () => (await healthOf(url)) === 200, {
      description: `${url}/healthz answering 200 again`,
      timeoutMs: RECOVERY_LIMIT_MS,
    });
  }
  // The users' connections were never closed, and their chat crosses instances again.
  await chatGetsThrough(ada, bea, 'after, A to B');
  await chatGetsThrough(bea, ada, 'after, B to A');
  expect(connectionsClosed).toBe(false);

  // Newcomers on the restarted (empty) Redis meet each other across instances too.
  const cara = await clientOn(cluster.urlA, 'Cara');
  const dan = await clientOn(cluster.urlB, 'Dan');
  await cara.join('reborn');
  expect((await dan.join('reborn')).members.map((member) => member.name)).toEqual(['Cara', 'Dan']);
  await chatGetsThrough(dan, cara, 'newcomers');
});

it('stops both instances, then Redis, on Ctrl+C', async () => {
  const port = redisPort();
  expect(await stopClusterScript(cluster, 'SIGINT')).toBe(0);
  await expect(redisPid(port)).rejects.toThrow();
  expect((await httpRequest(`${cluster.urlA}/healthz`).catch(() => undefined))?.status).toBeUndefined();
});
