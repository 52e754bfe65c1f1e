// Helpers shared by the tests of this workspace (README.md). Private: never published.
export { type Deferred, deferred } from './deferred';
export { type HttpAnswer, type HttpRequestOptions, httpRequest } from './http';
export { type WaitForOptions, waitFor } from './poll';
export {
  type MetricFamily,
  parsePrometheusText,
  type Sample,
  type Scrape,
  scrape,
} from './prometheus-text';
export { type LogEntry, type LoggerShape, type LogLevel, RecordingLogger } from './recording-logger';
export {
  type CloseEvent,
  type ConnectOptions,
  expectUpgradeRefused,
  type Frame,
  type FrameMatcher,
  TestClient,
  UpgradeRefusedError,
} from './ws-client';
