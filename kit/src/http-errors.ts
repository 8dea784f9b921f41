import { AxiosError } from 'axios';
import {
  ApiUnreachableError,
  AuthenticationError,
  ConnectorError,
  ForbiddenError,
  NotFoundError,
  RequestCancelledError,
  ResponseTooLargeError,
  TransientApiError,
  UnexpectedResponseError,
  WrongDatacenterError,
} from './errors.js';

/**
 * What a failed request means: retried or not, with which wait, and the error it ends in. One table for the
 * statuses Customer.io answers, one for the failures without a usable answer; every user-facing message of a
 * failed request is built here, from the request's data (method, path, status, Customer.io's error detail),
 * never from headers.
 */

/** Codes of failures the client raises itself (axios's own codes name the others). */
export const INVALID_BODY = 'ERR_INVALID_BODY';
export const HTML_BODY = 'ERR_HTML_BODY';
export const DEADLINE_EXCEEDED = 'ETIMEDOUT';

/** The longest single wait a Retry-After may ask for (429 pauses, 503 retries). */
export const MAX_RETRY_AFTER_MS = 300_000;

/**
 * What an API's failures say that differs from one API to another: which key, which settings. Every other
 * word of a failure is the same for both connectors.
 */
export interface ApiWording {
  /** The key's name for the user, e.g. "App API key". */
  keyName: string;
  /** After "Customer.io rejected the API key (401 on …).": what to check. */
  rejectedKey: string;
  /** After "Customer.io refused … (403): ": why, and what to do. */
  forbidden: string;
  /** The config fields that decide where requests go, e.g. `"region" or "base_url"`. */
  hostSettings: string;
  /** The config field that overrides the host, e.g. `"base_url"`. */
  baseUrlSetting: string;
  /** Whose budget a run of 429s has used up, e.g. "App API budget". */
  budgetName: string;
  /** After "…stopped instead of downloading it again.": how to ask for less. */
  tooLargeHint: string;
}

/** A failed request, as the data its error is built from. */
export interface FailedRequest {
  method: string;
  path: string;
  baseUrl: string;
  status: number | undefined;
  /** Why, without secrets: "HTTP 503", "request timed out", "connection failed (ECONNRESET)". */
  reason: string;
  /** Customer.io's own error detail (`errors[0].detail`), when the body has one. */
  detail: string | undefined;
  /** The underlying error's own message (for developers). */
  cause: string;
  /** The answer's body as it came (read for "wrong datacenter"; never quoted whole). */
  body: unknown;
  maxRetries: number;
  timeoutMs: number;
  maxResponseBytes: number;
  wording: ApiWording;
}

export interface FailureRule {
  /** A later attempt may be answered otherwise: retried with backoff (a 429 pauses the whole client instead). */
  retry: boolean;
  /** The wait before the retry is what the answer's Retry-After asks (capped), when it has one. */
  retryAfter: boolean;
  /** The error the request ends with: at once when not retried, or once its retries are spent. */
  error: (failed: FailedRequest) => ConnectorError;
}

const where = (failed: FailedRequest): string => `${failed.method} ${failed.path}`;
const facts = (failed: FailedRequest) => ({
  method: failed.method,
  path: failed.path,
  status: failed.status,
  detail: failed.detail,
  internal: `${where(failed)} on ${failed.baseUrl}: ${failed.reason}${quoted(failed.detail)}`,
});
const quoted = (detail: string | undefined): string => (detail === undefined ? '' : `: ${detail}`);

function retriesSpent(failed: FailedRequest): ConnectorError {
  const what =
    failed.status === 429 ? 'kept answering 429 (rate limited)' : `kept failing (${failed.reason})`;
  return new TransientApiError(
    `Customer.io ${what} on ${where(failed)} after ${failed.maxRetries} retries. This is usually temporary.`,
    facts(failed),
  );
}

function timedOut(failed: FailedRequest): ConnectorError {
  return new TransientApiError(
    `Customer.io timed out (${Math.round(failed.timeoutMs / 1000)} s per request) on ${where(failed)} after ${failed.maxRetries} retries. This is usually temporary.`,
    facts(failed),
  );
}

function rejectedKey(failed: FailedRequest): ConnectorError {
  return new AuthenticationError(
    `Customer.io rejected the API key (401 on ${where(failed)}). ${failed.wording.rejectedKey}`,
    facts(failed),
  );
}

function forbidden(failed: FailedRequest): ConnectorError {
  return new ForbiddenError(
    `Customer.io refused ${where(failed)} (403): ${failed.wording.forbidden}`,
    facts(failed),
  );
}

function notFound(failed: FailedRequest): ConnectorError {
  return new NotFoundError(`Customer.io has no ${failed.path} (404).`, facts(failed));
}

function unexpectedStatus(failed: FailedRequest): ConnectorError {
  return new UnexpectedResponseError(
    `Customer.io answered HTTP ${failed.status} to ${where(failed)}${quoted(failed.detail)}`,
    facts(failed),
  );
}

/** 301 is "wrong datacenter" when the body says so (reference: the wrong region answers it). */
function moved(failed: FailedRequest): ConnectorError {
  if (/wrong data ?cent(er|re)/i.test(String(failed.body ?? '')))
    return new WrongDatacenterError(where(failed), failed.wording.keyName, facts(failed));
  return unexpectedStatus(failed);
}

function tooLarge(failed: FailedRequest): ConnectorError {
  return new ResponseTooLargeError(
    `Customer.io's answer to ${where(failed)} is larger than ${formatBytes(failed.maxResponseBytes)}, the most the connector reads in one response; stopped instead of downloading it again. ${failed.wording.tooLargeHint}`,
    { ...facts(failed), internal: `${where(failed)} on ${failed.baseUrl}: ${failed.cause}` },
  );
}

function notCustomerIo(failed: FailedRequest): ConnectorError {
  return new ConnectorError(
    `A web page (HTML) came back to ${where(failed)} instead of Customer.io's JSON, with HTTP ${failed.status}: a proxy or captive portal (a network sign-in page) answered instead of Customer.io. Check this machine's network path (HTTPS_PROXY, a network that needs a sign-in) or ${failed.wording.baseUrlSetting}.`,
    'config_error',
    facts(failed),
  );
}

function cancelledRequest(failed: FailedRequest): ConnectorError {
  return cancelled(where(failed));
}

function unusable(failed: FailedRequest): ConnectorError {
  return new UnexpectedResponseError(`Request ${where(failed)} failed: ${failed.cause}`, facts(failed));
}

const RETRIED: FailureRule = { retry: true, retryAfter: false, error: retriesSpent };
const FINAL = (error: FailureRule['error']): FailureRule => ({ retry: false, retryAfter: false, error });

/** The statuses with a meaning of their own; any other is an unexpected answer, quoted (UNEXPECTED_STATUS). */
const STATUS_RULES: ReadonlyMap<number, FailureRule> = new Map([
  [301, FINAL(moved)],
  [401, FINAL(rejectedKey)],
  [403, FINAL(forbidden)],
  [404, FINAL(notFound)],
  [408, RETRIED],
  [429, { retry: true, retryAfter: true, error: retriesSpent }],
  [500, RETRIED],
  [502, RETRIED],
  [503, { retry: true, retryAfter: true, error: retriesSpent }],
  [504, RETRIED],
  [522, RETRIED],
  [524, RETRIED],
]);
const UNEXPECTED_STATUS = FINAL(unexpectedStatus);

/** Failures without an error status to go by. */
const OTHER_RULES = {
  /** axios stopped reading an answer over `maxContentLength`: downloading it again would only fail again. */
  tooLarge: FINAL(tooLarge),
  /** A 2xx web page: a proxy's or portal's, not Customer.io's; it answers the same every time. */
  html: FINAL(notCustomerIo),
  /** Truncated or invalid JSON, or a 2xx whose body stopped arriving. */
  badBody: RETRIED,
  timeout: { retry: true, retryAfter: false, error: timedOut },
  /** Resets, refused or dropped connections, DNS failures. */
  network: RETRIED,
  cancelled: FINAL(cancelledRequest),
  invalidUrl: FINAL(unusable),
} satisfies Record<string, FailureRule>;

/** The limits a client works within, quoted by its errors. */
export interface ClientLimits {
  baseUrl: string;
  wording: ApiWording;
  maxRetries: number;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** The error a failed request ends with, and the data it was built from. */
export function failureOf(
  error: AxiosError,
  request: { method: string; path: string },
  limits: ClientLimits,
): { failed: FailedRequest; failure: ConnectorError } {
  const { rule, reason } = classify(error);
  const failed: FailedRequest = {
    ...request,
    baseUrl: limits.baseUrl,
    status: error.response?.status,
    reason,
    detail: apiErrorDetail(error.response?.data),
    cause: error.message,
    body: error.response?.data,
    maxRetries: limits.maxRetries,
    timeoutMs: limits.timeoutMs,
    maxResponseBytes: limits.maxResponseBytes,
    wording: limits.wording,
  };
  return { failed, failure: rule.error(failed) };
}

/** The rule for a failed attempt and why it failed, in words without secrets. */
export function classify(error: AxiosError): { rule: FailureRule; reason: string } {
  const status = error.response?.status;
  // axios's one "bad response" that carries no response is its size cap (maxContentLength).
  if (error.code === AxiosError.ERR_BAD_RESPONSE && error.response === undefined)
    return { rule: OTHER_RULES.tooLarge, reason: 'answer too large' };
  if (error.code === HTML_BODY) return { rule: OTHER_RULES.html, reason: `HTML page with HTTP ${status}` };
  if (error.code === INVALID_BODY)
    return { rule: OTHER_RULES.badBody, reason: 'invalid or truncated JSON body' };
  if (status !== undefined && status >= 200 && status < 300)
    return {
      rule: OTHER_RULES.badBody,
      reason: `connection dropped while reading the body (${error.code ?? 'aborted'})`,
    };
  if (status !== undefined)
    return { rule: STATUS_RULES.get(status) ?? UNEXPECTED_STATUS, reason: `HTTP ${status}` };
  if (error.code === 'ERR_CANCELED') return { rule: OTHER_RULES.cancelled, reason: 'cancelled' };
  if (error.code === 'ERR_INVALID_URL') return { rule: OTHER_RULES.invalidUrl, reason: 'invalid URL' };
  if (error.code === 'ECONNABORTED' || error.code === DEADLINE_EXCEEDED)
    return { rule: OTHER_RULES.timeout, reason: 'request timed out' };
  return { rule: OTHER_RULES.network, reason: `connection failed (${error.code ?? 'network error'})` };
}

/**
 * A request the API refused as it was sent (bad parameters, a token it no longer takes): a 4xx without a
 * meaning of its own in the table (not the key, the scope, a missing resource, a timeout or the rate limit).
 */
export function isRefusal(error: unknown): error is ConnectorError {
  if (!(error instanceof ConnectorError) || error.status === undefined) return false;
  return error.status >= 400 && error.status < 500 && !STATUS_RULES.has(error.status);
}

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

export function isUnreachable(error: AxiosError): boolean {
  return error.response === undefined && UNREACHABLE_CODES.has(error.code ?? '');
}

export function unreachable(failed: FailedRequest): ApiUnreachableError {
  return new ApiUnreachableError(
    `Customer.io cannot be reached at ${failed.baseUrl}: ${failed.reason} on ${where(failed)} after ${failed.maxRetries} retries, and no other request was answered meanwhile. This is usually temporary; if it persists, check ${failed.wording.hostSettings} and this machine's network path (DNS, proxy, firewall).`,
    {
      method: failed.method,
      path: failed.path,
      internal: `${where(failed)} on ${failed.baseUrl}: ${failed.reason}`,
    },
  );
}

/** The attempt's own deadline passed: a timeout, whatever axios saw when it was cut. */
export function deadlineExceeded(error: unknown, timeoutMs: number): AxiosError {
  const config = error instanceof AxiosError ? error.config : undefined;
  return new AxiosError(`no complete answer within ${timeoutMs} ms`, DEADLINE_EXCEEDED, config);
}

/** 429s and nothing else for `stalledMs`: the workspace's budget is taken, or its daily quota spent. */
export function throttledTooLong(
  request: { method: string; path: string },
  limits: { baseUrl: string; wording: ApiWording },
  stalledMs: number,
  waits: number,
): TransientApiError {
  const where = `${request.method} ${request.path}`;
  return new TransientApiError(
    `Customer.io kept answering 429 (rate limited) on ${where}: no request got an answer for ${Math.round(stalledMs / 1000)} s. Other tools may be using the workspace's ${limits.wording.budgetName}, or its daily quota is spent. This is usually temporary.`,
    { ...request, status: 429, internal: `${where} on ${limits.baseUrl}: ${waits} answers 429 in a row` },
  );
}

export function cancelled(where: string): RequestCancelledError {
  return new RequestCancelledError(`${where} was cancelled: its stream ended.`);
}

/**
 * Customer.io's words about a failure, from a parsed body or its text, at most 200 characters: the App API's
 * `{"errors": [{"detail"}]}`, Track v2's `{"errors": [{"reason", "field", "message"}]}`, Track v1's
 * `{"meta": {"errors": ["…"]}}` or `{"meta": {"error": "…"}}`.
 */
export function apiErrorDetail(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (!isRecord(parsed)) return undefined;
  const meta = parsed.meta;
  const metaErrors = isRecord(meta) ? (Array.isArray(meta.errors) ? meta.errors[0] : meta.error) : undefined;
  if (typeof metaErrors === 'string') return metaErrors.slice(0, 200);
  const errors = parsed.errors;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  if (!isRecord(first)) return undefined;
  if (typeof first.detail === 'string') return first.detail.slice(0, 200);
  const words = [first.reason, first.field, first.message].filter((part) => typeof part === 'string');
  return words.length === 0 ? undefined : words.join(': ').slice(0, 200);
}

/** Retry-After in ms: seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: unknown): number | undefined {
  if (typeof header !== 'string' && typeof header !== 'number') return undefined;
  const text = String(header).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${bytes} bytes`;
}
