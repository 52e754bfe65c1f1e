import { ClientClosedError, JoinCancelledError, RequestTimeoutError, ServerError } from '../src/index';
import { ProtocolServer, type ServerConnection } from './support/protocol-server';
import { closeAllClients, openClient, testClient } from './support/test-client';

afterEach(async () => {
  await closeAllClients();
  await ProtocolServer.stopAll();
});

/** Sends history event frames of `room` at offsets `from`..`to` of `epoch`. */
function sendHistory(
  connection: ServerConnection,
  room: string,
  epoch: string,
  from: number,
  to: number,
): void {
  for (let offset = from; offset <= to; offset += 1) {
    connection.send({ room, epoch, offset, event: 'line', data: { user: 'ann', text: `#${offset}` } });
  }
}

describe('join', () => {
  it('sends a join and resolves with the reply; onJoin reports it as a first join', async () => {
    const { client, connection, joins } = await openClient();
    const joined = client.join('lobby');
    const frame = await connection.acceptJoin('lobby', {
      recovered: true,
      position: { epoch: 'e', offset: 3 },
    });
    expect(frame).toEqual({ t: 'join', id: frame.id, room: 'lobby' });
    await expect(joined).resolves.toEqual({ recovered: true, position: { epoch: 'e', offset: 3 } });
    expect(await joins.next()).toEqual({
      room: 'lobby',
      info: { recovered: true, position: { epoch: 'e', offset: 3 }, rejoin: false },
    });
    expect(client.rooms).toEqual(new Map([['lobby', { epoch: 'e', offset: 3 }]]));
  });

  it('resolves at once, sending nothing, for a room already joined on this connection', async () => {
    const { client, connection } = await openClient();
    const first = client.join('lobby');
    await connection.acceptJoin('lobby', { recovered: true, position: null });
    await first;
    await expect(client.join('lobby')).resolves.toEqual({ recovered: true, position: null });
    client.send('typing');
    expect(await connection.frames.next()).toEqual({ t: 'emit', event: 'typing' });
  });

  it('rejoins every room after a reconnection, with since = the last position seen in history frames', async () => {
    const { client, server, connection, joins } = await openClient();
    const joined = Promise.all([client.join('a'), client.join('b')]);
    await connection.acceptJoin('a', { recovered: true, position: { epoch: 'e1', offset: 2 } });
    await connection.acceptJoin('b', { recovered: true, position: null });
    await joined;
    sendHistory(connection, 'a', 'e1', 3, 5);
    sendHistory(connection, 'b', 'x', 1, 1);
    // Messages of a room the client did not ask for leave the positions alone.
    sendHistory(connection, 'other', 'e9', 7, 7);
    const lines: unknown[] = [];
    client.on('line', (line, meta) => lines.push([line.text, meta]));
    client.send('typing');
    await connection.next('emit');
    await connection.terminate();
    const second = await server.nextConnection();
    const rejoinA = await second.acceptJoin('a', { recovered: true, position: { epoch: 'e1', offset: 5 } });
    const rejoinB = await second.acceptJoin('b', { recovered: true, position: { epoch: 'x', offset: 1 } });
    expect(rejoinA).toMatchObject({ room: 'a', since: { epoch: 'e1', offset: 5 } });
    expect(rejoinB).toMatchObject({ room: 'b', since: { epoch: 'x', offset: 1 } });
    await joins.next((entry) => entry.info.rejoin && entry.room === 'b');
    expect(joins.all.map(({ room, info }) => [room, info.rejoin, info.recovered])).toEqual([
      ['a', false, true],
      ['b', false, true],
      ['a', true, true],
      ['b', true, true],
    ]);
    expect(client.rooms.get('a')).toEqual({ epoch: 'e1', offset: 5 });
    expect(client.rooms.has('other')).toBe(false);
  });

  it('drops the old position after recovered: false and never sends it again', async () => {
    const { client, server, connection, joins } = await openClient();
    const joined = client.join('a');
    await connection.acceptJoin('a', { recovered: true, position: { epoch: 'old', offset: 10 } });
    await joined;
    await connection.terminate();
    const second = await server.nextConnection();
    const rejoin = await second.acceptJoin('a', { recovered: false, position: { epoch: 'new', offset: 2 } });
    expect(rejoin.since).toEqual({ epoch: 'old', offset: 10 });
    const refused = await joins.next((entry) => entry.info.rejoin);
    expect(refused.info).toEqual({ recovered: false, position: { epoch: 'new', offset: 2 }, rejoin: true });
    expect(client.rooms.get('a')).toEqual({ epoch: 'new', offset: 2 });
    await second.terminate();
    const third = await server.nextConnection();
    expect(
      (await third.acceptJoin('a', { recovered: true, position: { epoch: 'new', offset: 2 } })).since,
    ).toEqual({
      epoch: 'new',
      offset: 2,
    });
  });

  it('tells a rejoin that it did not recover when a room without position got a history while away', async () => {
    const { client, server, connection, joins } = await openClient();
    const joined = client.join('a');
    await connection.acceptJoin('a', { recovered: true, position: null });
    await joined;
    await connection.terminate();
    const second = await server.nextConnection();
    const rejoin = await second.acceptJoin('a', { recovered: true, position: { epoch: 'e', offset: 4 } });
    expect(rejoin.since).toBeUndefined();
    expect((await joins.next((entry) => entry.info.rejoin)).info).toEqual({
      recovered: false,
      position: { epoch: 'e', offset: 4 },
      rejoin: true,
    });
  });

  it('joins a room asked for while offline once connected, as a first join', async () => {
    const server = await ProtocolServer.start();
    const { client, joins } = testClient(server.url, { autoConnect: false });
    const joined = client.join('a');
    expect(client.rooms).toEqual(new Map([['a', null]]));
    client.connect();
    const connection = await server.nextConnection();
    await connection.acceptJoin('a', { recovered: true, position: null });
    await expect(joined).resolves.toEqual({ recovered: true, position: null });
    expect((await joins.next()).info.rejoin).toBe(false);
  });

  it('rejects with ServerError and forgets the room when the server refuses the join', async () => {
    const { client, server, connection, errors } = await openClient();
    const joined = client.join('secret');
    connection.refuse(await connection.next('join'), 'JOIN_REFUSED', 'not allowed');
    const error = await joined.catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ code: 'JOIN_REFUSED', message: 'not allowed', room: 'secret' });
    expect(client.rooms.size).toBe(0);
    await connection.terminate();
    const second = await server.nextConnection();
    client.send('typing');
    // No rejoin: the first frame of the new connection is the event.
    expect(await second.frames.next()).toEqual({ t: 'emit', event: 'typing' });
    expect(errors.all).toEqual([]);
  });

  it('reports a rejoin refused for good to onError and forgets the room', async () => {
    const { client, server, connection, errors } = await openClient();
    const joined = client.join('a');
    await connection.acceptJoin('a', { recovered: true, position: null });
    await joined;
    await connection.terminate();
    const second = await server.nextConnection();
    second.refuse(await second.next('join'), 'ROOM_LIMIT', 'too many rooms');
    expect(await errors.next()).toMatchObject({ name: 'ServerError', code: 'ROOM_LIMIT', room: 'a' });
    expect(client.rooms.size).toBe(0);
  });

  it.each([
    'STORAGE_UNAVAILABLE',
    'RATE_LIMITED',
  ])('tries a join again after %s, keeping the room and the pending join()', async (code) => {
    const { client, connection, errors } = await openClient();
    const joined = client.join('a');
    connection.refuse(await connection.next('join'), code, 'refused for a moment');
    expect(await errors.next()).toMatchObject({ code, room: 'a' });
    expect(client.rooms.has('a')).toBe(true);
    await connection.acceptJoin('a', { recovered: true, position: null });
    await expect(joined).resolves.toEqual({ recovered: true, position: null });
  });

  it('keeps a room whose join() timed out, and reports the join when it comes', async () => {
    const { client, connection, joins } = await openClient({ requestTimeoutMs: 20 });
    const joined = client.join('a');
    const frame = await connection.next('join');
    await expect(joined).rejects.toEqual(new RequestTimeoutError('join "a"', 20));
    expect(client.rooms.has('a')).toBe(true);
    connection.reply(frame, { recovered: true, position: null });
    expect(await joins.next()).toMatchObject({ room: 'a', info: { rejoin: false } });
  });

  it('reports a malformed join reply as BAD_REPLY', async () => {
    const { client, connection, errors } = await openClient();
    void client.join('a').catch(() => undefined);
    connection.reply(await connection.next('join'), { recovered: 'maybe' });
    expect(await errors.next()).toMatchObject({ code: 'BAD_REPLY' });
  });

  it.each([
    ['an empty room name', ''],
    ['a room name that is not a string', 5],
  ])('refuses %s', async (_what, room) => {
    const { client } = await openClient();
    await expect(client.join(room as string)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.leave(room as string)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('leave', () => {
  it('sends a leave, forgets the room and its position, and does not rejoin it', async () => {
    const { client, server, connection } = await openClient();
    const joined = client.join('a');
    await connection.acceptJoin('a', { recovered: true, position: { epoch: 'e', offset: 1 } });
    await joined;
    const left = client.leave('a');
    const frame = await connection.next('leave');
    expect(frame).toEqual({ t: 'leave', id: frame.id, room: 'a' });
    connection.reply(frame);
    await left;
    expect(client.rooms.size).toBe(0);
    await connection.terminate();
    const second = await server.nextConnection();
    client.send('typing');
    expect(await second.frames.next()).toEqual({ t: 'emit', event: 'typing' });
  });

  it('rejects a pending join() with JoinCancelledError', async () => {
    const server = await ProtocolServer.start();
    const { client } = testClient(server.url, { autoConnect: false });
    const joined = client.join('a');
    await client.leave('a');
    await expect(joined).rejects.toEqual(new JoinCancelledError('a'));
  });

  it('rejects with ServerError when the server refuses the leave', async () => {
    const { client, connection } = await openClient();
    const left = client.leave('a');
    connection.refuse(await connection.next('leave'), 'INVALID_ROOM_NAME', 'bad name');
    await expect(left).rejects.toMatchObject({ code: 'INVALID_ROOM_NAME', room: 'a' });
  });

  it('keeps a joined room, with its position, when the server refuses its leave for good', async () => {
    const { client, connection } = await openClient();
    const position = { epoch: 'e', offset: 3 };
    const joined = client.join('a');
    await connection.acceptJoin('a', { recovered: true, position });
    await joined;
    const left = client.leave('a');
    connection.refuse(await connection.next('leave'), 'NOT_NOW', 'the app keeps you here');
    await expect(left).rejects.toMatchObject({ name: 'ServerError', code: 'NOT_NOW', room: 'a' });
    expect(client.rooms).toEqual(new Map([['a', position]]));
    // Still joined on this connection: join() answers at once, as for any joined room.
    await expect(client.join('a')).resolves.toEqual({ recovered: true, position });
  });

  it.each([
    'RATE_LIMITED',
    'STORAGE_UNAVAILABLE',
  ])('sends a leave refused with %s again until it is answered', async (code) => {
    const { client, connection } = await openClient();
    const joined = client.join('a');
    await connection.acceptJoin('a', { recovered: true, position: null });
    await joined;
    const left = client.leave('a');
    connection.refuse(await connection.next('leave'), code, 'refused for a moment');
    const again = await connection.next('leave');
    expect(again).toMatchObject({ t: 'leave', room: 'a' });
    connection.reply(again);
    await left;
    expect(client.rooms.size).toBe(0);
  });

  it('settles a leave waiting for its retry as left when the connection ends, and does not rejoin', async () => {
    const { client, server, connection } = await openClient({
      reconnect: { minDelayMs: 5, maxDelayMs: 5, stableAfterMs: 0 },
    });
    const joined = client.join('a');
    await connection.acceptJoin('a', { recovered: true, position: null });
    await joined;
    const left = client.leave('a');
    connection.refuse(await connection.next('leave'), 'RATE_LIMITED', 'refused for a moment');
    await connection.terminate();
    await left;
    const second = await server.nextConnection();
    client.send('typing');
    expect(await second.frames.next()).toEqual({ t: 'emit', event: 'typing' });
  });

  it('rejects join() with ClientClosedError on close() and forgets every room', async () => {
    const server = await ProtocolServer.start();
    const { client } = testClient(server.url, { autoConnect: false });
    const joined = client.join('a');
    await client.close();
    await expect(joined).rejects.toBeInstanceOf(ClientClosedError);
    expect(client.rooms.size).toBe(0);
    await expect(client.join('b')).rejects.toBeInstanceOf(ClientClosedError);
  });
});

describe('receiving', () => {
  it('hands events to their listeners, with the room and position of history frames', async () => {
    const { client, connection } = await openClient();
    const seen: unknown[] = [];
    const stop = client.on('line', (line, meta) => seen.push([line, meta]));
    client.on('notice', (data, meta) => seen.push(['notice', data, meta]));
    connection.send({ event: 'line', data: { user: 'ann', text: 'live' } });
    connection.send({ room: 'a', epoch: 'e', offset: 4, event: 'line', data: { user: 'bob', text: 'kept' } });
    connection.send({ event: 'notice' });
    connection.send({ event: 'unknown', data: 1 });
    const done = new Promise<void>((resolve) => client.on('notice', () => resolve()));
    await done;
    stop();
    connection.send({ event: 'line', data: { user: 'ann', text: 'after stop' } });
    connection.send({ event: 'notice' });
    await new Promise<void>((resolve) => client.on('notice', () => resolve()));
    expect(seen).toEqual([
      [{ user: 'ann', text: 'live' }, {}],
      [
        { user: 'bob', text: 'kept' },
        { room: 'a', position: { epoch: 'e', offset: 4 } },
      ],
      ['notice', undefined, {}],
      ['notice', undefined, {}],
    ]);
  });

  it('hands raw messages to onRaw: text, binary, and history messages that are not events', async () => {
    const { client, connection } = await openClient();
    const raw: unknown[] = [];
    client.onRaw((data, meta) => raw.push([data, meta]));
    const done = new Promise<void>((resolve) => client.on('notice', () => resolve()));
    connection.send('plain text');
    connection.send('{"t":"chat"}');
    connection.sendBinary(new Uint8Array([1, 2, 3]));
    connection.send({ room: 'a', epoch: 'e', offset: 1, message: 'kept text' });
    connection.send({ room: 'a', epoch: 'e', offset: 2, binary: 'BAc=' });
    connection.send({ event: 'notice' });
    await done;
    const position = (offset: number) => ({ room: 'a', position: { epoch: 'e', offset } });
    expect(raw).toEqual([
      ['plain text', {}],
      ['{"t":"chat"}', {}],
      [new Uint8Array([1, 2, 3]), {}],
      ['kept text', position(1)],
      [new Uint8Array([4, 7]), position(2)],
    ]);
  });

  it('reports a throwing listener to onError and still calls the others', async () => {
    const { client, connection, errors } = await openClient();
    const calls: string[] = [];
    client.on('notice', () => {
      throw new Error('boom');
    });
    client.on('notice', () => calls.push('second'));
    connection.send({ event: 'notice' });
    const error = await errors.next();
    expect(error).toMatchObject({
      code: 'LISTENER_FAILED',
      message: 'a listener of on("notice") threw: boom',
    });
    expect(calls).toEqual(['second']);
  });
});
