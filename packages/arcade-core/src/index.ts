export { App, type AppOptions, createApp, defaultApp, route, runServer } from './app';
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
export { isThenable } from './is-thenable';
export {
  type ConsoleLoggerOptions,
  createConsoleLogger,
  describeError,
  type Logger,
  type LogLevel,
  silentLogger,
} from './logger';
export { RequestContext, type RequestContextInit, type RouteInfo } from './request-context';
export { RouteBuilder, RouteHandle } from './route-builder';
export { type GroupOptions, Router } from './router/router';
export { DEFAULT_SHUTDOWN_TIMEOUT_MS } from './server';
export type {
  ArcadeServer,
  ServerCloseListener,
  ServerOptions,
  ServerStartListener,
} from './server-options';
export { settlesWithin } from './settles-within';
