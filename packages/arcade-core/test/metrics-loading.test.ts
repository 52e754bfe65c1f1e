import { execFile } from 'node:child_process';
import { join } from 'node:path';

// prom-client is an optional peer dependency: loaded only by a server with `metrics`, and its absence
// is a clear error of that server's start. Checked in plain Node processes (fixtures/metrics-loading.js),
// whose require.cache is the real one (jest keeps a module registry of its own).
interface Outcome {
  started: boolean;
  loaded: boolean;
  status?: number;
  code?: string;
  name?: string;
  message?: string;
}

function runFixture(mode: 'off' | 'on' | 'missing'): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(__dirname, 'fixtures', 'metrics-loading.js'), mode],
      { cwd: join(__dirname, '..'), timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as Outcome);
      },
    );
  });
}

describe('loading prom-client', () => {
  it('never happens for a server without the metrics option', async () => {
    expect(await runFixture('off')).toEqual({ started: true, status: 200, loaded: false });
  });

  it('happens when the metrics option is given', async () => {
    expect(await runFixture('on')).toEqual({ started: true, status: 200, loaded: true });
  });

  it('fails runServer with MetricsError PROM_CLIENT_MISSING when prom-client is not installed', async () => {
    const outcome = await runFixture('missing');
    expect(outcome).toMatchObject({ started: false, name: 'MetricsError', code: 'PROM_CLIENT_MISSING' });
    expect(outcome.message).toMatch(/npm install prom-client/);
  });
});
