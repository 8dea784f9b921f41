import {
  ConnectorError,
  type ConnectorErrorOptions,
  UnexpectedResponseError,
} from '@cio-connectors/kit/errors';

// The source's error vocabulary: the kit's (shared with the destination) and the source's own below.
export * from '@cio-connectors/kit/errors';

/** A 200 without the list (or object) the endpoint answers with: reading on would report no data as "empty". */
export class MissingEnvelopeError extends UnexpectedResponseError {
  constructor(message: string, options: ConnectorErrorOptions = {}) {
    super(message, options);
    this.name = 'MissingEnvelopeError';
  }
}

/** Paging that would never end: a token followed before, or a page repeating the one before it. */
export class PaginationLoopError extends UnexpectedResponseError {
  constructor(message: string, options: ConnectorErrorOptions = {}) {
    super(message, options);
    this.name = 'PaginationLoopError';
  }
}

/** A child endpoint answering 404 for most of its parents: the endpoint is wrong or unavailable, not a deletion. */
export class ChildEndpointNotFoundError extends ConnectorError {
  constructor(message: string) {
    super(message, 'system_error');
    this.name = 'ChildEndpointNotFoundError';
  }
}

/** A child stream whose parent stream already failed in this sync: it fails at once, with the parent's cause. */
export class ParentStreamFailedError extends ConnectorError {
  constructor(parent: string, cause: ConnectorError) {
    super(`its parent stream ${parent} failed earlier in this sync: ${cause.message}`, cause.failureType, {
      internal: cause.internalMessage,
      cause,
    });
    this.name = 'ParentStreamFailedError';
  }
}

/**
 * A Customer.io export that ended `failed`. Transient: the next attempt starts a new export, which Customer.io
 * usually completes.
 */
export class ExportFailedError extends ConnectorError {
  readonly exportId: string;

  constructor(exportId: string, options: ConnectorErrorOptions = {}) {
    super(
      `Customer.io export ${exportId} failed while it was being prepared; the next attempt starts a new export. If exports keep failing, check the export in Customer.io (Data & Integrations > Exports) or use "customers_method": "search".`,
      'transient_error',
      options,
    );
    this.name = 'ExportFailedError';
    this.exportId = exportId;
  }
}
