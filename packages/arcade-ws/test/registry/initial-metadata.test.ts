import { createApp, silentLogger } from '@arcade/core';
import { WebSocketManager } from '../../src/index';
import { RecordingConnection } from './support';

// docs/design.md: the initial metadata holds `userAgent` and `remoteAddress`; as in the Dart
// original, a value the upgrade request did not carry is stored as null, the key still there.
describe('initial metadata', () => {
  const manager = WebSocketManager.of(createApp({ logger: silentLogger }));

  afterAll(() => manager.shutdown());

  it.each([
    [
      'both known',
      { userAgent: 'curl/8', remoteAddress: '10.0.0.1' },
      { userAgent: 'curl/8', remoteAddress: '10.0.0.1' },
    ],
    ['no User-Agent header', { remoteAddress: '10.0.0.1' }, { userAgent: null, remoteAddress: '10.0.0.1' }],
    ['no peer address', { userAgent: 'curl/8' }, { userAgent: 'curl/8', remoteAddress: null }],
    ['neither', {}, { userAgent: null, remoteAddress: null }],
  ])('holds both keys with %s', async (_label, origin, expected) => {
    const connection = new RecordingConnection();
    await manager.addConnection(connection, origin);
    const info = await manager.getConnectionInfo(connection.id);
    expect(info?.metadata).toStrictEqual(expected);
    expect(info?.toJSON().metadata).toStrictEqual(expected);
    await manager.removeConnection(connection.id);
  });
});
