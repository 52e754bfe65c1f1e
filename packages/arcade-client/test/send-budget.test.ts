import { WebSocket } from 'ws';
import { resolveOptions } from '../src/options';
import { SendBudget } from '../src/send-budget';

// The client's send budget (the `sendRate` option): a token bucket kept below the server's rate limit.
// The end-to-end proof, against a real server and its default limit: e2e/offline-queue.test.ts.

/** A budget on a clock the test moves. */
function budgetAt(messages: number, perMs: number) {
  let now = 1000;
  const budget = new SendBudget({ messages, perMs }, () => now);
  return {
    budget,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('SendBudget', () => {
  it('starts full, then refills continuously at messages per perMs', () => {
    const { budget, advance } = budgetAt(2, 100);
    expect([budget.take(), budget.take(), budget.take()]).toEqual([true, true, false]);
    expect(budget.msUntilToken()).toBe(50);
    advance(49);
    expect(budget.take()).toBe(false);
    advance(1);
    expect(budget.take()).toBe(true);
  });

  it('never holds more than messages tokens', () => {
    const { budget, advance } = budgetAt(2, 100);
    advance(10_000);
    expect([budget.take(), budget.take(), budget.take()]).toEqual([true, true, false]);
  });

  it('goes into debt for frames that cannot wait, and makes the others wait longer', () => {
    const { budget, advance } = budgetAt(2, 100);
    budget.spend();
    budget.spend();
    budget.spend();
    expect(budget.take()).toBe(false);
    expect(budget.msUntilToken()).toBe(100);
    advance(100);
    expect(budget.take()).toBe(true);
  });

  it('is full again after reset(), as the server bucket of a new connection is', () => {
    const { budget } = budgetAt(1, 100);
    budget.spend();
    budget.spend();
    budget.reset();
    expect(budget.msUntilToken()).toBe(0);
    expect(budget.take()).toBe(true);
  });
});

describe('the sendRate option', () => {
  const base = { WebSocket, network: null };

  it('defaults to half the server default burst at its rate, and false turns it off', () => {
    expect(resolveOptions('ws://h/', base).sendRate).toEqual({ messages: 50, perMs: 500 });
    expect(resolveOptions('ws://h/', { ...base, sendRate: { messages: 10 } }).sendRate).toEqual({
      messages: 10,
      perMs: 500,
    });
    expect(resolveOptions('ws://h/', { ...base, sendRate: false }).sendRate).toBe(false);
  });

  it.each([
    [{ messages: 0 }, /sendRate.messages must be an integer, 1 or more, got 0/],
    [{ messages: 1.5 }, /sendRate.messages/],
    [{ perMs: 0 }, /sendRate.perMs must be an integer from 1/],
    ['fast', /sendRate must be false or an object/],
  ])('refuses %p', (sendRate, message) => {
    expect(() => resolveOptions('ws://h/', { ...base, sendRate: sendRate as never })).toThrow(message);
  });
});
