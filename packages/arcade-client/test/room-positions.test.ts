import { Rooms, readJoinResult } from '../src/rooms';

describe('Rooms: positions and join results', () => {
  it('keeps the newest position seen: the higher offset of an epoch, or the epoch seen last', () => {
    const rooms = new Rooms();
    rooms.want('r');
    rooms.seen('r', { epoch: 'a', offset: 4 });
    rooms.seen('r', { epoch: 'a', offset: 2 });
    expect(rooms.view().get('r')).toEqual({ epoch: 'a', offset: 4 });
    rooms.seen('r', { epoch: 'b', offset: 1 });
    expect(rooms.view().get('r')).toEqual({ epoch: 'b', offset: 1 });
  });

  it('ignores positions of rooms it does not want', () => {
    const rooms = new Rooms();
    rooms.seen('other', { epoch: 'a', offset: 1 });
    expect(rooms.view().size).toBe(0);
  });

  it('replaces the position on recovered: false, never keeping the stale one', () => {
    const rooms = new Rooms();
    const entry = rooms.want('r');
    rooms.seen('r', { epoch: 'a', offset: 9 });
    entry.sentSince = true;
    const info = rooms.applyJoin(entry, { recovered: false, position: { epoch: 'b', offset: 3 } });
    expect(info).toEqual({ recovered: false, position: { epoch: 'b', offset: 3 }, rejoin: false });
    expect(entry.position).toEqual({ epoch: 'b', offset: 3 });
  });

  it('takes the reply of recovered: false as it is, even below the position held in the same epoch', () => {
    const rooms = new Rooms();
    const entry = rooms.want('r');
    rooms.seen('r', { epoch: 'a', offset: 9 });
    entry.sentSince = true;
    expect(
      rooms.applyJoin(entry, { recovered: false, position: { epoch: 'a', offset: 3 } }).position,
    ).toEqual({
      epoch: 'a',
      offset: 3,
    });
    expect(rooms.applyJoin(entry, { recovered: false, position: null }).position).toBeNull();
  });

  it('keeps a higher position seen during the replay over the reply of a recovered join', () => {
    const rooms = new Rooms();
    const entry = rooms.want('r');
    rooms.seen('r', { epoch: 'a', offset: 5 });
    const info = rooms.applyJoin(entry, { recovered: true, position: { epoch: 'a', offset: 4 } });
    expect(info.position).toEqual({ epoch: 'a', offset: 5 });
  });

  it('tells a rejoin without since that it did not recover when the room has a history now', () => {
    const rooms = new Rooms();
    const entry = rooms.want('r');
    expect(rooms.applyJoin(entry, { recovered: true, position: null })).toEqual({
      recovered: true,
      position: null,
      rejoin: false,
    });
    entry.sentSince = false;
    expect(rooms.applyJoin(entry, { recovered: true, position: null }).recovered).toBe(true);
    expect(rooms.applyJoin(entry, { recovered: true, position: { epoch: 'a', offset: 2 } })).toEqual({
      recovered: false,
      position: { epoch: 'a', offset: 2 },
      rejoin: true,
    });
  });

  it('reads only well-formed join replies', () => {
    expect(readJoinResult({ recovered: true, position: null })).toEqual({ recovered: true, position: null });
    expect(readJoinResult({ recovered: false, position: { epoch: 'e', offset: 0 } })).toEqual({
      recovered: false,
      position: { epoch: 'e', offset: 0 },
    });
    for (const bad of [
      undefined,
      null,
      {},
      { recovered: 'yes', position: null },
      { recovered: true },
      { recovered: true, position: { epoch: 1, offset: 1 } },
      { recovered: true, position: { epoch: 'e', offset: -1 } },
    ]) {
      expect(readJoinResult(bad)).toBeUndefined();
    }
  });
});
