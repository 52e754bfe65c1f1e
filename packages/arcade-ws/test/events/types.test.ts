import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

// The type tests of the events protocol (test/events/types/): tsc must compile them, every
// `@ts-expect-error` line failing as it says (an unused directive is an error too).
jest.setTimeout(120_000);

const run = promisify(execFile);

it('compiles the type tests: wrong names, payloads and reply types are compile errors', async () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const project = join(__dirname, 'types', 'tsconfig.json');
  const result = await run(process.execPath, [tsc, '--noEmit', '-p', project]).catch(
    (error: { stdout?: string; code?: number }) => ({ stdout: error.stdout ?? '', code: error.code }),
  );
  expect(result.stdout).toBe('');
});
