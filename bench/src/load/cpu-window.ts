import { cpuMicros, memoryStatus } from '../proc-stats';

/**
 * CPU spent by a set of processes, and by this one, between `start()` and `stop()`, summed over every
 * start/stop pair (a server measured in interleaved slices adds up its slices).
 */
export class CpuWindow {
  private startedAt = 0;
  private startCpu: number[] = [];
  private startSelf: NodeJS.CpuUsage = process.cpuUsage();
  /** Wall time of the windows, ms. */
  elapsedMs = 0;
  /** CPU µs per watched process over the windows. */
  cpu: number[] = [];
  /** CPU µs of this (load generator) process over the windows. */
  selfCpu = 0;

  /** `read` gives a process's CPU µs so far: `/proc/<pid>/stat` by default. */
  constructor(
    private readonly pids: readonly number[],
    private readonly read: (pid: number) => number = cpuMicros,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.startCpu = this.pids.map(this.read);
    this.startSelf = process.cpuUsage();
  }

  stop(): void {
    this.elapsedMs += performance.now() - this.startedAt;
    this.cpu = this.pids.map((pid, i) => (this.cpu[i] ?? 0) + this.read(pid) - this.startCpu[i]!);
    const self = process.cpuUsage(this.startSelf);
    this.selfCpu += self.user + self.system;
  }

  /** Total CPU µs of the watched processes. */
  get totalCpu(): number {
    return this.cpu.reduce((a, b) => a + b, 0);
  }

  /** This process's CPU as a percentage of one core over the windows. */
  get selfCpuPercent(): number {
    return (this.selfCpu / (this.elapsedMs * 1000)) * 100;
  }
}

/** The largest peak RSS (`VmHWM`) among the processes, in MiB. */
export function peakRssMiB(pids: readonly number[]): number {
  return Math.max(...pids.map((pid) => memoryStatus(pid).peakRss)) / 2 ** 20;
}
