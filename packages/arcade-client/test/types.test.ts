import * as path from 'node:path';
import { typeCheck } from './support/type-check';

describe('the typing of send, request and on', () => {
  it('accepts the valid calls and refuses each one marked @ts-expect-error', () => {
    expect(typeCheck('tsconfig.json', [path.join(__dirname, 'types', 'client-typing.ts')])).toEqual([]);
  });

  it('fails when a call marked as an error compiles (the check can fail)', () => {
    const name = path.join(__dirname, 'types', 'not-an-error.ts');
    const text = [
      "import type { ArcadeClient } from '../../src/index';",
      "import type { ChatEvents } from '../support/chat-events';",
      'declare const client: ArcadeClient<ChatEvents>;',
      '// @ts-expect-error',
      "client.send('typing');",
    ].join('\n');
    expect(typeCheck('tsconfig.json', [], { name, text })).toEqual([
      "not-an-error.ts:4 Unused '@ts-expect-error' directive.",
    ]);
  });
});
