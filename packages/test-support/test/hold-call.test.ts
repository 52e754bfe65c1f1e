import { holdNextCall } from '../src';

/** A store whose reads a test holds. */
class Store {
  readonly values: string[] = [];

  async read(key: string): Promise<string[]> {
    return this.values.map((value) => `${key}:${value}`);
  }
}

it('holds the next call before the method runs: what happens meanwhile is in its result', async () => {
  const store = new Store();
  const held = holdNextCall(store, 'read', 'before');
  const reading = store.read('k');
  expect(await held.reached).toEqual(['k']);
  store.values.push('during');
  held.release();
  await expect(reading).resolves.toEqual(['k:during']);
});

it('holds the next call after the method ran: what happens meanwhile is not in its result', async () => {
  const store = new Store();
  const held = holdNextCall(store, 'read', 'after');
  const reading = store.read('k');
  await held.reached;
  store.values.push('during');
  held.release();
  await expect(reading).resolves.toEqual([]);
});

it('fails the held call with the given error', async () => {
  const store = new Store();
  const held = holdNextCall(store, 'read', 'before');
  const reading = store.read('k');
  await held.reached;
  held.fail(new Error('storage down'));
  await expect(reading).rejects.toThrow('storage down');
});

it('lets the calls it does not match through, holds one call only, then puts the method back', async () => {
  const store = new Store();
  store.values.push('v');
  const held = holdNextCall(store, 'read', 'before', (key) => key === 'held');
  await expect(store.read('other')).resolves.toEqual(['other:v']);
  const reading = store.read('held');
  await held.reached;
  expect(Object.hasOwn(store, 'read')).toBe(false);
  await expect(store.read('held')).resolves.toEqual(['held:v']);
  held.release();
  await expect(reading).resolves.toEqual(['held:v']);
});

it('puts the method back on cancel() when no call came', () => {
  const store = new Store();
  const held = holdNextCall(store, 'read', 'before');
  expect(Object.hasOwn(store, 'read')).toBe(true);
  held.cancel();
  expect(Object.hasOwn(store, 'read')).toBe(false);
});

it('reaches its hold point after a method that rejected, and then rejects as it did', async () => {
  const store = new Store();
  store.read = async () => {
    throw new Error('read failed');
  };
  const held = holdNextCall(store, 'read', 'after');
  const reading = store.read('k');
  await held.reached;
  held.release();
  await expect(reading).rejects.toThrow('read failed');
});
