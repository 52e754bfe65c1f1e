import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Options of {@link NodeProcess.start}. */
export interface NodeProcessOptions {
  /** Added to this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Arguments after the script. */
  readonly args?: readonly string[];
  /** Bound for the ready line; the child is killed when it passes. @default 20000 */
  readonly readyTimeoutMs?: number;
  /** Bound for a graceful {@link NodeProcess.stop} before SIGKILL. @default 15000 */
  readonly stopTimeoutMs?: number;
}

/** How the process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The line a script prints on stdout once it is ready: `{"event":"ready", ...its own fields}`. */
export type ReadyMessage = { readonly event: 'ready' } & Record<string, unknown>;

/**
 * A Node script run as a real child process (a server instance, say), started once it says it is ready:
 * it prints one JSON line `{"event":"ready",...}` on stdout, whose fields (a port, an id) the test reads
 * from {@link NodeProcess.ready}. Its stdin stays open: a script that exits when stdin ends
 * (`process.stdin.on('end', ...)`) never outlives the test process, even one killed by jest. What it
 * writes on stderr is kept for failure messages.
 */
export class NodeProcess<R extends ReadyMessage = ReadyMessage> {
  /** Resolves when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  private stderr: string;
  private hasExited = false;

  private constructor(
    private readonly child: ChildProcess,
    /** The ready line, parsed. */
    readonly ready: R,
    stderr: string,
    private readonly stopTimeoutMs: number,
  ) {
    this.stderr = stderr;
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        this.hasExited = true;
        resolve({ code: child.exitCode, signal: child.signalCode });
        return;
      }
      child.once('exit', (code, signal) => {
        this.hasExited = true;
        resolve({ code, signal });
      });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
    });
  }

  /** Spawns `node <script> ...args` and resolves once it printed its ready line. */
  static start<R extends ReadyMessage = ReadyMessage>(
    script: string,
    options: NodeProcessOptions = {},
  ): Promise<NodeProcess<R>> {
    const child = spawn(process.execPath, [script, ...(options.args ?? [])], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
    let stderr = '';
    const collect = (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    };
    child.stderr.on('data', collect);
    return new Promise((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      const fail = (message: string) => {
        clearTimeout(timer);
        lines.close();
        child.kill('SIGKILL');
        reject(new Error(`${script} ${message}; its stderr:\n${stderr}`));
      };
      const timer = setTimeout(
        () => fail(`printed no ready line within ${readyTimeoutMs} ms`),
        readyTimeoutMs,
      );
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        fail(`exited (${code ?? signal}) before it was ready`);
      child.once('exit', onExit);
      lines.on('line', (line) => {
        let message: unknown;
        try {
          message = JSON.parse(line);
        } catch {
          return;
        }
        if (typeof message !== 'object' || message === null || (message as ReadyMessage).event !== 'ready')
          return;
        clearTimeout(timer);
        // Stdout is still read (and dropped): a child blocked on a full pipe would hang.
        lines.removeAllListeners('line');
        child.off('exit', onExit);
        child.stderr.off('data', collect);
        resolve(new NodeProcess(child, message as R, stderr, options.stopTimeoutMs ?? 15_000));
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return !this.hasExited;
  }

  /** What the process wrote on stderr so far. */
  get errorOutput(): string {
    return this.stderr;
  }

  /** Sends a signal that does not end the process (SIGSTOP freezes it, SIGCONT resumes it). */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    if (!this.hasExited) this.child.kill(signal);
  }

  /** Sends a signal and resolves once the process is gone (SIGKILL: no cleanup at all, as in a crash). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ProcessExit> {
    if (!this.hasExited) this.child.kill(signal);
    return this.exited;
  }

  /** Asks the process to end (SIGTERM, after thawing a frozen one); SIGKILL once `stopTimeoutMs` passed. */
  async stop(): Promise<ProcessExit> {
    if (this.hasExited) return this.exited;
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), this.stopTimeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}
