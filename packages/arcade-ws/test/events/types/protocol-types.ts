// The helper types a client builds its API on (docs/events-protocol.md, "The events map"), checked by
// tsc through a minimal typed client declared here: wrong names, payloads and reply types do not compile.
import type {
  EventNames,
  EventsMap,
  PayloadArgs,
  PayloadOf,
  RequestNames,
  ResultOf,
  ServerEventNames,
} from '@arcade/ws';

/** Uses values, so that the compiler reports no unused variable (nothing here runs). */
declare function keep(...values: unknown[]): void;

interface Chat extends EventsMap {
  toServer: {
    say: { text: string };
    leaveAll: undefined;
    // biome-ignore lint/suspicious/noConfusingVoidType: an event typed void is what is tested here.
    quiet: void;
    maybe: { text: string } | undefined;
    history: (query: { room: string }) => string[];
    ping: () => 'pong';
    later: () => Promise<number>;
  };
  toClient: { line: { text: string }; tick: undefined };
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T): void {}

assertType<Equal<EventNames<Chat['toServer']>, 'say' | 'leaveAll' | 'quiet' | 'maybe'>>();
assertType<Equal<RequestNames<Chat['toServer']>, 'history' | 'ping' | 'later'>>();
assertType<Equal<ServerEventNames<Chat>, 'line' | 'tick'>>();
assertType<Equal<PayloadOf<Chat['toServer']['history']>, { room: string }>>();
assertType<Equal<PayloadOf<Chat['toServer']['ping']>, undefined>>();
assertType<Equal<ResultOf<Chat['toServer']['later']>, number>>();
assertType<Equal<PayloadArgs<undefined>, []>>();
assertType<Equal<PayloadArgs<void>, []>>();
assertType<Equal<PayloadArgs<{ a: 1 } | undefined>, [payload?: { a: 1 }]>>();

/** A minimal typed client over the helper types, as `@arcade/client` would declare one. */
declare const client: {
  emit<E extends EventNames<Chat['toServer']>>(event: E, ...payload: PayloadArgs<Chat['toServer'][E]>): void;
  request<E extends RequestNames<Chat['toServer']>>(
    event: E,
    ...payload: PayloadArgs<PayloadOf<Chat['toServer'][E]>>
  ): Promise<ResultOf<Chat['toServer'][E]>>;
  on<E extends ServerEventNames<Chat>>(event: E, listener: (payload: Chat['toClient'][E]) => void): void;
};

async function use(): Promise<void> {
  client.emit('say', { text: 'hi' });
  client.emit('leaveAll');
  client.emit('quiet');
  client.emit('maybe');
  client.emit('maybe', { text: 'x' });
  const lines: string[] = await client.request('history', { room: 'lobby' });
  const pong: 'pong' = await client.request('ping');
  const later: number = await client.request('later');
  client.on('line', (line) => keep(line.text));
  client.on('tick', (nothing) => keep(nothing));
  keep(lines, pong, later);

  // @ts-expect-error -- not an event name
  client.emit('shout', { text: 'hi' });
  // @ts-expect-error -- the wrong payload
  client.emit('say', { text: 1 });
  // @ts-expect-error -- say needs its payload
  client.emit('say');
  // @ts-expect-error -- an event without payload takes none
  client.emit('leaveAll', 1);
  // @ts-expect-error -- a request is not an event
  client.emit('ping');
  // @ts-expect-error -- not a request name
  await client.request('say', { text: 'hi' });
  // @ts-expect-error -- the wrong payload
  await client.request('history', { room: 1 });
  // @ts-expect-error -- the wrong reply type
  const wrong: number[] = await client.request('history', { room: 'lobby' });
  // @ts-expect-error -- ping takes no payload
  await client.request('ping', 'please');
  // @ts-expect-error -- not a toClient event
  client.on('say', () => undefined);
  keep(wrong);
}
void use;
