import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { HeartbeatGroup, type HeartbeatMember } from '../../src/transport/heartbeat';

/** A connection as the heartbeat sees it: a `ws` that records pings and terminations, a byte counter. */
class FakeMember implements HeartbeatMember {
  readonly socket = Object.assign(new EventEmitter(), {
    OPEN: 1,
    readyState: 1,
    pings: 0,
    terminated: false,
    ping(): void {
      this.pings += 1;
    },
    terminate(): void {
      this.terminated = true;
      this.readyState = 3;
    },
  });

  constructor(public bytesRead: number | undefined) {}

  get ws(): WebSocket {
    return this.socket as unknown as WebSocket;
  }
}

describe('HeartbeatGroup', () => {
  const options = { intervalMs: 100, timeoutMs: 50 };
  let group: HeartbeatGroup;
  let members: FakeMember[];

  beforeEach(() => {
    jest.useFakeTimers();
    members = [];
    group = new HeartbeatGroup(options, () => members);
  });

  afterEach(() => {
    group.stop();
    jest.useRealTimers();
  });

  function join(member: FakeMember): FakeMember {
    members.push(member);
    group.add();
    return member;
  }

  it('terminates a connection that received no byte after its ping, and keeps one that did', () => {
    const silent = join(new FakeMember(100));
    const answering = join(new FakeMember(100));
    jest.advanceTimersByTime(options.intervalMs);
    expect([silent.socket.pings, answering.socket.pings]).toEqual([1, 1]);
    answering.bytesRead = 102; // its pong
    jest.advanceTimersByTime(options.timeoutMs);
    expect(silent.socket.terminated).toBe(true);
    expect(answering.socket.terminated).toBe(false);
  });

  it('falls back to awaiting the pong for a socket that counts no bytes', () => {
    const silent = join(new FakeMember(undefined));
    const answering = join(new FakeMember(undefined));
    jest.advanceTimersByTime(options.intervalMs);
    answering.socket.emit('pong');
    jest.advanceTimersByTime(options.timeoutMs);
    expect(silent.socket.terminated).toBe(true);
    expect(answering.socket.terminated).toBe(false);
    // Pinged again in the next round, and checked again.
    jest.advanceTimersByTime(options.intervalMs);
    expect(answering.socket.pings).toBe(2);
    jest.advanceTimersByTime(options.timeoutMs);
    expect(answering.socket.terminated).toBe(true);
  });

  it('stops its timers with its last connection', () => {
    const member = join(new FakeMember(0));
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(options.intervalMs);
    members = [];
    group.remove(member);
    expect(jest.getTimerCount()).toBe(0);
  });
});
