import http from 'node:http';
import https from 'node:https';
import axios, {
  AxiosError,
  type AxiosInstance,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import axiosRetry from 'axios-retry';
import {
  AuthenticationError,
  type ConnectorError,
  ForbiddenError,
  NotFoundError,
  TransientApiError,
  UnexpectedResponseError,
} from './errors.js';
import { extractRecords, nextToken, PageLoopGuard } from './pagination.js';
import type { JsonObject } from './protocol.js';
import { RateLimiter } from './rate-limiter.js';

export interface RetryNotice {
  attempt: number;
  maxRetries: number;
  delayMs: number;
  /** Why the request is retried, without secrets: e.g. "HTTP 503" or "connection reset (ECONNRESET)". */
  reason: string;
  rateLimited: boolean;
  /** A 429 without Retry-After: a daily quota rather than the per-second limit, so the wait is long. */
  quotaExhausted: boolean;
  path: string;
  /** The stream whose request is retried, when it was sent through a scoped view. */
  stream: string | undefined;
}

/** What a stream's requests share: cancellation when the stream ends, and its name for notices. */
export interface RequestScope {
  signal: AbortSignal;
  stream: string;
}

/** What streams use: one client's budget and retries, seen through a stream's scope. */
export interface ApiClient {
  request(path: string, options?: RequestOptions): Promise<JsonObject>;
  get(path: string, params?: PageRequest['params']): Promise<JsonObject>;
  requestWithServerTime(
    path: string,
    options?: RequestOptions,
  ): Promise<{ body: JsonObject; serverTime: number | undefined }>;
  pages(request: PageRequest): AsyncGenerator<Page>;
}

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  requestsPerSecond: number;
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  maxRetryDelayMs?: number;
  /** Back-off used for a 429 without Retry-After (a daily quota, not the per-second limit). */
  quotaBackoffMs?: number;
  maxSockets?: number;
  userAgent?: string;
}

export interface PageRequest {
  path: string;
  envelopeKey: string;
  params?: Record<string, string | number | boolean>;
  method?: 'GET' | 'POST';
  body?: JsonObject;
  /** Sent as `limit` on every page when set. */
  pageSize?: number;
  /** `cursor` (default): `start` = the previous page's `next`. `offset`: `offset` += page size until a short page. */
  pagination?: 'cursor' | 'offset';
  /** The `start` token of the first page, to resume a read where a previous one stopped. */
  start?: string;
  /** Request each next page while the current one is being processed (long reads). */
  prefetch?: boolean;
}

export interface RequestOptions {
  params?: PageRequest['params'];
  method?: 'GET' | 'POST';
  body?: JsonObject;
}

export interface Page {
  records: JsonObject[];
  next: string | undefined;
  body: JsonObject;
}

/** The scope a request was sent under, carried on its axios config for retry notices. */
const SCOPE = Symbol('cio-scope');
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504, 522, 524]);
const INVALID_BODY = 'ERR_INVALID_BODY';

/** Customer.io App API client: auth, base URL, shared rate limit, retries with backoff, pagination. */
export class CustomerIoClient implements ApiClient {
  readonly #http: AxiosInstance;
  readonly #limiter: RateLimiter;
  readonly #options: Required<Omit<ClientOptions, 'apiKey'>>;
  readonly #lastDelays = new WeakMap<AxiosError, number>();
  #retryListeners: Array<(notice: RetryNotice) => void | Promise<void>> = [];
  requestCount = 0;

  constructor(options: ClientOptions) {
    this.#options = {
      baseUrl: options.baseUrl,
      requestsPerSecond: options.requestsPerSecond,
      timeoutMs: options.timeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 8,
      retryBaseMs: options.retryBaseMs ?? 1000,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
      quotaBackoffMs: options.quotaBackoffMs ?? 60_000,
      maxSockets: options.maxSockets ?? 16,
      userAgent: options.userAgent ?? 'source-customer-io/0.1.0',
    };
    this.#limiter = new RateLimiter(options.requestsPerSecond);
    const agentOptions = { keepAlive: true, maxSockets: this.#options.maxSockets };
    this.#http = axios.create({
      baseURL: this.#options.baseUrl,
      timeout: this.#options.timeoutMs,
      headers: {
        Authorization: `Bearer ${options.apiKey}`,
        Accept: 'application/json',
        'User-Agent': this.#options.userAgent,
      },
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
    });
    this.#http.interceptors.request.use(async (config) => {
      await this.#limiter.acquire();
      this.requestCount += 1;
      return config;
    });
    // Registered before axios-retry so that an unparsable 2xx body is retried like a dropped connection.
    this.#http.interceptors.response.use(parseJsonBody);
    axiosRetry(this.#http, {
      retries: this.#options.maxRetries,
      shouldResetTimeout: true,
      retryCondition: isRetryable,
      retryDelay: (attempt, error) => this.#retryDelay(attempt, error),
      onRetry: (attempt, error, config) => this.#notifyRetry(attempt, error, config),
    });
  }

  /**
   * A view of this client for one stream's read: its requests are cancelled, retries included, when `signal`
   * aborts (the read loop aborts a stream's requests when the stream ends, so a failed stream's other
   * partitions stop spending the budget), and retry notices name the stream. The budget stays shared.
   */
  scoped(scope: RequestScope): ApiClient {
    return new ScopedClient(this, scope);
  }

  /** Called before each retry wait, so the read loop can keep the platform informed. */
  onRetry(listener: (notice: RetryNotice) => void | Promise<void>): void {
    this.#retryListeners.push(listener);
  }

  async request(path: string, options: RequestOptions = {}): Promise<JsonObject> {
    return (await this.send(path, options)).data;
  }

  /** The body and the server's clock (its `Date` header), for answers whose meaning depends on "today". */
  async requestWithServerTime(
    path: string,
    options: RequestOptions = {},
  ): Promise<{ body: JsonObject; serverTime: number | undefined }> {
    return withServerTime(await this.send(path, options));
  }

  /** @internal The one place a request is sent; scoped views pass their signal and stream. */
  async send(
    path: string,
    options: RequestOptions,
    scope?: RequestScope,
  ): Promise<AxiosResponse<JsonObject>> {
    try {
      return await this.#http.request<JsonObject>({
        url: path,
        method: options.method ?? 'GET',
        params: options.params,
        data: options.body,
        ...(scope === undefined ? {} : { signal: scope.signal, [SCOPE]: scope }),
      });
    } catch (error) {
      throw toConnectorError(error, options.method ?? 'GET', path, this.#options);
    }
  }

  get(path: string, params?: PageRequest['params']): Promise<JsonObject> {
    return this.request(path, params === undefined ? {} : { params });
  }

  /**
   * Follows `next` tokens (sent back as `start`) until one is empty, null or absent. With `prefetch`, the next
   * page is requested as soon as its token is known, while the caller works through the current one.
   */
  async *pages(request: PageRequest, scope?: RequestScope): AsyncGenerator<Page> {
    if (request.pagination === 'offset') {
      yield* this.#offsetPages(request, scope);
      return;
    }
    const guard = new PageLoopGuard(request.path);
    let pending: Promise<Page> | undefined = this.#page(request, request.start, scope);
    while (pending !== undefined) {
      const page: Page = await pending;
      pending = undefined;
      guard.check(page.records, page.next);
      if (page.next !== undefined) {
        if (request.prefetch === true) {
          pending = this.#page(request, page.next, scope);
          // Awaited on the next turn; this only keeps an early stop from leaving an unhandled rejection.
          pending.catch(() => undefined);
        }
      }
      yield page;
      if (request.prefetch !== true && page.next !== undefined)
        pending = this.#page(request, page.next, scope);
    }
  }

  async #page(request: PageRequest, start: string | undefined, scope?: RequestScope): Promise<Page> {
    const params = {
      ...request.params,
      ...(request.pageSize === undefined ? {} : { limit: request.pageSize }),
      ...(start === undefined ? {} : { start }),
    };
    const { data: body } = await this.send(
      request.path,
      {
        params,
        method: request.method ?? 'GET',
        ...(request.body === undefined ? {} : { body: request.body }),
      },
      scope,
    );
    return { records: extractRecords(body, request.envelopeKey, request.path), next: nextToken(body), body };
  }

  async *#offsetPages(request: PageRequest, scope?: RequestScope): AsyncGenerator<Page> {
    const limit = request.pageSize ?? 100;
    const guard = new PageLoopGuard(request.path);
    for (let offset = 0; ; offset += limit) {
      const { data: body } = await this.send(
        request.path,
        {
          params: { ...request.params, limit, offset },
          method: request.method ?? 'GET',
          ...(request.body === undefined ? {} : { body: request.body }),
        },
        scope,
      );
      const records = extractRecords(body, request.envelopeKey, request.path);
      guard.check(records, undefined);
      yield { records, next: undefined, body };
      if (records.length < limit) return;
    }
  }

  #retryDelay(attempt: number, error: AxiosError): number {
    const delay = this.#computeDelay(attempt, error);
    this.#lastDelays.set(error, delay);
    return delay;
  }

  #computeDelay(attempt: number, error: AxiosError): number {
    const jitter = 0.8 + Math.random() * 0.4;
    const status = error.response?.status;
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(error.response?.headers['retry-after']);
      if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 300_000) + Math.random() * 250;
      return Math.max(this.#options.quotaBackoffMs, this.#exponential(attempt)) * jitter;
    }
    return this.#exponential(attempt) * jitter;
  }

  #exponential(attempt: number): number {
    return Math.min(this.#options.retryBaseMs * 2 ** (attempt - 1), this.#options.maxRetryDelayMs);
  }

  async #notifyRetry(
    attempt: number,
    error: AxiosError,
    config: { url?: string | undefined; [SCOPE]?: RequestScope },
  ): Promise<void> {
    const notice: RetryNotice = {
      attempt,
      maxRetries: this.#options.maxRetries,
      delayMs: this.#lastDelays.get(error) ?? this.#computeDelay(attempt, error),
      reason: describeFailure(error),
      rateLimited: error.response?.status === 429,
      quotaExhausted:
        error.response?.status === 429 &&
        parseRetryAfter(error.response.headers['retry-after']) === undefined,
      path: config.url ?? '',
      stream: config[SCOPE]?.stream,
    };
    for (const listener of this.#retryListeners) await listener(notice);
  }
}

class ScopedClient implements ApiClient {
  readonly #client: CustomerIoClient;
  readonly #scope: RequestScope;

  constructor(client: CustomerIoClient, scope: RequestScope) {
    this.#client = client;
    this.#scope = scope;
  }

  async request(path: string, options: RequestOptions = {}): Promise<JsonObject> {
    return (await this.#client.send(path, options, this.#scope)).data;
  }

  get(path: string, params?: PageRequest['params']): Promise<JsonObject> {
    return this.request(path, params === undefined ? {} : { params });
  }

  async requestWithServerTime(
    path: string,
    options: RequestOptions = {},
  ): Promise<{ body: JsonObject; serverTime: number | undefined }> {
    return withServerTime(await this.#client.send(path, options, this.#scope));
  }

  pages(request: PageRequest): AsyncGenerator<Page> {
    return this.#client.pages(request, this.#scope);
  }
}

function withServerTime(response: AxiosResponse<JsonObject>): {
  body: JsonObject;
  serverTime: number | undefined;
} {
  const date = Date.parse(String(response.headers.date ?? ''));
  return { body: response.data, serverTime: Number.isNaN(date) ? undefined : Math.floor(date / 1000) };
}

function parseJsonBody(response: AxiosResponse): AxiosResponse {
  const raw = response.data as unknown;
  if (typeof raw !== 'string') return response;
  try {
    response.data = raw === '' ? {} : JSON.parse(raw);
  } catch {
    throw new AxiosError(
      `response body is not valid JSON (${raw.length} bytes, possibly truncated)`,
      INVALID_BODY,
      response.config as InternalAxiosRequestConfig,
      response.request,
      response,
    );
  }
  return response;
}

export function isRetryable(error: AxiosError): boolean {
  if (error.code === INVALID_BODY || isBodyTransferFailure(error)) return true;
  if (error.response) return RETRYABLE_STATUSES.has(error.response.status);
  // No response at all: timeouts, resets, refused or dropped connections.
  return error.code !== 'ERR_CANCELED' && error.code !== 'ERR_INVALID_URL';
}

export function parseRetryAfter(header: unknown): number | undefined {
  if (typeof header !== 'string' && typeof header !== 'number') return undefined;
  const text = String(header).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A 2xx whose body never fully arrived (connection dropped mid-body). */
function isBodyTransferFailure(error: AxiosError): boolean {
  const status = error.response?.status;
  return status !== undefined && status >= 200 && status < 300;
}

function describeFailure(error: AxiosError): string {
  if (error.code === INVALID_BODY) return 'invalid or truncated JSON body';
  if (isBodyTransferFailure(error))
    return `connection dropped while reading the body (${error.code ?? 'aborted'})`;
  if (error.response) return `HTTP ${error.response.status}`;
  if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') return 'request timed out';
  return `connection failed (${error.code ?? 'network error'})`;
}

function errorDetail(error: AxiosError): string {
  const data = error.response?.data;
  if (typeof data !== 'string') return '';
  try {
    const parsed = JSON.parse(data) as { errors?: Array<{ detail?: unknown }> };
    const detail = parsed.errors?.[0]?.detail;
    return typeof detail === 'string' ? `: ${detail.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

/** Maps a failed request to a connector error. Only status codes, paths and API error details are kept: never headers. */
export function toConnectorError(
  error: unknown,
  method: string,
  path: string,
  options: { baseUrl: string; maxRetries: number; timeoutMs: number },
): ConnectorError {
  const where = `${method} ${path}`;
  if (!(error instanceof AxiosError)) {
    return new UnexpectedResponseError(
      `Request ${where} failed: ${error instanceof Error ? error.message : 'unknown error'}`,
    );
  }
  const status = error.response?.status;
  const internal = `${where} on ${options.baseUrl}: ${describeFailure(error)}${errorDetail(error)}`;
  if (status === 401) {
    return new AuthenticationError(
      `Customer.io rejected the API key (401 on ${where}). Check that "app_api_key" is an App API key (not a Track API key) from Account Settings > API Credentials > App API Keys, and that "region" matches your account (US or EU: the wrong region answers 401 too).`,
      { internal },
    );
  }
  if (status === 403) {
    return new ForbiddenError(
      `Customer.io refused ${where} (403): the App API key's scope does not cover this data, or your account's IP allowlist blocks this machine. Use a key with read access to it, or allow this machine's IP address.`,
      { internal },
    );
  }
  if (status === 404) return new NotFoundError(`Customer.io has no ${path} (404).`, { internal });
  if (isRetryable(error)) {
    const what =
      status === 429
        ? 'kept answering 429 (rate limited)'
        : status === undefined && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT')
          ? `timed out (${Math.round(options.timeoutMs / 1000)} s per request)`
          : `kept failing (${describeFailure(error)})`;
    return new TransientApiError(
      `Customer.io ${what} on ${where} after ${options.maxRetries} retries. This is usually temporary: the sync will resume from its last state on the next attempt.`,
      { internal },
    );
  }
  return new UnexpectedResponseError(`Customer.io answered HTTP ${status} to ${where}${errorDetail(error)}`, {
    internal,
  });
}

/** Kept here for callers that read one list outside pages (customers' attribute batches). */
export { extractRecords } from './pagination.js';
