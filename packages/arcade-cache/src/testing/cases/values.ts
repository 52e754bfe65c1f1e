// One piece: the conformance group for what a value is and how get/set/remove/contains keep it (JSON
// fidelity, bytes, copies, kinds of keys); each case is a few lines of data and assertions, and the
// suite reports the group under one name that adapters' test runs and tests refer to.
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import type { CacheValue, JsonValue } from '../../cache-manager';
import { assertBytes, assertSameString, patternBytes, quote, rejectsWithCode } from '../assertions';
import type { CaseGroup } from './case-spec';
import { MIB, TRICKY_NAMES } from './payloads';

/** Strings a careless adapter turns into something else: parsed JSON, numbers, framing markers. */
export const TRICKY_STRINGS: readonly string[] = [
  '',
  '{"a":1}',
  '[1,2,3]',
  '123',
  '-0',
  '1e3',
  'true',
  'false',
  'null',
  '"quoted"',
  ' ',
  '\u0000',
  '\u0000\u0001binary?',
  's:string',
  'b:AAEC',
  'j:{}',
  'héllo wörld, 你好, emoji 🌍👩‍👩‍👧',
  'line\nbreak\r\ttab',
];

/** JSON values that must come back deep-equal. */
const JSON_VALUES: readonly JsonValue[] = [
  0,
  42,
  -7.25,
  Number.MAX_SAFE_INTEGER,
  1e-7,
  true,
  false,
  null,
  [],
  {},
  [1, 'two', null, [true, { three: 3 }]],
  { nested: { deeper: { list: [1, 2, { x: 'y' }] } }, 'clé 🌍': 'unicode key', empty: '' },
  { looksLikeJson: '{"a":1}', number: '123' },
];

function binaryValues(): Array<[string, Uint8Array]> {
  return [
    ['empty bytes', new Uint8Array(0)],
    ['every byte value', Uint8Array.from({ length: 256 }, (_, i) => i)],
    ['bytes of JSON text', new TextEncoder().encode('{"a":1}')],
    ['bytes of a number', new TextEncoder().encode('123')],
    ['invalid UTF-8', Uint8Array.from([0xff, 0xfe, 0xc3, 0x28])],
    ['a Buffer', Buffer.from([1, 2, 3])],
    ['a view into a larger buffer', new Uint8Array(Uint8Array.from([9, 8, 7, 6, 5]).buffer, 1, 3)],
  ];
}

/** Runs `call`; when it rejects, fails with `what` named (a key with NUL may be refused, for one). */
async function named<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const message = (error as { message?: unknown } | undefined)?.message;
    assert.fail(`${what} rejected: ${typeof message === 'string' ? message : String(error)}`);
  }
}

export const valueCases: CaseGroup = {
  group: 'values',
  cases: [
    {
      name: 'get resolves undefined for a missing key',
      async run(h) {
        const cache = await h.open();
        assert.equal(await cache.get('missing'), undefined);
      },
    },
    {
      name: 'JSON values round-trip as equal values',
      async run(h) {
        const cache = await h.open();
        for (const [index, value] of JSON_VALUES.entries()) {
          await cache.set(`json:${index}`, value);
          assert.deepStrictEqual(await cache.get(`json:${index}`), value, `value #${index}`);
        }
      },
    },
    {
      name: 'strings stay strings, even when they look like JSON, numbers or framing',
      async run(h) {
        const cache = await h.open();
        for (const [index, value] of TRICKY_STRINGS.entries()) {
          await cache.set(`string:${index}`, value);
          assertSameString(await cache.get(`string:${index}`), value, `the string ${quote(value)}`);
        }
      },
    },
    {
      name: 'binary values come back as Uint8Array with the same bytes',
      async run(h) {
        const cache = await h.open();
        for (const [what, bytes] of binaryValues()) {
          const expected = Uint8Array.from(bytes);
          await cache.set(`bytes:${what}`, bytes);
          assertBytes(await cache.get(`bytes:${what}`), expected, what);
        }
      },
    },
    {
      name: 'unicode keys hold their own values',
      async run(h) {
        const cache = await h.open();
        const keys = ['clé', 'cle', '你好', '🌍', 'with space', 'with:colons:inside', 'KEY', 'key'];
        await Promise.all(keys.map((key) => cache.set(key, `value of ${key}`)));
        for (const key of keys)
          assertSameString(await cache.get(key), `value of ${key}`, `key ${quote(key)}`);
      },
    },
    {
      name: 'keys with NUL, control, glob and unicode characters each hold their own value',
      async run(h) {
        const cache = await h.open();
        const ownValue = (key: string) => `value of ${key}`;
        const written: string[] = [];
        // Every key read back after each write: a write that lands on an earlier key names both.
        for (const key of TRICKY_NAMES) {
          await named(`set(${quote(key)})`, () => cache.set(key, ownValue(key)));
          written.push(key);
          const values = await Promise.all(written.map((earlier) => cache.get(earlier)));
          written.forEach((earlier, index) => {
            const what =
              earlier === key ? `key ${quote(key)}` : `key ${quote(earlier)} after set(${quote(key)})`;
            assertSameString(values[index], ownValue(earlier), what);
          });
        }
        const [removed = '', ...kept] = TRICKY_NAMES;
        assert.equal(await cache.remove(removed), true, `remove(${quote(removed)}) found nothing`);
        assert.equal(
          await cache.contains(removed),
          false,
          `key ${quote(removed)} is still there after remove()`,
        );
        for (const key of kept) {
          assert.equal(
            await cache.get(key),
            ownValue(key),
            `remove(${quote(removed)}) changed key ${quote(key)}`,
          );
        }
        assert.equal(
          await cache.setIfAbsent(removed, 'taken again'),
          true,
          `setIfAbsent(${quote(removed)}) found another key's value`,
        );
        // One hash tag first, so that a sharded adapter (Redis Cluster) can apply the batch in one step.
        const batched = TRICKY_NAMES.map((key) => `{batch}${key}`);
        await cache.batch(batched.map((key) => ({ type: 'set', key, value: ownValue(key) })));
        for (const key of batched) {
          assertSameString(await cache.get(key), ownValue(key), `key ${quote(key)} written by a batch`);
        }
      },
    },
    {
      name: '1 MiB values round-trip, as text and as bytes',
      async run(h) {
        const cache = await h.open();
        const bytes = patternBytes(MIB);
        const text = Buffer.from(bytes).toString('base64').slice(0, MIB);
        const json = { payload: text.slice(0, MIB - 100) };
        await cache.set('big:bytes', bytes);
        await cache.set('big:text', text);
        await cache.set('big:json', json);
        assertBytes(await cache.get('big:bytes'), bytes, '1 MiB of bytes');
        assertSameString(await cache.get('big:text'), text, '1 MiB of text');
        assert.deepStrictEqual(await cache.get('big:json'), json, 'a JSON object of 1 MiB');
      },
    },
    {
      name: 'plain objects and arrays made in another realm are JSON values',
      async run(h) {
        const cache = await h.open();
        // Test runners sandbox modules, so objects from Node's core often come from another realm.
        const value = runInNewContext('({ list: [1, { a: "b" }], empty: Object.create(null) })') as JsonValue;
        await cache.set('k', value);
        assert.deepEqual(await cache.get('k'), { list: [1, { a: 'b' }], empty: {} });
      },
    },
    {
      name: 'undefined inside a value is treated as JSON.stringify treats it',
      async run(h) {
        const cache = await h.open();
        const value = { kept: 1, dropped: undefined, list: [1, undefined, { deep: undefined }] };
        const expected = { kept: 1, list: [1, null, {}] };
        await cache.set('k', value as unknown as CacheValue);
        assert.deepStrictEqual(await cache.get('k'), expected);
        await cache.batch([{ type: 'set', key: 'b', value: value as unknown as CacheValue }]);
        assert.deepStrictEqual(await cache.get('b'), expected);
      },
    },
    {
      name: 'falsy values are values: 0, false, "" and null are found, held and removed like any other',
      async run(h) {
        const cache = await h.open();
        const falsy: readonly JsonValue[] = [0, false, '', null];
        for (const [index, value] of falsy.entries()) {
          const key = `falsy-${index}`;
          await cache.set(key, value);
          assert.deepStrictEqual(await cache.get(key), value, `${key}: get`);
          assert.equal(await cache.contains(key), true, `${key}: contains`);
          assert.equal(await cache.setIfAbsent(key, 'taken'), false, `${key}: setIfAbsent took it`);
          assert.deepStrictEqual(await cache.get(key), value, `${key}: setIfAbsent replaced it`);
          await rejectsWithCode(`${key}: setAdd on it`, 'WRONG_TYPE', () => cache.setAdd(key, 'm'));
          assert.equal(await cache.remove(key), true, `${key}: remove`);
          assert.equal(await cache.contains(key), false, `${key}: still there after remove`);
        }
      },
    },
    {
      name: 'symbol-keyed properties are left out, as JSON.stringify leaves them out',
      async run(h) {
        const cache = await h.open();
        const value = { kept: 1, [Symbol('top')]: 2, nested: { [Symbol('inner')]: 3, also: 'kept' } };
        await cache.set('k', value as unknown as CacheValue);
        await cache.batch([{ type: 'set', key: 'b', value: value as unknown as CacheValue }]);
        for (const key of ['k', 'b']) {
          const read = (await cache.get(key)) as { nested: object };
          assert.deepStrictEqual(read, { kept: 1, nested: { also: 'kept' } });
          assert.deepStrictEqual(Object.getOwnPropertySymbols(read), [], `${key}: a symbol key was kept`);
          assert.deepStrictEqual(
            Object.getOwnPropertySymbols(read.nested),
            [],
            `${key}: a nested symbol key was kept`,
          );
        }
      },
    },
    {
      name: 'an object key named "__proto__" round-trips as an ordinary key',
      async run(h) {
        // JSON.parse makes "__proto__" an own property; a copy made by assignment would set the
        // prototype instead, losing the key and handing the caller a polluted object.
        const value = JSON.parse('{"__proto__":{"polluted":true},"nested":[{"__proto__":1}]}') as JsonValue;
        const cache = await h.open();
        await cache.set('proto', value);
        await cache.batch([{ type: 'set', key: 'proto-batch', value }]);
        for (const key of ['proto', 'proto-batch']) {
          const read = await cache.get(key);
          assert.deepStrictEqual(read, value, `${key}: the "__proto__" keys changed`);
          assert.equal(Object.getPrototypeOf(read), Object.prototype, `${key}: the prototype changed`);
          assert.deepStrictEqual(
            Object.getOwnPropertyDescriptor(read, '__proto__'),
            Object.getOwnPropertyDescriptor(value, '__proto__'),
            `${key}: "__proto__" is not a writable, enumerable, configurable property as JSON.parse makes it`,
          );
        }
      },
    },
    {
      name: 'a stored value is a copy: mutating what was set or what was read changes nothing',
      async run(h) {
        const cache = await h.open();
        const object = { list: [1, 2], inner: { name: 'a' } };
        const bytes = Uint8Array.from([1, 2, 3]);
        await cache.set('object', object);
        await cache.set('bytes', bytes);
        object.list.push(3);
        object.inner.name = 'changed after set';
        Object.assign(object, { added: 'after set' });
        bytes[0] = 99;
        const readObject = await cache.get<{ list: number[]; inner: { name: string } }>('object');
        const readBytes = await cache.get<Uint8Array>('bytes');
        assert.deepStrictEqual(readObject, { list: [1, 2], inner: { name: 'a' } });
        assertBytes(readBytes, Uint8Array.from([1, 2, 3]), 'bytes after mutating the source');
        readObject?.list.push(4);
        if (readBytes) readBytes[1] = 99;
        assert.deepStrictEqual(await cache.get('object'), { list: [1, 2], inner: { name: 'a' } });
        assertBytes(await cache.get('bytes'), Uint8Array.from([1, 2, 3]), 'bytes after mutating a read');
      },
    },
    {
      name: 'set replaces a value of any kind, a set included',
      async run(h) {
        const cache = await h.open();
        await cache.set('k', 'text');
        await cache.set('k', Uint8Array.from([1]));
        assertBytes(await cache.get('k'), Uint8Array.from([1]), 'bytes replacing text');
        await cache.set('k', { a: 1 });
        assert.deepStrictEqual(await cache.get('k'), { a: 1 });
        await cache.setAdd('s', 'member');
        await cache.set('s', 'now a value');
        assert.equal(await cache.get('s'), 'now a value');
      },
    },
    {
      name: 'remove deletes values and sets and reports whether it deleted',
      async run(h) {
        const cache = await h.open();
        await cache.set('value', 1);
        await cache.setAdd('set', 'a');
        assert.equal(await cache.remove('value'), true);
        assert.equal(await cache.remove('set'), true);
        assert.equal(await cache.remove('value'), false);
        assert.equal(await cache.remove('never-set'), false);
        assert.equal(await cache.get('value'), undefined);
        assert.deepEqual(await cache.setMembers('set'), []);
      },
    },
    {
      name: 'contains is true for values of every kind and for sets',
      async run(h) {
        const cache = await h.open();
        const values: Array<[string, CacheValue]> = [
          ['empty string', ''],
          ['zero', 0],
          ['false', false],
          ['null', null],
          ['empty bytes', new Uint8Array(0)],
        ];
        for (const [what, value] of values) {
          await cache.set(what, value);
          assert.equal(await cache.contains(what), true, `contains() of ${what}`);
        }
        await cache.setAdd('set', 'a');
        assert.equal(await cache.contains('set'), true, 'contains() of a set');
        assert.equal(await cache.contains('missing'), false);
        assert.equal(await cache.get('null'), null, 'a stored null is null, not undefined');
      },
    },
    {
      name: 'invalid keys, values and TTLs reject with INVALID_ARGUMENT',
      async run(h) {
        const cache = await h.open();
        const invalid = (what: string, call: () => Promise<unknown>) =>
          rejectsWithCode(what, 'INVALID_ARGUMENT', call);
        await invalid('get("")', () => cache.get(''));
        await invalid('set("")', () => cache.set('', 1));
        await invalid('setAdd("")', () => cache.setAdd('', 'a'));
        await invalid('set(k, undefined)', () => cache.set('k', undefined as unknown as CacheValue));
        await invalid('set(k, NaN)', () => cache.set('k', Number.NaN));
        await invalid('set(k, Infinity)', () => cache.set('k', Number.POSITIVE_INFINITY));
        await invalid('set(k, a function)', () => cache.set('k', (() => 1) as unknown as CacheValue));
        for (const ttlMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
          await invalid(`set(k, v, { ttlMs: ${ttlMs} })`, () => cache.set('k', 'v', { ttlMs }));
          await invalid(`setIfAbsent(k, v, { ttlMs: ${ttlMs} })`, () =>
            cache.setIfAbsent('k', 'v', { ttlMs }),
          );
        }
        await invalid('publish("")', () => cache.publish('', 'm'));
        await invalid('subscribe("")', () => cache.subscribe('', () => {}));
        // Callers in JavaScript can pass anything: a key or channel that is not a string is invalid too.
        for (const name of [undefined, null, 42] as unknown as string[]) {
          await invalid(`get(${name})`, () => cache.get(name));
          await invalid(`set(${name}, 1)`, () => cache.set(name, 1));
          await invalid(`setAdd(${name}, "a")`, () => cache.setAdd(name, 'a'));
          await invalid(`publish(${name})`, () => cache.publish(name, 'm'));
          await invalid(`subscribe(${name})`, () => cache.subscribe(name, () => {}));
        }
        assert.equal(await cache.contains('k'), false, 'a rejected write wrote nothing');
      },
    },
    {
      name: 'value and set operations on a key of the other kind reject with WRONG_TYPE',
      async run(h) {
        const cache = await h.open();
        await cache.set('value', 'text');
        await cache.setAdd('set', 'a');
        const wrong = (what: string, call: () => Promise<unknown>) =>
          rejectsWithCode(what, 'WRONG_TYPE', call);
        await wrong('get() of a set', () => cache.get('set'));
        await wrong('setAdd() on a value', () => cache.setAdd('value', 'b'));
        await wrong('setRemove() on a value', () => cache.setRemove('value', 'b'));
        await wrong('setMembers() of a value', () => cache.setMembers('value'));
        await wrong('setSize() of a value', () => cache.setSize('value'));
        assert.equal(await cache.get('value'), 'text', 'the value is untouched');
        assert.deepEqual(await cache.setMembers('set'), ['a'], 'the set is untouched');
      },
    },
  ],
};
