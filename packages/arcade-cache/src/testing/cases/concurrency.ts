import assert from 'node:assert/strict';
import { sorted } from '../assertions';
import type { CaseGroup } from './case-spec';

const COUNT = 200;
const ids = (prefix: string) => Array.from({ length: COUNT }, (_, i) => `${prefix}${i}`);

export const concurrencyCases: CaseGroup = {
  group: 'concurrency',
  cases: [
    {
      name: 'many concurrent sets from two adapters lose nothing',
      async run(h) {
        const first = await h.open();
        const second = await h.open();
        const keys = ids('key-');
        await Promise.all(keys.map((key, i) => (i % 2 === 0 ? first : second).set(key, { key, i })));
        const values = await Promise.all(keys.map((key) => first.get(key)));
        values.forEach((value, i) => {
          assert.deepStrictEqual(value, { key: keys[i], i }, `key-${i}`);
        });
      },
    },
    {
      name: 'concurrent setAdd and setRemove from two adapters lose no member',
      async run(h) {
        const first = await h.open();
        const second = await h.open();
        const members = ids('m');
        const added = await Promise.all(members.map((m, i) => (i % 2 === 0 ? first : second).setAdd('s', m)));
        assert.equal(
          added.reduce((sum, n) => sum + n, 0),
          COUNT,
        );
        assert.equal(await first.setSize('s'), COUNT);
        const leaving = members.filter((_, i) => i % 3 === 0);
        const staying = members.filter((_, i) => i % 3 !== 0);
        const extra = ids('late-');
        await Promise.all([
          ...leaving.map((m, i) => (i % 2 === 0 ? second : first).setRemove('s', m)),
          ...extra.map((m, i) => (i % 2 === 0 ? first : second).setAdd('s', m)),
        ]);
        assert.deepEqual(sorted(await second.setMembers('s')), sorted([...staying, ...extra]));
      },
    },
    {
      name: 'concurrent batches from two adapters lose no member',
      async run(h) {
        const first = await h.open();
        const second = await h.open();
        const members = ids('c');
        await Promise.all(
          members.map((m, i) =>
            (i % 2 === 0 ? first : second).batch([
              { type: 'setAdd', key: 'room', members: [m] },
              { type: 'setAdd', key: `rooms-of:${m}`, members: ['room'] },
              { type: 'set', key: `connection:${m}`, value: { id: m } },
            ]),
          ),
        );
        assert.equal(await first.setSize('room'), COUNT);
        for (const m of members) assert.deepEqual(await second.setMembers(`rooms-of:${m}`), ['room']);
      },
    },
    {
      name: 'concurrent setIfAbsent on one key has exactly one winner',
      async run(h) {
        const first = await h.open();
        const second = await h.open();
        const attempts = Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? first : second).setIfAbsent('lease', `owner-${i}`, { ttlMs: 60_000 }),
        );
        const results = await Promise.all(attempts);
        const winners = results.flatMap((won, i) => (won ? [i] : []));
        assert.equal(winners.length, 1, `winners: ${winners.join(', ')}`);
        assert.equal(await first.get('lease'), `owner-${winners[0]}`);
      },
    },
  ],
};
