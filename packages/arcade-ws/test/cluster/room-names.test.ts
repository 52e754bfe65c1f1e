import { channelNames, storageKeys } from '../../src/registry/keys';
import { Cluster, type ClusterInstance } from '../support/cluster';

// Issue 14, bug 3, with two real instances on one real redis-server, called as users call them: a
// name that is not well-formed UTF-16 would be stored with U+FFFD in place of each lone surrogate.
jest.setTimeout(60_000);

let cluster: Cluster;
let a: ClusterInstance;
let b: ClusterInstance;

beforeAll(async () => {
  cluster = await Cluster.start({ instances: 2 });
  [a, b] = cluster.instances as [ClusterInstance, ClusterInstance];
});

afterAll(() => cluster?.close());

it('no name with a lone surrogate reaches the clients, members, key or channel of `secret\\ufffd`', async () => {
  const victim = await a.connect();
  const intruder = await b.connect();
  expect(await a.call('joinRoom', victim.id, 'secret\ufffd')).toBe(true);

  const outcomes = [
    await b.settle('emitToRoom', 'secret\udbff', 'leaked'),
    await b.settle('joinRoom', intruder.id, 'secret\ud800'),
    await b.settle('leaveRoom', victim.id, 'secret\ud800'),
    await b.settle('getRoomMembers', 'secret\udbff'),
  ];
  // Published by B after anything B published before: the victim's next frame tells what got through.
  await b.call('emitToRoom', 'secret\ufffd', 'for the room');

  expect(await victim.client.nextText()).toBe('for the room');
  const inspector = await cluster.inspector();
  const roomKeys = (await inspector.snapshot()).filter(({ key }) => key.startsWith('arcade:ws:room:'));
  expect(roomKeys).toEqual([
    { key: cluster.storedKey(storageKeys.room('secret\ufffd')), kind: 'set', content: [victim.id] },
  ]);
  expect((await a.info()).liveChannels.filter((channel) => channel.startsWith('ws:room:'))).toEqual([
    channelNames.room('secret\ufffd'),
  ]);
  for (const outcome of outcomes) {
    expect(outcome).toMatchObject({
      ok: false,
      error: { name: 'InvalidRoomNameError', code: 'INVALID_ROOM_NAME' },
    });
  }
});
