import { connect, type Socket } from 'node:net';
import type { RedisTestCluster } from '@arcade/cache-redis/testing';
import type { StoredKey } from './tracking-cache';

type Reply = string | number | null | Reply[] | Error;

/** Parses one RESP2 reply from `buffer` at `offset`; undefined when incomplete. */
function parseReply(buffer: Buffer, offset: number): { value: Reply; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset] as number);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new Error(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: Reply[] = [];
      let cursor = next;
      for (let index = 0; index < count; index++) {
        const item = parseReply(buffer, cursor);
        if (!item) return undefined;
        items.push(item.value);
        cursor = item.end;
      }
      return { value: items, end: cursor };
    }
    default:
      throw new Error(`unexpected RESP type ${JSON.stringify(type)}`);
  }
}

/** What tests read of the storage, whether one server or a cluster. */
export interface Inspector {
  /** One command; on a cluster, sent to the master of the key in `args[1]`. */
  command(...args: string[]): Promise<Reply>;
  /** Every key with its content as text. */
  snapshot(): Promise<StoredKey[]>;
  /** Milliseconds `key` has left to live: -1 when it never expires, -2 when it does not exist. */
  ttlMs(key: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * A minimal Redis client that lets tests look at what is stored, independently of the adapter under
 * test. Commands are sent one at a time, in the order they were made.
 */
export class RedisInspector implements Inspector {
  private buffer = Buffer.alloc(0);
  private waiting: ((reply: Reply) => void) | undefined;
  private turn: Promise<unknown> = Promise.resolve();

  private constructor(private readonly socket: Socket) {
    socket.on('error', (error) => this.waiting?.(error));
    socket.on('close', () => this.waiting?.(new Error('the Redis connection closed')));
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      const parsed = parseReply(this.buffer, 0);
      if (!parsed || !this.waiting) return;
      this.buffer = this.buffer.subarray(parsed.end);
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve(parsed.value);
    });
  }

  static open(port: number): Promise<RedisInspector> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new RedisInspector(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends one command once the previous ones have been answered, so concurrent callers may share it. */
  command(...args: string[]): Promise<Reply> {
    const reply = this.turn.then(() => this.send(args));
    this.turn = reply.catch(() => undefined);
    return reply;
  }

  private send(args: readonly string[]): Promise<Reply> {
    const parts = [`*${args.length}\r\n`];
    for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
    return new Promise((resolve, reject) => {
      this.waiting = (reply) => {
        this.waiting = undefined;
        if (reply instanceof Error) reject(reply);
        else resolve(reply);
      };
      this.socket.write(parts.join(''));
    });
  }

  /** Every key of the database with its content as text (set/list/zset members, hash fields and values). */
  async snapshot(): Promise<StoredKey[]> {
    const keys = (await this.command('KEYS', '*')) as string[];
    const stored: StoredKey[] = [];
    for (const key of keys.sort()) {
      const type = (await this.command('TYPE', key)) as string;
      let content: Reply;
      if (type === 'string') content = await this.command('GET', key);
      else if (type === 'set') content = await this.command('SMEMBERS', key);
      else if (type === 'hash') content = await this.command('HGETALL', key);
      else if (type === 'list') content = await this.command('LRANGE', key, '0', '-1');
      else if (type === 'zset') content = await this.command('ZRANGE', key, '0', '-1');
      else continue; // expired between KEYS and TYPE
      const texts = (Array.isArray(content) ? content : [content]).map(String);
      stored.push({ key, kind: type === 'string' ? 'value' : 'set', content: texts });
    }
    return stored;
  }

  /** Milliseconds `key` has left to live: -1 when it never expires, -2 when it does not exist. */
  async ttlMs(key: string): Promise<number> {
    return (await this.command('PTTL', key)) as number;
  }

  /** Channels with at least one subscriber right now. */
  async channels(): Promise<string[]> {
    return ((await this.command('PUBSUB', 'CHANNELS')) as string[]).sort();
  }

  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }
}

/** An {@link Inspector} over every master of a Redis Cluster (the topology as it was when opened). */
export class ClusterInspector implements Inspector {
  private constructor(
    private readonly cluster: RedisTestCluster,
    private readonly masters: ReadonlyArray<{
      readonly slots: ReadonlyArray<readonly [number, number]>;
      readonly inspector: RedisInspector;
    }>,
  ) {}

  static async open(cluster: RedisTestCluster): Promise<ClusterInspector> {
    const masters = await cluster.masters();
    return new ClusterInspector(
      cluster,
      await Promise.all(
        masters.map(async ({ port, slots }) => ({ slots, inspector: await RedisInspector.open(port) })),
      ),
    );
  }

  command(...args: string[]): Promise<Reply> {
    return this.ownerOf(args[1] ?? '').command(...args);
  }

  async snapshot(): Promise<StoredKey[]> {
    const all = await Promise.all(this.masters.map(({ inspector }) => inspector.snapshot()));
    return all.flat().sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  }

  ttlMs(key: string): Promise<number> {
    return this.ownerOf(key).ttlMs(key);
  }

  async close(): Promise<void> {
    await Promise.all(this.masters.map(({ inspector }) => inspector.close()));
  }

  private ownerOf(key: string): RedisInspector {
    const slot = this.cluster.slotOf(key);
    const owner = this.masters.find(({ slots }) =>
      slots.some(([first, last]) => slot >= first && slot <= last),
    );
    if (!owner) throw new Error(`no master serves slot ${slot} of ${JSON.stringify(key)}`);
    return owner.inspector;
  }
}
