import assert from 'node:assert/strict';
import type { PubSubMessage } from '../../cache-manager';
import { assertBytes, assertSameString } from '../assertions';
import type { Harness } from '../harness';
import type { CaseGroup } from './case-spec';
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
          const what = `message #${index}`;
          if (typeof message === 'string') assertSameString(got.messages[index], message, what);
          else assertBytes(got.messages[index], Uint8Array.from(message), what);
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
        const received = got.messages.map((message) =>
          typeof message === 'string' ? message : `bytes ${message}`,
        );
        const expected = sent.map((message) => (typeof message === 'string' ? message : `bytes ${message}`));
        assert.deepEqual(received, expected);
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
  ],
};
