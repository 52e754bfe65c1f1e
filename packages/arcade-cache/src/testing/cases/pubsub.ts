// One case group per file (suite.ts registers them as one describe each): every case of pub/sub,
// with the few helpers only they use.
import assert from 'node:assert/strict';
import type { CacheManager, CacheStatus, PubSubMessage } from '../../cache-manager';
import { assertBytes, assertMessage, quote, sizeName } from '../assertions';
import type { Harness } from '../harness';
import type { CaseGroup } from './case-spec';
import { envelopeBytes, envelopeText, KIB, MIB, TRICKY_NAMES } from './payloads';
import { TRICKY_STRINGS } from './values';

/** A listener that records what it receives. */
function recorder(): {
  messages: PubSubMessage[];
  channels: string[];
  listener: (m: PubSubMessage, c: string) => void;
} {
  const messages: PubSubMessage[] = [];
  const channels: string[] = [];
  return {
    messages,
    channels,
    listener: (message, channel) => {
      messages.push(message);
      channels.push(channel);
    },
  };
}

/** Two adapters of one namespace: `got` records what `subscriber` hears on `channel`. */
async function subscribedPair(h: Harness, name: string) {
  const subscriber = await h.open();
  const publisher = await h.open();
  const channel = h.channel(name);
  const got = recorder();
  await subscriber.subscribe(channel, got.listener);
  return { subscriber, publisher, channel, got };
}

function waitForCount(h: Harness, what: string, list: readonly unknown[], count: number): Promise<void> {
  return h.waitFor(`${count} ${what} (got ${list.length})`, () => list.length >= count);
}

/**
 * Names a message for comparing orders: its kind and content, whatever class its bytes have (a
 * `Buffer` and a `Uint8Array` of the same bytes get the same label), or its size when it is long.
 */
function orderLabel(message: PubSubMessage): string {
  if (typeof message === 'string') return message.length <= 40 ? quote(message) : sizeName(message, 'text');
  return message.byteLength <= 20
    ? `bytes <${Buffer.from(message).toString('hex')}>`
    : sizeName(message, 'bytes');
}

/**
 * Asserts that `received` are the `sent` messages, in the same order, each exactly: a message out of
 * order is reported as such, one that changed (cut short, bytes as text...) by its size and kind.
 */
function assertReceivedInOrder(received: readonly PubSubMessage[], sent: readonly PubSubMessage[]): void {
  const got = received.map(orderLabel);
  const expected = sent.map(orderLabel);
  assert.equal(
    received.length,
    sent.length,
    `${received.length} messages arrived, ${sent.length} were published`,
  );
  const sameMessages = [...got].sort().join('\n') === [...expected].sort().join('\n');
  if (sameMessages && got.join('\n') !== expected.join('\n')) {
    assert.fail(`the messages arrived in another order than they were published: ${got.join(', ')}`);
  }
  sent.forEach((message, index) => {
    assertMessage(received[index], message, `${sizeName(message)} (published #${index + 1})`);
  });
}

/** Records every status `adapter` reports until `stop()`. */
function statusLog(adapter: CacheManager): { seen: CacheStatus[]; stop: () => void } {
  const seen: CacheStatus[] = [];
  const stop = adapter.onStatusChange((status) => seen.push(status));
  return { seen, stop };
}

/** Whether `seen` reports a lost connection (any status but `ready`) and `ready` after it. */
function reconnected(seen: readonly CacheStatus[]): boolean {
  const lost = seen.findIndex((status) => status !== 'ready');
  return lost !== -1 && seen.indexOf('ready', lost) !== -1;
}

export const pubSubCases: CaseGroup = {
  group: 'pub/sub',
  cases: [
    {
      name: 'a message published on one adapter reaches a listener on another, with its channel name',
      async run(h) {
        const { publisher, channel, got } = await subscribedPair(h, 'news');
        assert.equal(await publisher.publish(channel, 'hello'), 1);
        await waitForCount(h, 'messages', got.messages, 1);
        assert.deepEqual(got.messages, ['hello']);
        assert.deepEqual(got.channels, [channel], 'the listener receives the channel as subscribed');
      },
    },
    {
      name: 'subscribe resolves only once live: a message published right after it arrives',
      async run(h) {
        const subscriber = await h.open();
        const publisher = await h.open();
        for (let round = 0; round < 10; round += 1) {
          const channel = h.channel(`live-${round}`);
          const got = recorder();
          await subscriber.subscribe(channel, got.listener);
          assert.equal(await publisher.publish(channel, `m${round}`), 1, `round ${round}: nobody heard`);
          await waitForCount(h, 'messages', got.messages, 1);
        }
      },
    },
    {
      name: 'publish resolves 0 for a channel nobody hears',
      async run(h) {
        const cache = await h.open();
        assert.equal(await cache.publish(h.channel('nobody'), 'lost'), 0);
        assert.equal(await cache.publish(h.channel('nobody'), Uint8Array.from([1])), 0);
      },
    },
    {
      name: 'publish counts subscribed adapters, however many listeners each has',
      async run(h) {
        const first = await h.open();
        const second = await h.open();
        const channel = h.channel('count');
        const a = recorder();
        const b = recorder();
        const c = recorder();
        await first.subscribe(channel, a.listener);
        await first.subscribe(channel, b.listener);
        assert.equal(await first.publish(channel, 'one adapter'), 1);
        await second.subscribe(channel, c.listener);
        assert.equal(await second.publish(channel, 'two adapters'), 2);
        await waitForCount(h, 'messages on the second adapter', c.messages, 1);
        await waitForCount(h, 'messages on the first listener', a.messages, 2);
        await waitForCount(h, 'messages on the second listener', b.messages, 2);
        assert.deepEqual(a.messages, ['one adapter', 'two adapters']);
        assert.deepEqual(b.messages, ['one adapter', 'two adapters']);
      },
    },
    {
      name: 'payloads arrive exactly as published: strings as strings, bytes as Uint8Array',
      async run(h) {
        const { publisher, channel, got } = await subscribedPair(h, 'exact');
        const binary: Uint8Array[] = [
          new Uint8Array(0),
          Uint8Array.from({ length: 256 }, (_, i) => i),
          new TextEncoder().encode('{"a":1}'),
          new TextEncoder().encode('text'),
          Buffer.from([0xff, 0x00]),
        ];
        const sent: PubSubMessage[] = [...TRICKY_STRINGS, ...binary];
        for (const message of sent) await publisher.publish(channel, message);
        await waitForCount(h, 'messages', got.messages, sent.length);
        assert.equal(got.messages.length, sent.length, 'extra messages arrived');
        sent.forEach((message, index) => {
          const expected = typeof message === 'string' ? message : Uint8Array.from(message);
          assertMessage(got.messages[index], expected, `message #${index + 1}, ${orderLabel(message)}`);
        });
      },
    },
    {
      name: 'messages from one publisher arrive in publish order',
      async run(h) {
        const { publisher, channel, got } = await subscribedPair(h, 'order');
        const sent = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? `m${i}` : Buffer.from(`b${i}`)));
        await Promise.all(sent.map((message) => publisher.publish(channel, message)));
        await waitForCount(h, 'messages', got.messages, sent.length);
        // Labels, not the messages: a Buffer and a Uint8Array of the same bytes are the same message.
        assert.deepEqual(got.messages.map(orderLabel), sent.map(orderLabel));
      },
    },
    {
      name: 'messages of 64 KiB and 1 MiB arrive whole, in call order among small ones, as text and as bytes',
      async run(h) {
        const { publisher, channel, got } = await subscribedPair(h, 'large');
        // As @arcade/ws sends them: envelopes with NUL bytes, up to maxPayload and beyond, published
        // without awaiting each other (an adapter with a limit, such as NOTIFY's 8000 bytes, fails here).
        const sent: PubSubMessage[] = [
          'small before',
          envelopeText(64 * KIB),
          envelopeBytes(64 * KIB),
          'small between',
          envelopeText(MIB),
          envelopeBytes(MIB),
          Buffer.from('small bytes after'),
          'small after',
        ];
        const counts = await Promise.all(sent.map((message) => publisher.publish(channel, message)));
        counts.forEach((count, index) => {
          assert.equal(
            count,
            1,
            `publish of the ${sizeName(sent[index] as PubSubMessage)} resolved ${count}`,
          );
        });
        await waitForCount(h, 'messages', got.messages, sent.length);
        assertReceivedInOrder(got.messages, sent);
      },
    },
    {
      name: 'channel names with NUL, control, glob and unicode characters are channels of their own',
      async run(h) {
        const subscriber = await h.open();
        const publisher = await h.open();
        const ears = TRICKY_NAMES.map((name) => ({ name, channel: h.channel(name), got: recorder() }));
        for (const { channel, got } of ears) await subscriber.subscribe(channel, got.listener);
        for (const { name, channel } of ears) {
          assert.equal(await publisher.publish(channel, name), 1, `publish on channel ${quote(channel)}`);
        }
        for (const { name, channel, got } of ears) {
          await waitForCount(h, `messages on channel ${quote(channel)}`, got.messages, 1);
          assert.deepEqual(
            got.messages.map((message) => orderLabel(message)),
            [orderLabel(name)],
            `channel ${quote(channel)} heard what was published on other channels`,
          );
          assert.deepEqual(got.channels, [channel], `the listener of ${quote(channel)} got another name`);
        }
      },
    },
    {
      name: 'delivery is asynchronous: no listener runs inside publish',
      async run(h) {
        const cache = await h.open();
        const channel = h.channel('async');
        let publishing = false;
        const seenDuringPublish: boolean[] = [];
        await cache.subscribe(channel, () => seenDuringPublish.push(publishing));
        publishing = true;
        const pending = cache.publish(channel, 'm');
        publishing = false;
        await pending;
        await waitForCount(h, 'deliveries', seenDuringPublish, 1);
        assert.deepEqual(seenDuringPublish, [false], 'a listener ran synchronously inside publish()');
      },
    },
    {
      name: 'unsubscribe stops delivery to that listener only, and is idempotent',
      async run(h) {
        const cache = await h.open();
        const channel = h.channel('unsub');
        const stopped = recorder();
        const kept = recorder();
        const unsubscribe = await cache.subscribe(channel, stopped.listener);
        await cache.subscribe(channel, kept.listener);
        await cache.publish(channel, 'first');
        await waitForCount(h, 'messages', stopped.messages, 1);
        await unsubscribe();
        await unsubscribe();
        await cache.publish(channel, 'second');
        // Both listeners share the adapter's delivery order: once `kept` has the second message,
        // `stopped` would have had it too.
        await waitForCount(h, 'messages', kept.messages, 2);
        assert.deepEqual(stopped.messages, ['first']);
      },
    },
    {
      name: 'once the last listener unsubscribes, publish counts the adapter no more',
      async run(h) {
        const subscriber = await h.open();
        const publisher = await h.open();
        const channel = h.channel('last');
        const unsubscribeA = await subscriber.subscribe(channel, () => {});
        const unsubscribeB = await subscriber.subscribe(channel, () => {});
        await unsubscribeA();
        assert.equal(await publisher.publish(channel, 'still one listener'), 1);
        await unsubscribeB();
        assert.equal(await publisher.publish(channel, 'nobody'), 0);
      },
    },
    {
      name: 'an adapter that unsubscribes or is disposed leaves the other adapters on the channel subscribed',
      async run(h) {
        const unsubscribing = await h.open();
        const disposed = await h.open();
        const staying = await h.open();
        const channel = h.channel('others');
        const got = recorder();
        const unsubscribe = await unsubscribing.subscribe(channel, () => {});
        await disposed.subscribe(channel, () => {});
        await staying.subscribe(channel, got.listener);
        await unsubscribe();
        await disposed.dispose();
        assert.equal(
          await staying.publish(channel, 'still heard'),
          1,
          'the remaining adapter is not counted',
        );
        await waitForCount(h, 'messages', got.messages, 1);
        assert.deepEqual(got.messages, ['still heard']);
      },
    },
    {
      name: 'a listener that throws does not stop delivery to other listeners',
      async run(h) {
        const cache = await h.open();
        const channel = h.channel('throws');
        const got = recorder();
        await cache.subscribe(channel, () => {
          throw new Error('listener failure (expected by the conformance suite)');
        });
        await cache.subscribe(channel, got.listener);
        await cache.publish(channel, 'one');
        await cache.publish(channel, 'two');
        await waitForCount(h, 'messages', got.messages, 2);
        assert.deepEqual(got.messages, ['one', 'two']);
        assert.equal(cache.status, 'ready');
      },
    },
    {
      name: 'received bytes are not shared between listeners',
      async run(h) {
        const cache = await h.open();
        const channel = h.channel('copies');
        const got = recorder();
        await cache.subscribe(channel, (message) => {
          if (message instanceof Uint8Array) message.fill(0);
        });
        await cache.subscribe(channel, got.listener);
        const sent = Uint8Array.from([1, 2, 3]);
        await cache.publish(channel, sent);
        sent.fill(9);
        await waitForCount(h, 'messages', got.messages, 1);
        assertBytes(got.messages[0], Uint8Array.from([1, 2, 3]), 'bytes seen by the second listener');
      },
    },
    {
      name: 'a published Buffer is copied: neither the publisher nor another listener changes what a listener got',
      async run(h) {
        // Buffer#slice() is a view, not a copy (Uint8Array#slice() copies): an adapter that copies with
        // message.slice() hands every listener the publisher's memory. @arcade/ws publishes Buffers.
        const subscriber = await h.open();
        const other = await h.open();
        const publisher = await h.open();
        const channel = h.channel('buffer-copies');
        const original = [1, 2, 3, 4, 5, 6, 7, 8];
        const heard: Array<{ who: string; message: PubSubMessage; atArrival: string }> = [];
        const listen = (who: string, scribble: number) => (message: PubSubMessage) => {
          heard.push({ who, message, atArrival: orderLabel(message) });
          if (message instanceof Uint8Array) message.fill(scribble);
        };
        await subscriber.subscribe(channel, listen('the first listener', 0xa1));
        await subscriber.subscribe(channel, listen('the second listener', 0xb2));
        await other.subscribe(channel, listen('a listener of another adapter', 0xc3));
        // A Buffer from Node's pool: a view into a larger ArrayBuffer that other Buffers share.
        const sent = Buffer.from(original);
        assert.equal(await publisher.publish(channel, sent), 2);
        sent.fill(0xee);
        await waitForCount(h, 'deliveries', heard, 3);
        sent.fill(0xff);
        const expected = orderLabel(Uint8Array.from(original));
        for (const { who, message, atArrival } of heard) {
          assert.equal(
            atArrival,
            expected,
            `${who} received ${atArrival}: its bytes are shared with the publisher's Buffer or another listener`,
          );
          assert.ok(message instanceof Uint8Array, `${who} received ${typeof message}, not bytes`);
        }
        const scribbles = new Map([
          ['the first listener', 0xa1],
          ['the second listener', 0xb2],
          ['a listener of another adapter', 0xc3],
        ]);
        for (const { who, message } of heard) {
          const own = scribbles.get(who) ?? 0;
          assertBytes(
            message,
            new Uint8Array(original.length).fill(own),
            `what ${who} holds after every listener and the publisher wrote into their own bytes`,
          );
        }
      },
    },
    {
      name: 'after the server restarts, a subscription made before receives again once the adapters are ready',
      skip: (options) => (options.restart === undefined ? 'no restart option' : undefined),
      async run(h) {
        const subscriber = await h.open();
        const publisher = await h.open();
        const channel = h.channel('restart');
        const ended = h.channel('restart-ended');
        const got = recorder();
        const endedGot = recorder();
        await subscriber.subscribe(channel, got.listener);
        const unsubscribe = await subscriber.subscribe(ended, endedGot.listener);
        assert.equal(await publisher.publish(channel, 'before'), 1);
        await waitForCount(h, 'messages', got.messages, 1);
        await unsubscribe();
        const statuses = { subscriber: statusLog(subscriber), publisher: statusLog(publisher) };
        await h.restart();
        // @arcade/ws rewrites its state when the adapter reports `ready` again: the drop must show.
        try {
          await h.waitFor(
            'both adapters to report the lost connection, then ready',
            () =>
              reconnected(statuses.subscriber.seen) &&
              reconnected(statuses.publisher.seen) &&
              subscriber.status === 'ready' &&
              publisher.status === 'ready',
            h.restartTimeoutMs,
          );
        } catch (error) {
          const reported = (seen: readonly CacheStatus[]) => seen.join(' > ') || 'nothing';
          assert.fail(
            `${(error as Error).message}; after restart() the subscriber reported ` +
              `${reported(statuses.subscriber.seen)}, the publisher ${reported(statuses.publisher.seen)}`,
          );
        } finally {
          statuses.subscriber.stop();
          statuses.publisher.stop();
        }
        // Once both are ready, probes until one is heard: a connection may come back a moment before the other.
        let probes = 0;
        await h.waitFor(
          'a message published after the restart on the channel subscribed before it',
          async () => {
            if (got.messages.length > 1) return true;
            probes += 1;
            await publisher.publish(channel, `probe ${probes}`).catch(() => 0);
            return false;
          },
        );
        assert.equal(
          await publisher.publish(channel, 'after'),
          1,
          'the restored subscription is not counted',
        );
        await h.waitFor('the message published after the probes', () => got.messages.includes('after'));
        assert.equal(
          await publisher.publish(ended, 'nobody'),
          0,
          'a subscription ended before the restart came back',
        );
        // A round trip on the live channel proves a stray message on the ended one would be here by now.
        await publisher.publish(channel, 'last');
        await h.waitFor('the last message', () => got.messages.includes('last'));
        assert.deepEqual(endedGot.messages, [], 'a listener unsubscribed before the restart ran again');
      },
    },
  ],
};
