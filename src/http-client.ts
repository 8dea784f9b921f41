import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import axios, {
  AxiosError,
  type AxiosInstance,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import {
  AuthenticationError,
  type ConnectorError,
  ForbiddenError,
  NotFoundError,
  RequestCancelledError,
  ResponseTooLargeError,
  SourceUnavailableError,
  TransientApiError,
  UnexpectedResponseError,
  WrongDatacenterError,
} from './errors.js';
import { parseJson } from './json.js';
import { extractRecords, nextToken, PageLoopGuard } from './pagination.js';
import type { JsonObject } from './protocol.js';
import { RateLimiter, type SendTicket } from './rate-limiter.js';

export interface RetryNotice {
  /** This request's retry number: of its retry budget, or for a 429, of its waits (which use no budget). */
  attempt: number;
  maxRetries: number;
  delayMs: number;
  /** Why the request is retried, without secrets: e.g. "HTTP 503" or "connection reset (ECONNRESET)". */
  reason: string;
  /** A 429: every request of the client pauses for `delayMs`, then goes on at `requestsPerSecond`. */
  rateLimited: boolean;
  /** A 429 without Retry-After: a daily quota rather than the per-second limit, so the wait is long. */
  quotaExhausted: boolean;
  /** The client's request rate after this notice. */
  requestsPerSecond: number;
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
  /** The most the client sends; it slows down by itself when Customer.io answers 429. */
  requestsPerSecond: number;
  /** Deadline of one attempt, from its send to the last byte of its body. */
  timeoutMs?: number;
  /** Retries of a failing request (429s use none: they pause the whole client instead). */
  maxRetries?: number;
  retryBaseMs?: number;
  maxRetryDelayMs?: number;
  /** Pause after a 429 without Retry-After (a daily quota, not the per-second limit). */
  quotaBackoffMs?: number;
  /** Rate-limited for this long without one request answered: give up. */
  noProgressMs?: number;
  /** A larger answer is an error, not a download that can exhaust memory. */
  maxResponseBytes?: number;
  /** Spacing added to the rate limiter's window for the jitter between our send and the server's clock. */
  rateMarginMs?: number;
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

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504, 522, 524]);
const INVALID_BODY = 'ERR_INVALID_BODY';
const DEADLINE_EXCEEDED = 'ETIMEDOUT';
/** Failures that say the host cannot be reached at all, rather than that one request went wrong. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  DEADLINE_EXCEEDED,
]);
/** The longest single pause for a 429, whatever Retry-After says. */
const MAX_PAUSE_MS = 300_000;

type Attempt = { response: AxiosResponse<JsonObject> } | { error: AxiosError };

/**
 * Customer.io App API client: auth, base URL, one adaptive rate budget shared by every request, a deadline
 * per attempt, retries with backoff, source-wide failures, pagination.
 */
export class CustomerIoClient implements ApiClient {
  readonly #http: AxiosInstance;
  readonly #limiter: RateLimiter;
  readonly #options: Required<Omit<ClientOptions, 'apiKey'>>;
  readonly #retryListeners: Array<(notice: RetryNotice) => void | Promise<void>> = [];
  readonly #resumeListeners: Array<(stream: string) => void | Promise<void>> = [];
  /** When an answer other than a 429 or a failure last came back (monotonic ms). */
  #lastProgressAt = performance.now();
  /** A rejected key or an unreachable host: once set, every request fails with it at once. */
  #sourceFailure: ConnectorError | undefined;
  /** Attempts sent, retries included. */
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
      noProgressMs: options.noProgressMs ?? 300_000,
      maxResponseBytes: options.maxResponseBytes ?? 256 * 1024 * 1024,
      rateMarginMs: options.rateMarginMs ?? 30,
      maxSockets: options.maxSockets ?? 16,
      userAgent: options.userAgent ?? 'source-customer-io/0.1.0',
    };
    this.#limiter = new RateLimiter(options.requestsPerSecond, { marginMs: this.#options.rateMarginMs });
    const agentOptions = { keepAlive: true, maxSockets: this.#options.maxSockets };
    this.#http = axios.create({
      baseURL: this.#options.baseUrl,
      headers: {
        Authorization: `Bearer ${options.apiKey}`,
        Accept: 'application/json',
        'User-Agent': this.#options.userAgent,
      },
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
      maxContentLength: this.#options.maxResponseBytes,
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
    });
    this.#http.interceptors.response.use(parseJsonBody);
  }

  /**
   * A view of this client for one stream's read: its requests are cancelled, retries included, when `signal`
   * aborts (the read loop aborts a stream's requests when the stream ends, so a failed stream's other
   * partitions stop spending the budget), and retry notices name the stream. The budget stays shared.
   */
  scoped(scope: RequestScope): ApiClient {
    return new ScopedClient(this, scope);
  }

  /** Called before each retry wait and each 429 pause, so the read loop can keep the platform informed. */
  onRetry(listener: (notice: RetryNotice) => void | Promise<void>): void {
    this.#retryListeners.push(listener);
  }

  /** Called with its stream's name when a request that waited out a 429 is answered again. */
  onResume(listener: (stream: string) => void | Promise<void>): void {
    this.#resumeListeners.push(listener);
  }

  /** The current request rate (below the configured one after 429s, until it climbs back). */
  get requestsPerSecond(): number {
    return this.#limiter.rate;
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

  /**
   * @internal The one place a request is sent; scoped views pass their signal and stream. Each attempt
   * takes a place in the shared budget and has its own deadline. A 429 pauses the whole client and is
   * retried without using the retry budget, until no request at all has been answered for `noProgressMs`.
   */
  async send(
    path: string,
    options: RequestOptions,
    scope?: RequestScope,
  ): Promise<AxiosResponse<JsonObject>> {
    const method = options.method ?? 'GET';
    const where = `${method} ${path}`;
    let failures = 0;
    let waits = 0;
    let failingSince: number | undefined;
    for (;;) {
      if (this.#sourceFailure !== undefined) throw this.#sourceFailure;
      const ticket = await this.#acquire(where, scope);
      const attempt = await this.#attempt(path, options, ticket, scope);
      if ('response' in attempt) {
        this.#progress();
        if (waits > 0 && scope !== undefined && !scope.signal.aborted) await this.#notifyResume(scope.stream);
        return attempt.response;
      }
      const { error } = attempt;
      if (error.response?.status === 429) {
        waits += 1;
        await this.#throttle(error, ticket, waits, where, path, scope);
        continue;
      }
      // Any other answer got through the server's limiter: the rate may climb.
      if (error.response !== undefined) this.#limiter.succeeded();
      failingSince ??= performance.now();
      if (!isRetryable(error) || failures >= this.#options.maxRetries)
        throw this.#failure(error, method, path, failingSince);
      failures += 1;
      const delayMs = this.#exponential(failures) * (0.8 + Math.random() * 0.4);
      await this.#notify({
        attempt: failures,
        maxRetries: this.#options.maxRetries,
        delayMs,
        reason: describeFailure(error),
        rateLimited: false,
        quotaExhausted: false,
        requestsPerSecond: this.#limiter.rate,
        path,
        stream: scope?.stream,
      });
      await this.#wait(delayMs, where, scope);
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

  async #acquire(where: string, scope: RequestScope | undefined): Promise<SendTicket> {
    try {
      return await this.#limiter.acquire(scope?.signal);
    } catch {
      throw cancelled(where);
    }
  }

  /** One attempt under its own deadline, which covers the body as well as the headers. */
  async #attempt(
    path: string,
    options: RequestOptions,
    ticket: SendTicket,
    scope: RequestScope | undefined,
  ): Promise<Attempt> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.#options.timeoutMs);
    const signal = scope === undefined ? deadline.signal : AbortSignal.any([scope.signal, deadline.signal]);
    this.requestCount += 1;
    try {
      const response = await this.#http.request<JsonObject>({
        url: path,
        method: options.method ?? 'GET',
        params: options.params,
        data: options.body,
        signal,
        transport: sendTimeTransport(ticket),
      });
      return { response };
    } catch (error) {
      if (scope?.signal.aborted) throw cancelled(`${options.method ?? 'GET'} ${path}`);
      if (deadline.signal.aborted) return { error: deadlineExceeded(error, this.#options.timeoutMs) };
      if (error instanceof AxiosError) return { error };
      throw error;
    } finally {
      clearTimeout(timer);
      ticket.unsent();
    }
  }

  /** A 429: the whole client pauses (the limiter holds every request) and slows down; this request waits its turn. */
  async #throttle(
    error: AxiosError,
    ticket: SendTicket,
    waits: number,
    where: string,
    path: string,
    scope: RequestScope | undefined,
  ): Promise<void> {
    const retryAfterMs = parseRetryAfter(error.response?.headers['retry-after']);
    const pauseMs = Math.min(
      MAX_PAUSE_MS,
      retryAfterMs ?? this.#options.quotaBackoffMs * 2 ** Math.min(waits - 1, 10),
    );
    this.#limiter.throttled(ticket, pauseMs);
    const stalledMs = performance.now() - this.#lastProgressAt;
    if (stalledMs > this.#options.noProgressMs) {
      throw new TransientApiError(
        `Customer.io kept answering 429 (rate limited) on ${where}: no request got an answer for ${Math.round(stalledMs / 1000)} s. Other tools may be using the workspace's App API budget, or its daily quota is spent. This is usually temporary.`,
        { internal: `${where} on ${this.#options.baseUrl}: ${waits} answers 429 in a row` },
      );
    }
    await this.#notify({
      attempt: waits,
      maxRetries: this.#options.maxRetries,
      delayMs: pauseMs,
      reason: describeFailure(error),
      rateLimited: true,
      quotaExhausted: retryAfterMs === undefined,
      requestsPerSecond: this.#limiter.rate,
      path,
      stream: scope?.stream,
    });
  }

  /** The error a request ends with; a rejected key or an unreachable host is remembered for every later request. */
  #failure(error: AxiosError, method: string, path: string, failingSince: number): ConnectorError {
    const failure = toConnectorError(error, method, path, this.#options);
    if (failure instanceof AuthenticationError) this.#sourceFailure ??= failure;
    // Unreachable, and no other request got an answer meanwhile: the host, not this request.
    if (isUnreachable(error) && this.#lastProgressAt < failingSince) {
      this.#sourceFailure ??= unreachable(error, `${method} ${path}`, this.#options);
      return this.#sourceFailure;
    }
    return failure;
  }

  #progress(): void {
    this.#lastProgressAt = performance.now();
    this.#limiter.succeeded();
  }

  async #wait(ms: number, where: string, scope: RequestScope | undefined): Promise<void> {
    try {
      await sleep(ms, undefined, scope === undefined ? {} : { signal: scope.signal });
    } catch {
      throw cancelled(where);
    }
  }

  #exponential(attempt: number): number {
    return Math.min(this.#options.retryBaseMs * 2 ** (attempt - 1), this.#options.maxRetryDelayMs);
  }

  async #notify(notice: RetryNotice): Promise<void> {
    for (const listener of this.#retryListeners) await listener(notice);
  }

  async #notifyResume(stream: string): Promise<void> {
    for (const listener of this.#resumeListeners) await listener(stream);
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

/**
 * Node's own http(s) request, telling the ticket when the request's bytes were handed to the OS (or that
 * they never were), so the rate limiter counts each request from when it really left.
 */
function sendTimeTransport(ticket: SendTicket) {
  return {
    request(options: http.RequestOptions, callback: (response: http.IncomingMessage) => void) {
      const request = (options.protocol === 'https:' ? https : http).request(options, callback);
      request.once('finish', () => ticket.sent());
      request.once('close', () => ticket.unsent());
      return request;
    },
  };
}

function cancelled(where: string): RequestCancelledError {
  return new RequestCancelledError(`${where} was cancelled: its stream ended.`);
}

function deadlineExceeded(error: unknown, timeoutMs: number): AxiosError {
  const config = error instanceof AxiosError ? error.config : undefined;
  return new AxiosError(`no complete answer within ${timeoutMs} ms`, DEADLINE_EXCEEDED, config);
}

function parseJsonBody(response: AxiosResponse): AxiosResponse {
  const raw = response.data as unknown;
  if (typeof raw !== 'string') return response;
  try {
    response.data = raw === '' ? {} : parseJson(raw);
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

/** axios stops reading an answer over `maxContentLength`; downloading it again would only fail again. */
function isTooLarge(error: AxiosError): boolean {
  return error.code === AxiosError.ERR_BAD_RESPONSE && /maxContentLength/.test(error.message);
}

function isUnreachable(error: AxiosError): boolean {
  return error.response === undefined && UNREACHABLE_CODES.has(error.code ?? '');
}

export function isRetryable(error: AxiosError): boolean {
  if (isTooLarge(error)) return false;
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
  if (error.code === 'ECONNABORTED' || error.code === DEADLINE_EXCEEDED) return 'request timed out';
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

function unreachable(
  error: AxiosError,
  where: string,
  options: { baseUrl: string; maxRetries: number },
): SourceUnavailableError {
  return new SourceUnavailableError(
    `Customer.io cannot be reached at ${options.baseUrl}: ${describeFailure(error)} on ${where} after ${options.maxRetries} retries, and no other request was answered meanwhile. This is usually temporary; if it persists, check "region" or "base_url" and this machine's network path (DNS, proxy, firewall).`,
    { internal: `${where} on ${options.baseUrl}: ${describeFailure(error)}` },
  );
}

/** Maps a failed request to a connector error. Only status codes, paths and API error details are kept: never headers. */
export function toConnectorError(
  error: unknown,
  method: string,
  path: string,
  options: { baseUrl: string; maxRetries: number; timeoutMs: number; maxResponseBytes?: number },
): ConnectorError {
  const where = `${method} ${path}`;
  if (!(error instanceof AxiosError)) {
    return new UnexpectedResponseError(
      `Request ${where} failed: ${error instanceof Error ? error.message : 'unknown error'}`,
    );
  }
  if (error.code === 'ERR_CANCELED') return cancelled(where);
  const status = error.response?.status;
  const internal = `${where} on ${options.baseUrl}: ${describeFailure(error)}${errorDetail(error)}`;
  if (isTooLarge(error)) {
    const limit = options.maxResponseBytes ?? 0;
    return new ResponseTooLargeError(
      `Customer.io's answer to ${where} is larger than ${formatBytes(limit)}, the most the connector reads in one response; stopped instead of downloading it again. Narrow what the stream reads (customers_filter, start_date) or report it.`,
      { internal: `${where} on ${options.baseUrl}: ${error.message}` },
    );
  }
  if (status === 301 && /wrong data ?cent(er|re)/i.test(String(error.response?.data ?? ''))) {
    return new WrongDatacenterError(where, { internal });
  }
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
        : status === undefined && (error.code === 'ECONNABORTED' || error.code === DEADLINE_EXCEEDED)
          ? `timed out (${Math.round(options.timeoutMs / 1000)} s per request)`
          : `kept failing (${describeFailure(error)})`;
    return new TransientApiError(
      `Customer.io ${what} on ${where} after ${options.maxRetries} retries. This is usually temporary.`,
      { internal },
    );
  }
  return new UnexpectedResponseError(`Customer.io answered HTTP ${status} to ${where}${errorDetail(error)}`, {
    internal,
  });
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${bytes} bytes`;
}
