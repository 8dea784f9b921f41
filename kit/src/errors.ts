export type FailureType = 'config_error' | 'transient_error' | 'system_error';

/** The request a failure is about, as data: never the key, never headers. */
export interface RequestFacts {
  method?: string | undefined;
  path?: string | undefined;
  /** The HTTP status Customer.io answered, when it answered. */
  status?: number | undefined;
  /** Customer.io's own words about the failure (its error body's detail or message), at most 200 characters. */
  detail?: string | undefined;
}

export interface ConnectorErrorOptions extends RequestFacts {
  internal?: string | undefined;
  cause?: unknown;
}

/**
 * Base of every failure the connector reports: carries the Airbyte `failure_type`, a user-facing message and,
 * for a failed request, its method, path and status (so callers decide on data, not on message text).
 */
export class ConnectorError extends Error {
  readonly failureType: FailureType;
  /** Developer-facing detail (never contains secrets: built from status codes and paths only). */
  readonly internalMessage: string | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly status: number | undefined;
  readonly detail: string | undefined;

  constructor(message: string, failureType: FailureType, options: ConnectorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectorError';
    this.failureType = failureType;
    this.internalMessage = options.internal;
    this.method = options.method;
    this.path = options.path;
    this.status = options.status;
    this.detail = options.detail;
  }
}

/** Something the user must fix in the config, catalog or state. */
export class ConfigError extends ConnectorError {
  constructor(message: string, options: ConnectorErrorOptions = {}) {
    super(message, 'config_error', options);
    this.name = 'ConfigError';
  }
}

/** 401: the key is not one of this region's workspace. */
export class AuthenticationError extends ConnectorError {
  constructor(message: string, options: ConnectorErrorOptions = {}) {
    super(message, 'config_error', options);
    this.name = 'AuthenticationError';
  }
}

/** 403: the key's scope or the account's IP allowlist forbids this endpoint. */
export class ForbiddenError extends ConnectorError {
  constructor(message: string, options: ConnectorErrorOptions = {}) {
    super(message, 'config_error', options);
    this.name = 'ForbiddenError';
  }
}

/** 404 on a resource path, e.g. a parent deleted mid-sync. */
export class NotFoundError extends ConnectorError {
  constructor(message: string, options: ConnectorErrorOptions = {}) {
    super(message, 'system_error', options);
    this.name = 'NotFoundError';
  }
}

/** A failure a later attempt may not hit: retries exhausted on 429, 5xx, timeouts, dropped connections, bad bodies. */
export class TransientApiError extends ConnectorError {
  constructor(message: string, options: ConnectorErrorOptions = {}) {
    super(message, 'transient_error', options);
    this.name = 'TransientApiError';
  }
}

/** An answer the connector does not know how to handle (unexpected 4xx, wrong envelope). */
export class UnexpectedResponseError extends ConnectorError {
  constructor(message: string, options: ConnectorErrorOptions = {}) {
    super(message, 'system_error', options);
    this.name = 'UnexpectedResponseError';
  }
}

/** A usage mistake on the command line (unknown command, missing file). */
export class UsageError extends ConnectorError {
  constructor(message: string) {
    super(message, 'config_error');
    this.name = 'UsageError';
  }
}

export function asConnectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectorError(`Unexpected error in the connector: ${message}`, 'system_error', {
    internal: error instanceof Error ? error.stack : undefined,
    cause: error,
  });
}

/** A request cancelled because its stream ended (failed, or stopped reading): not a failure of the request. */
export class RequestCancelledError extends ConnectorError {
  constructor(message: string) {
    super(message, 'system_error');
    this.name = 'RequestCancelledError';
  }
}

/**
 * Customer.io cannot be reached at all (connection refused, no such host, every request timing out) after a
 * request used up its retries while no other request succeeded: no stream can make progress.
 */
export class ApiUnreachableError extends ConnectorError {
  constructor(message: string, options: ConnectorErrorOptions = {}) {
    super(message, 'transient_error', options);
    this.name = 'ApiUnreachableError';
  }
}

/** An answer larger than the connector accepts: downloading it again would only fail again. */
export class ResponseTooLargeError extends ConnectorError {
  constructor(message: string, options: ConnectorErrorOptions = {}) {
    super(message, 'system_error', options);
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * Failures of the whole run (the key, the host): once one happens, no other stream can succeed either.
 * An error caused by one (e.g. a child stream failing because its parent did) counts too.
 */
export function isRunWide(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof AuthenticationError || current instanceof ApiUnreachableError) return true;
    current = current.cause;
  }
  return false;
}

/**
 * 301 "wrong datacenter": the key belongs to the other region's data center. A failure of the whole run,
 * like a rejected key (every request gets the same answer). `keyName` says which key, e.g. "App API key".
 */
export class WrongDatacenterError extends AuthenticationError {
  constructor(where: string, keyName: string, options: ConnectorErrorOptions = {}) {
    super(
      `Customer.io answered "wrong datacenter" (301 on ${where}): this ${keyName} belongs to the other data center. Change "region" (US or EU) to the one your account is hosted in.`,
      options,
    );
    this.name = 'WrongDatacenterError';
  }
}
