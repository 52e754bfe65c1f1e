/** The JSON body Arcade sends for every HTTP error: `{"error":{"statusCode":404,"message":"Not found"}}`. */
export interface ErrorBody {
  error: {
    statusCode: number;
    message: string;
    /** Present only when the exception was given `errors`. */
    errors?: unknown;
    /** Present only on 500s when `exposeErrorDetails` is on: the thrown value, for development. */
    details?: { name: string; message: string; stack?: string };
  };
}

/** Extra options of {@link ArcadeHttpException}. */
export interface ArcadeHttpExceptionOptions {
  /**
   * Headers sent with the error response (for example `Retry-After` on a 429 or 503).
   * @default {}
   */
  headers?: Record<string, string>;
  /**
   * The error that caused this one; logged, never sent.
   * @default undefined
   */
  cause?: unknown;
}

/**
 * An error that becomes an HTTP response: throw it from a hook or handler and Arcade answers
 * `statusCode` with {@link ErrorBody}. Anything else thrown becomes a 500 with a generic message.
 */
export class ArcadeHttpException extends Error {
  override name = 'ArcadeHttpException';
  /** Stable, machine-readable code derived from the status (`NOT_FOUND`, `HTTP_418`, ...). */
  readonly code: string;
  /** Headers to send with the error response. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    message: string,
    readonly statusCode: number,
    readonly errors?: unknown,
    options: ArcadeHttpExceptionOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (!Number.isInteger(statusCode) || statusCode < 400 || statusCode > 599) {
      throw new RangeError(`ArcadeHttpException needs a 4xx or 5xx status code, got ${statusCode}`);
    }
    this.code = codeOf(statusCode);
    this.headers = { ...options.headers };
  }

  /** The response body: `{ error: { statusCode, message, errors? } }`. */
  toJSON(): ErrorBody {
    const error: ErrorBody['error'] = { statusCode: this.statusCode, message: this.message };
    if (this.errors !== undefined) error.errors = this.errors;
    return { error };
  }
}

/** Options of the specific exceptions (`new NotFoundException({ message: 'User not found' })`). */
export interface HttpExceptionOptions extends ArcadeHttpExceptionOptions {
  /** @default the class's standard message, such as "Not found" */
  message?: string;
  /**
   * Any JSON value describing the problem (validation errors, ...); sent as `error.errors`.
   * @default undefined (the body has no `errors`)
   */
  errors?: unknown;
}

const codes: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  422: 'UNPROCESSABLE_ENTITY',
  426: 'UPGRADE_REQUIRED',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

function codeOf(statusCode: number): string {
  return codes[statusCode] ?? `HTTP_${statusCode}`;
}

/** 400 "Bad request". */
export class BadRequestException extends ArcadeHttpException {
  override name = 'BadRequestException';
  constructor(options: HttpExceptionOptions = {}) {
    super(options.message ?? 'Bad request', 400, options.errors, options);
  }
}

/** 401 "Unauthorized". */
export class UnauthorizedException extends ArcadeHttpException {
  override name = 'UnauthorizedException';
  constructor(options: HttpExceptionOptions = {}) {
    super(options.message ?? 'Unauthorized', 401, options.errors, options);
  }
}

/** 403 "Forbidden". */
export class ForbiddenException extends ArcadeHttpException {
  override name = 'ForbiddenException';
  constructor(options: HttpExceptionOptions = {}) {
    super(options.message ?? 'Forbidden', 403, options.errors, options);
  }
}

/** 404 "Not found". */
export class NotFoundException extends ArcadeHttpException {
  override name = 'NotFoundException';
  constructor(options: HttpExceptionOptions = {}) {
    super(options.message ?? 'Not found', 404, options.errors, options);
  }
}

/** 405 "Method not allowed". */
export class MethodNotAllowedException extends ArcadeHttpException {
  override name = 'MethodNotAllowedException';
  constructor(options: HttpExceptionOptions = {}) {
    super(options.message ?? 'Method not allowed', 405, options.errors, options);
  }
}

/** 409 "Conflict". */
export class ConflictException extends ArcadeHttpException {
  override name = 'ConflictException';
  constructor(options: HttpExceptionOptions = {}) {
    super(options.message ?? 'Conflict', 409, options.errors, options);
  }
}

/** 413 "Payload too large". */
export class PayloadTooLargeException extends ArcadeHttpException {
  override name = 'PayloadTooLargeException';
  constructor(options: HttpExceptionOptions = {}) {
    super(options.message ?? 'Payload too large', 413, options.errors, options);
  }
}

/** 422 "Unprocessable entity". */
export class UnprocessableEntityException extends ArcadeHttpException {
  override name = 'UnprocessableEntityException';
  constructor(options: HttpExceptionOptions = {}) {
    super(options.message ?? 'Unprocessable entity', 422, options.errors, options);
  }
}

/** 426 "Upgrade required" (answered by upgrade routes to plain requests). */
export class UpgradeRequiredException extends ArcadeHttpException {
  override name = 'UpgradeRequiredException';
  constructor(options: HttpExceptionOptions = {}) {
    super(options.message ?? 'Upgrade required', 426, options.errors, options);
  }
}

/** 429 "Too many requests". */
export class TooManyRequestsException extends ArcadeHttpException {
  override name = 'TooManyRequestsException';
  constructor(options: HttpExceptionOptions = {}) {
    super(options.message ?? 'Too many requests', 429, options.errors, options);
  }
}

/** 500 "Internal server error". */
export class InternalServerErrorException extends ArcadeHttpException {
  override name = 'InternalServerErrorException';
  constructor(options: HttpExceptionOptions = {}) {
    super(options.message ?? 'Internal server error', 500, options.errors, options);
  }
}

/** 503 "Service unavailable". */
export class ServiceUnavailableException extends ArcadeHttpException {
  override name = 'ServiceUnavailableException';
  constructor(options: HttpExceptionOptions = {}) {
    super(options.message ?? 'Service unavailable', 503, options.errors, options);
  }
}
