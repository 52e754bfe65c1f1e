import net from 'node:net';
import { RecordingLogger } from '@arcade/test-support';
import { createChatServer, DEFAULT_HOST, readChatConfig } from '../src';

/** Whether a TCP connection to `address`:`port` is accepted. */
function reachable(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the address the chat listens on', () => {
  it('is loopback when neither HOST nor host says otherwise', async () => {
    const config = readChatConfig({ PORT: '0' });
    expect(config.host).toBeUndefined();
    const server = await createChatServer({ ...config, logger: new RecordingLogger() });
    try {
      expect(DEFAULT_HOST).toBe('127.0.0.1');
      expect(server.host).toBe('127.0.0.1');
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      expect(await reachable('127.0.0.1', server.port)).toBe(true);
      // Bound to 127.0.0.1 only: another address of this machine (here another loopback one) is refused.
      expect(await reachable('127.0.0.2', server.port)).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('is every interface with HOST=0.0.0.0', async () => {
    const config = readChatConfig({ PORT: '0', HOST: '0.0.0.0' });
    const server = await createChatServer({ ...config, logger: new RecordingLogger() });
    try {
      expect(server.host).toBe('0.0.0.0');
      expect(await reachable('127.0.0.2', server.port)).toBe(true);
    } finally {
      await server.close();
    }
  });
});
