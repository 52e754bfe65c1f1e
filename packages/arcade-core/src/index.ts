export {
  App,
  type AppOptions,
  createApp,
  defaultApp,
  type GroupOptions,
  RouteBuilder,
  RouteHandle,
  Router,
  route,
  runServer,
} from './app';
export {
  BodyParseFailure,
  type BodyParseFailureCode,
  type BodyParseResult,
  BodyParseSuccess,
  DEFAULT_BODY_LIMIT,
} from './body';
export {
  ArcadeHttpException,
  type ArcadeHttpExceptionOptions,
  BadRequestException,
  ConflictException,
  type ErrorBody,
  ForbiddenException,
  type HttpExceptionOptions,
  InternalServerErrorException,
  MethodNotAllowedException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  TooManyRequestsException,
  UnauthorizedException,
  UnprocessableEntityException,
  UpgradeRequiredException,
} from './exceptions';
export { type Cookie, type HeaderValue, RequestHeaders, ResponseHeaders } from './headers';
export {
  DEFAULT_LIVENESS_PATH,
  DEFAULT_READINESS_CHECK_TIMEOUT_MS,
  DEFAULT_READINESS_PATH,
  type HealthOptions,
  type ReadinessCheck,
  type ReadinessCheckResult,
  type ReadinessReport,
} from './health';
export type {
  AfterHook,
  AfterHookResult,
  BeforeHook,
  RouteHandler,
  UpgradeHandler,
  UpgradeRequest,
} from './hooks';
export {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_HTTP_CONNECTIONS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from './http-limits';
export { UNMATCHED_ROUTE } from './http-metrics';
export { isThenable } from './is-thenable';
export {
  adaptLogger,
  type ConsoleLoggerOptions,
  createConsoleLogger,
  describeError,
  isPinoLogger,
  type Logger,
  type LogLevel,
  silentLogger,
} from './logger';
export { DEFAULT_METRICS_PATH, DEFAULT_METRICS_PREFIX } from './metrics';
export { MetricsError, type MetricsErrorCode } from './metrics-error';
export type {
  ArcadeMetrics,
  BoundCounter,
  BoundGauge,
  BoundHistogram,
  CounterDefinition,
  CounterMetric,
  GaugeDefinition,
  GaugeMetric,
  HistogramDefinition,
  HistogramMetric,
  MetricDefinition,
  MetricLabels,
  MetricsAuthorizer,
  MetricsOptions,
  MetricsRegistry,
} from './metrics-types';
export { bearerToken } from './operations-endpoints';
export { RequestContext, type RequestContextInit, type RouteInfo } from './request-context';
export { DEFAULT_SHUTDOWN_TIMEOUT_MS } from './server';
export type {
  ArcadeServer,
  DrainOptions,
  ServerCloseContext,
  ServerCloseListener,
  ServerOptions,
  ServerStartListener,
} from './server-options';
export { settlesWithin } from './settles-within';
