import type { ClientLimitOptions } from '../../src';

const PLENTY = { messages: 100_000, perMs: 60_000 };

/**
 * Client budgets no test reaches, for tests about something else: every test client comes from
 * 127.0.0.1, so under the defaults a whole test file counts as one client.
 */
export const UNREACHED_LIMITS: ClientLimitOptions = {
  connect: PLENTY,
  openConnections: 100_000,
  membership: PLENTY,
  chat: PLENTY,
  typing: PLENTY,
  roomList: PLENTY,
  roomView: PLENTY,
};
