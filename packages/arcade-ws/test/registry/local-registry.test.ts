import { LocalRegistry } from '../../src/registry/local-registry';
import { RecordingConnection } from './support';

describe('LocalRegistry rooms of an entry', () => {
  it('follow joins and leaves through none, one and several rooms, with the members in step', () => {
    const registry = new LocalRegistry();
    const entry = registry.add(new RecordingConnection('a'), {});
    const membersOf = (room: string) => [...(registry.members(room) ?? [])].map((member) => member.id);
    expect(entry.rooms).toEqual([]);

    registry.addToRoom(entry, 'lobby');
    registry.addToRoom(entry, 'lobby');
    expect(entry.rooms).toEqual(['lobby']);
    expect(entry.inRoom('lobby')).toBe(true);
    expect(entry.inRoom('news')).toBe(false);

    registry.addToRoom(entry, 'news');
    registry.addToRoom(entry, 'sport');
    expect(entry.rooms).toEqual(['lobby', 'news', 'sport']);
    expect(membersOf('news')).toEqual(['a']);

    registry.removeFromRoom(entry, 'news');
    registry.removeFromRoom(entry, 'lobby');
    expect(entry.rooms).toEqual(['sport']);
    expect(entry.inRoom('sport')).toBe(true);
    expect(membersOf('lobby')).toEqual([]);

    registry.removeFromRoom(entry, 'sport');
    registry.removeFromRoom(entry, 'sport');
    expect(entry.rooms).toEqual([]);
    expect(registry.roomSizes()).toEqual([]);
  });

  it('keeps the rooms of a detached entry for the storage clean-up, but not its memberships', () => {
    const registry = new LocalRegistry();
    const entry = registry.add(new RecordingConnection('a'), {});
    registry.addToRoom(entry, 'lobby');
    expect(registry.detach('a')).toBe(entry);
    expect(entry.detached).toBe(true);
    expect(entry.rooms).toEqual(['lobby']);
    expect(registry.members('lobby')).toBeUndefined();
  });
});
