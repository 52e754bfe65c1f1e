import { join } from 'node:path';
import { NodeProcess, type ReadyMessage } from '@arcade/test-support';
import { Instance } from './support/instance';

// What users install: the package's built ES module and CommonJS entry points, loaded by name in a
// plain Node process, against the real server (the other e2e tests compile src/ with ts-jest).

const SCRIPT = join(__dirname, 'fixtures', 'built-client.mjs');

const clients: NodeProcess[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.kill()));
  await Instance.closeAll();
});

it.each(['esm', 'cjs'])('the %s build requests, joins and receives its room history line', async (format) => {
  const server = await Instance.start();
  const client = await NodeProcess.start<ReadyMessage>(SCRIPT, { args: [format, server.url()] });
  clients.push(client);
  expect(client.ready).toEqual({
    event: 'ready',
    format,
    sum: 3,
    joined: { recovered: true, position: null },
    received: {
      data: { n: 7 },
      meta: { room: 'built', position: { epoch: expect.any(String), offset: 1 } },
    },
  });
  expect(await server.historyOf('built')).toEqual([7]);
});
