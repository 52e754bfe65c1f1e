// Helpers shared by the tests of this workspace (README.md). Private: never published.
export { type Deferred, deferred } from './deferred';
export { runFixture, type StartedFixture, stderrLogger } from './fixture-process';
export { type AsyncMethodOf, type HeldCall, type HoldPoint, holdNextCall } from './hold-call';
export { type HttpAnswer, type HttpRequestOptions, httpRequest } from './http';
export { NodeProcess, type NodeProcessOptions, type ProcessExit, type ReadyMessage } from './node-process';
export { type WaitForOptions, waitFor } from './poll';
export {
  type MetricFamily,
  parsePrometheusText,
  type Sample,
  type Scrape,
  scrape,
} from './prometheus-text';
export { type LogEntry, type LoggerShape, type LogLevel, RecordingLogger } from './recording-logger';
export { TcpProxy } from './tcp-proxy';
export {
  type CloseEvent,
  type ConnectOptions,
  expectUpgradeRefused,
  type Frame,
  type FrameMatcher,
  TestClient,
  UpgradeRefusedError,
} from './ws-client';
