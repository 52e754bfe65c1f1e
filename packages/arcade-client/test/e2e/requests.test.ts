import { RequestTimeoutError, ServerError } from '../../src/index';
import { closeAllClients } from '../support/test-client';
import { type E2eClient, e2eClient } from './support/e2e-client';
import { FORBIDDEN_ROOM_PREFIX } from './support/e2e-events';
import { Instance } from './support/instance';

// Events and requests of the real client against a real handleEvents route (e2e-events.ts): replies,
// refusals and timeouts, each on one socket that stays open through all of them.

let server: Instance;
let connected: E2eClient;

beforeAll(async () => {
  server = await Instance.start();
});

beforeEach(async () => {
  connected = e2eClient(server.url());
  await connected.nextStatus('open');
});

afterEach(() => closeAllClients());
afterAll(() => Instance.closeAll());

it('resolves requests with their typed replies, with and without payload', async () => {
  const { client } = connected;
  const sum: number = await client.request('add', { a: 2, b: 40 });
  const id: string = await client.request('whoami');
  expect(sum).toBe(42);
  expect(server.app.localConnectionIds).toContain(id);
});

it('rejects with a ServerError carrying the code and message of the EventError the handler threw', async () => {
  const refused = client().request('refuse', { code: 'OUT_OF_STOCK', message: 'No more tickets' });
  await expect(refused).rejects.toBeInstanceOf(ServerError);
  await expect(refused).rejects.toMatchObject({
    code: 'OUT_OF_STOCK',
    message: 'No more tickets',
    event: 'refuse',
    issues: [],
  });
});

it('rejects with HANDLER_FAILED, and nothing of the error, when the handler threw something else', async () => {
  const failed = client().request('crash');
  await expect(failed).rejects.toMatchObject({ code: 'HANDLER_FAILED', event: 'crash' });
  await expect(failed).rejects.not.toHaveProperty('message', expect.stringContaining('detail'));
  expect(server.logger.entries).toContainEqual(
    expect.objectContaining({ level: 'error', message: 'The handler of "crash" failed' }),
  );
});

it('rejects a request whose handler never settles with RequestTimeoutError, and the socket goes on', async () => {
  const before = await client().request('whoami');
  const hanging = client().withTimeout(100).request('hang');
  await expect(hanging).rejects.toBeInstanceOf(RequestTimeoutError);
  await expect(hanging).rejects.toMatchObject({
    code: 'REQUEST_TIMEOUT',
    operation: 'request "hang"',
    timeoutMs: 100,
  });
  await expect(client().request('whoami')).resolves.toBe(before);
  expect(client().status).toBe('open');
});

it("rejects an invalid payload with INVALID_PAYLOAD and the schema's issues; the same socket serves the next request", async () => {
  const before = await client().request('whoami');
  // What a caller that bypassed the types (or a stale client) would send.
  const invalid = client().request('add', { a: 1, b: 'two' } as unknown as { a: number; b: number });
  await expect(invalid).rejects.toBeInstanceOf(ServerError);
  await expect(invalid).rejects.toMatchObject({
    code: 'INVALID_PAYLOAD',
    event: 'add',
    issues: [{ message: expect.stringContaining('number'), path: ['b'] }],
  });
  await expect(client().request('add', { a: 1, b: 2 })).resolves.toBe(3);
  await expect(client().request('whoami')).resolves.toBe(before);
  expect(connected.statuses.all.map((event) => event.status)).toEqual(['connecting', 'open']);
});

it('reports an event the server refused to onError as a ServerError naming the event', async () => {
  expect(client().send('post', { room: 'never-joined', n: 1 })).toBe('sent');
  const error = await connected.errors.next();
  expect(error).toBeInstanceOf(ServerError);
  expect(error).toMatchObject({ code: 'NOT_IN_ROOM', event: 'post' });
  await expect(client().request('add', { a: 1, b: 1 })).resolves.toBe(2);
});

it('rejects a join authorizeJoin refused with JOIN_REFUSED and forgets the room', async () => {
  const room = `${FORBIDDEN_ROOM_PREFIX}vault`;
  await expect(client().join(room)).rejects.toMatchObject({ code: 'JOIN_REFUSED', room });
  expect(client().rooms.has(room)).toBe(false);
  await expect(client().join('lobby')).resolves.toEqual({ recovered: true, position: null });
});

function client() {
  return connected.client;
}
