import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import { abortableSleep, linkedSignal, onAbort } from './abort.js';
import { type ConnectorError, isRunWide } from './errors.js';
import { type Answer, answerOf, readJson } from './http-answers.js';
import {
  type ApiWording,
  cancelled,
  classify,
  deadlineExceeded,
  failureOf,
  isUnreachable,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  throttledTooLong,
  unreachable,
} from './http-errors.js';
import type { JsonObject } from './json.js';
import { RateLimiter, type SendTicket, sendTimeTransport } from './rate-limiter.js';

export type Params = Record<string, string | number | boolean>;

export interface RequestOptions {
  params?: Params;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** An object is sent as JSON; a string or bytes are sent as they are, JSON already serialized. */
  body?: JsonObject | string | Uint8Array;
  /** Keep the answer's JSON text beside its parsed body (`Answer.text`). */
  keepText?: boolean;
}

/** A file's answer, its body still to be read: any status, since storage statuses mean their own things. */
export interface Download {
  status: number;
  contentType: string;
  body: Readable;
}

/** What a part of a run's requests share: cancellation when it ends, and its name for notices (a stream's). */
export interface RequestScope {
  signal: AbortSignal;
  stream: string;
}

export interface RetryNotice {
  /** This request's retry number: of its retry budget, or for a 429, of its waits (which use no budget). */
  attempt: number;
  maxRetries: number;
  /** How long the request (for a 429: every request) waits. */
  delayMs: number;
  /** What the answer's Retry-After asked for, when it has one the connector honours (may exceed `delayMs`: capped). */
  retryAfterMs: number | undefined;
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

export interface ClientOptions {
  baseUrl: string;
  /** The Authorization header's value (`Bearer …` for the App API, `Basic …` for Track): sent to the API only. */
  authorization: string;
  /** What this API's failures say about its key and settings. */
  wording: ApiWording;
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
  /** The longest wait a Retry-After gets, whatever it asks (429 pauses, 503 retries). */
  maxRetryAfterMs?: number;
  /** Rate-limited for this long without one request answered: give up. */
  noProgressMs?: number;
  /** A larger answer is an error, not a download that can exhaust memory. */
  maxResponseBytes?: number;
  /** Spacing added to the rate limiter's window for the jitter between our send and the server's clock. */
  rateMarginMs?: number;
  maxSockets?: number;
  userAgent?: string;
}

type Attempt = { response: AxiosResponse<JsonObject> } | { error: AxiosError };

/**
 * A Customer.io API's sender: auth, base URL, one adaptive rate budget shared by every request, a deadline
 * per attempt, retries with backoff, run-wide failures. What a failure means is http-errors.ts's table;
 * what an API's answers hold is its connector's business, on top of `send`.
 */
export class HttpClient {
  readonly #http: AxiosInstance;
  /** Sent with API requests only: never to the storage behind a download link. */
  readonly #authorization: string;
  readonly #limiter: RateLimiter;
  readonly #options: Required<Omit<ClientOptions, 'authorization'>>;
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
      wording: options.wording,
      requestsPerSecond: options.requestsPerSecond,
      timeoutMs: options.timeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 8,
      retryBaseMs: options.retryBaseMs ?? 1000,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
      quotaBackoffMs: options.quotaBackoffMs ?? 60_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS,
      noProgressMs: options.noProgressMs ?? 300_000,
      maxResponseBytes: options.maxResponseBytes ?? 256 * 1024 * 1024,
      rateMarginMs: options.rateMarginMs ?? 30,
      maxSockets: options.maxSockets ?? 16,
      userAgent: options.userAgent ?? 'customer-io-airbyte/0.1.0',
    };
    this.#authorization = options.authorization;
    this.#limiter = new RateLimiter(options.requestsPerSecond, { marginMs: this.#options.rateMarginMs });
    const agentOptions = { keepAlive: true, maxSockets: this.#options.maxSockets };
    // One stack for API requests and downloads: axios honours HTTP(S)_PROXY and NO_PROXY; no redirects.
    this.#http = axios.create({
      baseURL: this.#options.baseUrl,
      headers: { Accept: 'application/json', 'User-Agent': this.#options.userAgent },
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
      maxContentLength: this.#options.maxResponseBytes,
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
    });
    this.#http.interceptors.response.use(readJson);
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

  /**
   * The one place a request is sent; a scope cancels it (retries included) when its signal aborts, and names
   * it in notices. Each attempt takes a place in the shared budget and has its own deadline. A 429 pauses the whole client and is retried without using the retry
   * budget, until no request at all has been answered for `noProgressMs`.
   */
  async send(path: string, options: RequestOptions, scope?: RequestScope): Promise<Answer> {
    const method = options.method ?? 'GET';
    const where = `${method} ${path}`;
    let failures = 0;
    let waits = 0;
    let failingSince: number | undefined;
    for (;;) {
      if (this.#sourceFailure !== undefined) throw this.#sourceFailure;
      const ticket = await this.#unlessCancelled(this.#limiter.acquire(scope?.signal), where);
      const attempt = await this.#attempt(path, options, ticket, scope);
      if ('response' in attempt) {
        this.#progress();
        if (waits > 0 && scope !== undefined && !scope.signal.aborted) await this.#notifyResume(scope.stream);
        return answerOf(attempt.response, options.keepText === true);
      }
      const { error } = attempt;
      if (error.response?.status === 429) {
        waits += 1;
        await this.#throttle(error, ticket, waits, { method, path }, scope);
        continue;
      }
      // Any other answer got through the server's limiter: the rate may climb.
      if (error.response !== undefined) this.#limiter.succeeded();
      failingSince ??= performance.now();
      const { rule, reason } = classify(error);
      if (!rule.retry || failures >= this.#options.maxRetries)
        throw this.#failure(error, method, path, failingSince);
      failures += 1;
      const retryAfterMs = rule.retryAfter
        ? parseRetryAfter(error.response?.headers['retry-after'])
        : undefined;
      const delayMs =
        retryAfterMs === undefined
          ? this.#exponential(failures) * (0.8 + Math.random() * 0.4)
          : Math.min(this.#options.maxRetryAfterMs, retryAfterMs);
      await this.#notify({
        attempt: failures,
        maxRetries: this.#options.maxRetries,
        delayMs,
        retryAfterMs,
        reason,
        rateLimited: false,
        quotaExhausted: false,
        requestsPerSecond: this.#limiter.rate,
        path,
        stream: scope?.stream,
      });
      await this.#unlessCancelled(abortableSleep(delayMs, scope?.signal), where);
    }
  }

  /**
   * A GET of an absolute link through the same axios stack as API requests (proxy, agents, no redirects),
   * without the Authorization header (storage refuses a second auth) and outside the rate budget. Any status
   * is answered; the body is a stream, dropped when `signal` or the scope aborts.
   */
  async download(url: string, signal: AbortSignal, scope?: RequestScope): Promise<Download> {
    const linked = linkedSignal(scope === undefined ? [signal] : [signal, scope.signal]);
    try {
      const response = await this.#http.request<Readable>({
        url,
        method: 'GET',
        headers: { Accept: '*/*' },
        responseType: 'stream',
        maxContentLength: -1,
        validateStatus: () => true,
        signal: linked.signal,
      });
      response.data.once('close', linked.release);
      const contentType = response.headers['content-type'];
      return {
        status: response.status,
        contentType: typeof contentType === 'string' ? contentType : '',
        body: response.data,
      };
    } catch (error) {
      linked.release();
      if (scope?.signal.aborted) throw cancelled('GET of the download link');
      throw error;
    }
  }

  /** Waits in the limiter's queue or a backoff end, when the stream ends, as a cancelled request. */
  async #unlessCancelled<T>(waiting: Promise<T>, where: string): Promise<T> {
    try {
      return await waiting;
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
    const attempt = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attempt.abort();
    }, this.#options.timeoutMs);
    // Through onAbort: a stream's requests in flight share one listener on its signal.
    const unregister = scope === undefined ? undefined : onAbort(scope.signal, () => attempt.abort());
    this.requestCount += 1;
    try {
      const response = await this.#http.request<JsonObject>({
        url: path,
        method: options.method ?? 'GET',
        headers:
          options.body === undefined
            ? { Authorization: this.#authorization }
            : { Authorization: this.#authorization, 'Content-Type': 'application/json' },
        params: options.params,
        data: options.body,
        // A body already serialized goes as it is: axios would otherwise parse it again to check it is JSON.
        ...(typeof options.body === 'string' || options.body instanceof Uint8Array
          ? { transformRequest: [(data: unknown) => data] }
          : {}),
        signal: attempt.signal,
        transport: sendTimeTransport(ticket),
      });
      return { response };
    } catch (error) {
      if (scope?.signal.aborted) throw cancelled(`${options.method ?? 'GET'} ${path}`);
      if (timedOut) return { error: deadlineExceeded(error, this.#options.timeoutMs) };
      if (error instanceof AxiosError) return { error };
      throw error;
    } finally {
      clearTimeout(timer);
      unregister?.();
      ticket.unsent();
    }
  }

  /** A 429: the whole client pauses (the limiter holds every request) and slows down; this request waits its turn. */
  async #throttle(
    error: AxiosError,
    ticket: SendTicket,
    waits: number,
    { method, path }: { method: string; path: string },
    scope: RequestScope | undefined,
  ): Promise<void> {
    const retryAfterMs = parseRetryAfter(error.response?.headers['retry-after']);
    const pauseMs = Math.min(
      this.#options.maxRetryAfterMs,
      retryAfterMs ?? this.#options.quotaBackoffMs * 2 ** Math.min(waits - 1, 10),
    );
    this.#limiter.throttled(ticket, pauseMs);
    const stalledMs = performance.now() - this.#lastProgressAt;
    if (stalledMs > this.#options.noProgressMs) {
      throw throttledTooLong({ method, path }, this.#options, stalledMs, waits);
    }
    await this.#notify({
      attempt: waits,
      maxRetries: this.#options.maxRetries,
      delayMs: pauseMs,
      retryAfterMs,
      reason: classify(error).reason,
      rateLimited: true,
      quotaExhausted: retryAfterMs === undefined,
      requestsPerSecond: this.#limiter.rate,
      path,
      stream: scope?.stream,
    });
  }

  /** The error a request ends with; a rejected key or an unreachable host is remembered for every later request. */
  #failure(error: AxiosError, method: string, path: string, failingSince: number): ConnectorError {
    const { failed, failure } = failureOf(error, { method, path }, this.#options);
    if (isRunWide(failure)) this.#sourceFailure ??= failure;
    // Unreachable, and no other request got an answer meanwhile: the host, not this request.
    if (isUnreachable(error) && this.#lastProgressAt < failingSince) {
      this.#sourceFailure ??= unreachable(failed);
      return this.#sourceFailure;
    }
    return failure;
  }

  #progress(): void {
    this.#lastProgressAt = performance.now();
    this.#limiter.succeeded();
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
