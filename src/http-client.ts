import type { Answer } from '@cio-connectors/kit/http-answers';
import {
  type ClientOptions,
  type Download,
  HttpClient,
  type RequestOptions,
  type RequestScope,
  type RetryNotice,
} from '@cio-connectors/kit/http-client';
import type { ApiWording } from '@cio-connectors/kit/http-errors';
import { type ApiClient, Requests, ScopedRequests } from './api-client.js';
import { ConfigError, ConnectorError } from './errors.js';

/** What the App API's failures say about its key and the source's settings. */
const APP_API_WORDING: ApiWording = {
  keyName: 'App API key',
  rejectedKey:
    'Check that "app_api_key" is an App API key (not a Track API key) from Account Settings > API Credentials > App API Keys, and that "region" matches your account (US or EU: the wrong region answers 401 too).',
  forbidden:
    "the App API key's scope does not cover this data, or your account's IP allowlist blocks this machine. Use a key with read access to it, or allow this machine's IP address.",
  hostSettings: '"region" or "base_url"',
  baseUrlSetting: '"base_url"',
  budgetName: 'App API budget',
  tooLargeHint: 'Narrow what the stream reads (customers_filter, start_date) or report it.',
};

export type AppClientOptions = Omit<ClientOptions, 'authorization' | 'wording'> & { apiKey: string };

/**
 * The App API client: the kit's HttpClient with Bearer auth and the App API's wording, seen as the requests
 * streams make (paging included, see api-client.ts). An answer asked for with `keepText` leaves its text for
 * its records (record-text.ts).
 */
export class CustomerIoClient extends Requests {
  readonly #http: HttpClient;

  constructor({ apiKey, ...options }: AppClientOptions) {
    super();
    this.#http = new HttpClient({
      ...options,
      authorization: `Bearer ${apiKey}`,
      wording: APP_API_WORDING,
      userAgent: options.userAgent ?? 'source-customer-io/0.1.0',
    });
  }

  /**
   * A view of this client for one stream's read: its requests are cancelled, retries included, when `signal`
   * aborts (the read loop aborts a stream's requests when the stream ends, so a failed stream's other
   * partitions stop spending the budget), and retry notices name the stream. The budget stays shared.
   */
  scoped(scope: RequestScope): ApiClient {
    return new ScopedRequests(this, scope);
  }

  onRetry(listener: (notice: RetryNotice) => void | Promise<void>): void {
    this.#http.onRetry(listener);
  }

  onResume(listener: (stream: string) => void | Promise<void>): void {
    this.#http.onResume(listener);
  }

  /** The current request rate (below the configured one after 429s, until it climbs back). */
  get requestsPerSecond(): number {
    return this.#http.requestsPerSecond;
  }

  /** Attempts sent, retries included. */
  get requestCount(): number {
    return this.#http.requestCount;
  }

  override async send(path: string, options: RequestOptions, scope?: RequestScope): Promise<Answer> {
    try {
      return await this.#http.send(path, options, scope);
    } catch (error) {
      throw filterRefusal(error);
    }
  }

  override download(url: string, signal: AbortSignal, scope?: RequestScope): Promise<Download> {
    return this.#http.download(url, signal, scope);
  }
}

/** The requests that carry `customers_filter`: the people search and the customers export. */
const FILTERED_PATHS: ReadonlySet<string> = new Set(['/v1/customers', '/v1/exports/customers']);

/**
 * A 400 to a request that carries `customers_filter` is the filter's fault (Customer.io checks it there, not
 * in the config): a config error naming the field and Customer.io's words, not an unexpected failure.
 */
function filterRefusal(error: unknown): unknown {
  if (
    !(error instanceof ConnectorError) ||
    error.status !== 400 ||
    error.method !== 'POST' ||
    !FILTERED_PATHS.has(error.path ?? '')
  )
    return error;
  const words = error.detail === undefined ? '' : `: ${error.detail}`;
  return new ConfigError(
    `Customer.io refused the config field "customers_filter" (HTTP 400 on POST ${error.path}${words}): fix the filter, e.g. {"segment":{"id":7}}, or leave it empty to read everyone.`,
    {
      method: error.method,
      path: error.path,
      status: error.status,
      ...(error.detail === undefined ? {} : { detail: error.detail }),
    },
  );
}
