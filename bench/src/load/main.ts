import type { FromLoad, LoadJob, LoadResult, Metrics, ToLoad } from '../protocol';
import { runConnections } from './connections';
import { runEcho } from './echo';
import { runFanout } from './fanout';

/**
 * The load generator process: started by the runner with an IPC channel, receives one job, sends its
 * result and exits. It never outlives its bound: a hard deadline ends it even if a server hangs.
 */
const HARD_DEADLINE_MS = 120_000;

/** Drops metrics that are not numbers (NaN would cross IPC as null). */
function finite(metrics: Metrics): Metrics {
  return Object.fromEntries(Object.entries(metrics).filter(([, value]) => Number.isFinite(value)));
}

function finiteResult(result: LoadResult): LoadResult {
  return Array.isArray(result) ? result.map(finite) : finite(result);
}

function send(message: FromLoad): void {
  process.send?.(message);
}

function waitForRelease(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: ToLoad): void => {
      if (message.type !== 'release') return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  switch (job.kind) {
    case 'fanout':
      return runFanout(job);
    case 'echo':
      return runEcho(job);
    case 'http':
      // autocannon and its dependencies are loaded only by HTTP jobs.
      return (await import('./http')).runHttp(job);
    case 'connections':
      return runConnections(job, async (metrics) => {
        send({ type: 'connected', metrics: finite(metrics) });
        await waitForRelease();
      });
  }
}

setTimeout(() => {
  process.stderr.write('load generator: hard deadline reached, exiting\n');
  process.exit(2);
}, HARD_DEADLINE_MS).unref();

process.once('message', (message: ToLoad) => {
  if (message.type !== 'run') return;
  run(message.job).then(
    (result) => send({ type: 'result', metrics: finiteResult(result) }),
    (error: unknown) =>
      send({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
