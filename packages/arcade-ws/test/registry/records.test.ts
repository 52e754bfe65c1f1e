import { LocalRegistry } from '../../src/registry/local-registry';
import { isoTime, recordOf } from '../../src/registry/records';
import { RecordingConnection } from './support';

// A connection's stored record (docs/cluster.md): what other instances read for getConnectionInfo and
// the clean-up after a crash. Its connect time is written twice per connect, so it is formatted without
// Date#toISOString; it must read exactly as that would.

describe('isoTime', () => {
  it('reads as Date#toISOString, across milliseconds, seconds, days, years and before 1970', () => {
    const times = [
      0,
      1,
      9,
      10,
      99,
      100,
      999,
      1000,
      1001,
      -1,
      -999,
      -1000,
      -1001,
      Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      Date.UTC(2027, 0, 1, 0, 0, 0, 0),
      Date.UTC(1999, 1, 28, 12, 30, 15, 42),
      // A six-digit year: the built-in writes it as "+012345-...".
      Date.UTC(12_345, 5, 6, 7, 8, 9, 10),
    ];
    for (let ms = 1_796_680_000_000; ms < 1_796_680_003_000; ms += 7) times.push(ms);
    for (const ms of times) expect([ms, isoTime(ms)]).toEqual([ms, new Date(ms).toISOString()]);
  });

  it('gives the right text when calls go back and forth between seconds', () => {
    const base = Date.UTC(2026, 11, 7, 22, 0, 0, 0);
    for (const ms of [base + 999, base + 1000, base + 999, base + 2500, base + 5, base + 1005]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });
});

describe('recordOf', () => {
  it('describes the connection with its rooms, its metadata and its connect time as ISO text', () => {
    const registry = new LocalRegistry();
    const entry = registry.add(new RecordingConnection('a'), { remoteAddress: '127.0.0.1' });
    registry.addToRoom(entry, 'lobby');
    const record = recordOf(entry, 'instance-1');
    expect(record).toEqual({
      id: 'a',
      serverInstanceId: 'instance-1',
      connectTime: new Date(entry.connectTime).toISOString(),
      rooms: ['lobby'],
      metadata: { remoteAddress: '127.0.0.1' },
    });
    expect(recordOf(entry, 'instance-1', ['lobby', 'news']).rooms).toEqual(['lobby', 'news']);
  });

  it('keeps describing the rooms of its time when the connection joins another room later', () => {
    const registry = new LocalRegistry();
    const entry = registry.add(new RecordingConnection('a'), {});
    registry.addToRoom(entry, 'lobby');
    registry.addToRoom(entry, 'news');
    const record = recordOf(entry, 'instance-1');
    registry.addToRoom(entry, 'sport');
    registry.removeFromRoom(entry, 'lobby');
    expect(record.rooms).toEqual(['lobby', 'news']);
  });
});
