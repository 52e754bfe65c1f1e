// A real @arcade/ws server process (fixtures/events-instance.js) on a Redis: one a test can kill as a
// crash does (SIGKILL: no close frame, nothing cleaned up) and start again on the same port.
import { join } from 'node:path';
import { httpRequest, NodeProcess, type ReadyMessage } from '@arcade/test-support';
import type { RoomPosition } from '../../../src/index';

const FIXTURE = join(__dirname, '..', 'fixtures', 'events-instance.js');

type Ready = ReadyMessage & { readonly port: number };

export class InstanceProcess {
  /** Processes of this test file still running. */
  private static readonly running = new Set<InstanceProcess>();

  private constructor(
    private readonly process: NodeProcess<Ready>,
    private readonly redisUrl: string,
  ) {}

  /** Starts an instance on the Redis at `redisUrl`, on `port` (a free one by default). */
  static async start(redisUrl: string, port = 0): Promise<InstanceProcess> {
    const started = await NodeProcess.start<Ready>(FIXTURE, {
      env: { REDIS_URL: redisUrl, PORT: String(port) },
    });
    const instance = new InstanceProcess(started, redisUrl);
    InstanceProcess.running.add(instance);
    return instance;
  }

  /** Stops every instance of this test file still running (an `afterEach`). */
  static async stopAll(): Promise<void> {
    await Promise.all([...InstanceProcess.running].map((instance) => instance.stop()));
  }

  get port(): number {
    return this.process.ready.port;
  }

  /** `ws://127.0.0.1:<port><path>` */
  url(path = '/events'): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  /** Emits lines `from..to` to `room` with history from this instance; resolves the last position. */
  async emitLines(room: string, from: number, to: number): Promise<RoomPosition> {
    let position: RoomPosition | undefined;
    for (let n = from; n <= to; n += 1) {
      const answer = await httpRequest(`http://127.0.0.1:${this.port}/control/emit`, {
        method: 'POST',
        body: { room, n },
      });
      if (answer.status !== 200) {
        throw new Error(`emit ${n} answered ${answer.status}: ${answer.text}\n${this.process.errorOutput}`);
      }
      position = answer.json<RoomPosition>();
    }
    if (!position) throw new Error(`emitLines(${room}, ${from}, ${to}): nothing to emit`);
    return position;
  }

  /** Kills the process as a crash would (SIGKILL): its clients see their TCP connections end (1006). */
  async crash(): Promise<void> {
    await this.process.kill('SIGKILL');
    InstanceProcess.running.delete(this);
  }

  /** Starts a new process on this one's port and Redis (after {@link crash} or {@link stop}). */
  restart(): Promise<InstanceProcess> {
    return InstanceProcess.start(this.redisUrl, this.port);
  }

  /** Stops the process gracefully (its clients get 1001). */
  async stop(): Promise<void> {
    await this.process.stop();
    InstanceProcess.running.delete(this);
  }
}
