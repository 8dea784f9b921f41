export type FailureType = 'config_error' | 'transient_error' | 'system_error';

/** Base of every failure the connector reports: carries the Airbyte `failure_type` and a user-facing message. */
export class ConnectorError extends Error {
  readonly failureType: FailureType;
  /** Developer-facing detail (never contains secrets: built from status codes and paths only). */
  readonly internalMessage: string | undefined;

  constructor(
    message: string,
    failureType: FailureType,
    options: { internal?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectorError';
    this.failureType = failureType;
    this.internalMessage = options.internal;
  }
}

/** Something the user must fix in the config, catalog or state. */
export class ConfigError extends ConnectorError {
  constructor(message: string, options: { internal?: string | undefined; cause?: unknown } = {}) {
    super(message, 'config_error', options);
    this.name = 'ConfigError';
  }
}

/** 401: the key is not an App API key of this region's workspace. */
export class AuthenticationError extends ConnectorError {
  constructor(message: string, options: { internal?: string } = {}) {
    super(message, 'config_error', options);
    this.name = 'AuthenticationError';
  }
}

/** 403: the key's scope or the account's IP allowlist forbids this endpoint. */
export class ForbiddenError extends ConnectorError {
  constructor(message: string, options: { internal?: string } = {}) {
    super(message, 'config_error', options);
    this.name = 'ForbiddenError';
  }
}

/** 404 on a resource path, e.g. a parent deleted mid-sync. */
export class NotFoundError extends ConnectorError {
  constructor(message: string, options: { internal?: string } = {}) {
    super(message, 'system_error', options);
    this.name = 'NotFoundError';
  }
}

/** A failure a later attempt may not hit: retries exhausted on 429, 5xx, timeouts, dropped connections, bad bodies. */
export class TransientApiError extends ConnectorError {
  constructor(message: string, options: { internal?: string | undefined; cause?: unknown } = {}) {
    super(message, 'transient_error', options);
    this.name = 'TransientApiError';
  }
}

/** An answer the connector does not know how to handle (unexpected 4xx, wrong envelope). */
export class UnexpectedResponseError extends ConnectorError {
  constructor(message: string, options: { internal?: string } = {}) {
    super(message, 'system_error', options);
    this.name = 'UnexpectedResponseError';
  }
}

/** A 200 without the list (or object) the endpoint answers with: reading on would report no data as "empty". */
export class MissingEnvelopeError extends UnexpectedResponseError {
  constructor(message: string, options: { internal?: string } = {}) {
    super(message, options);
    this.name = 'MissingEnvelopeError';
  }
}

/** Paging that would never end: a token followed before, or a page repeating the one before it. */
export class PaginationLoopError extends UnexpectedResponseError {
  constructor(message: string, options: { internal?: string } = {}) {
    super(message, options);
    this.name = 'PaginationLoopError';
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
