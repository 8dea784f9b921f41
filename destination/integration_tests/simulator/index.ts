// A Customer.io Track API simulator: a real loopback HTTP server with the v2 batch endpoint, v1 anonymous
// events and region discovery, a store tests can inspect, a sliding-window rate limiter and queued faults.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenOnLoopback } from '../../../integration_tests/loopback.js';
import { TrackStore } from './store.js';
import { isObject, LIMITS, validateAnonymousEvent, validateEntry } from './validate.js';

export { type Person, type StoredEvent, type StoreSummary, TrackStore } from './store.js';

export const DEFAULT_SITE_ID = 'sim-site-id-0001';
export const DEFAULT_TRACK_API_KEY = 'sim-track-api-key-0123456789abcdef';
export const DEFAULT_SLOW_MS = 30_000;
const RATE_WINDOW_MS = 1000;
const REGIONS = {
  us: { url: 'https://track.customer.io', environment_id: 100_001 },
  eu: { url: 'https://track-eu.customer.io', environment_id: 200_001 },
} as const;

export interface TrackSimulatorOptions {
  siteId?: string;
  trackApiKey?: string;
  /** The account's data center, answered by GET /api/v1/accounts/region. Default 'us'. */
  region?: 'us' | 'eu';
  /** Admitted requests per sliding second; null = unlimited (default). Over it: 429 with Retry-After: 1. */
  requestsPerSecond?: number | null;
  /** The rate limiter's clock (monotonic ms); tests pass a fixed one. */
  now?: () => number;
  /** Added before every answer. Default 0. */
  latencyMs?: number;
  /** Default 0 (ephemeral). Binds 127.0.0.1 only. */
  port?: number;
  /** Identifier values the workspace refuses per entry (207, reason 'invalid', field 'identifiers'). */
  refusedIdentifiers?: string[];
  /** When true, a body over 500 KB answers 413 instead of 400. */
  oversizeAs413?: boolean;
  /** How long a `slow` fault stalls before answering. Default 30 s. */
  slowMs?: number;
}

export type FaultKind =
  | 'http_500'
  | 'http_502_html'
  | 'http_503'
  /** Retry-After: 1 */
  | 'http_429'
  | 'http_429_no_retry_after'
  /** Retry-After as an HTTP date at least 1 s ahead. */
  | 'http_429_date'
  | 'http_401'
  | 'http_403'
  /** 400 {"errors":[{"reason":"invalid","field":"batch",...}]} without looking at the body. */
  | 'http_400_whole'
  /** The socket is destroyed before the body is read: nothing stored. */
  | 'reset_before'
  /** The request is applied to the store, then the socket is destroyed without an answer. */
  | 'reset_after'
  /** 200 announcing its full Content-Length, half the body sent, then the connection dies (write applied). */
  | 'truncated_body'
  /** Stalls `slowMs` before handling the request; a client that leaves first has stored nothing. */
  | 'slow';

export interface Fault {
  kind: FaultKind;
  /** Default: any path. */
  path?: RegExp;
  /** Default 1. */
  times?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  /** 0 when the connection was reset without an answer. */
  status: number;
  /** Request body length (its Content-Length when a reset_before fault left it unread). */
  bytes: number;
  /** The batch length, or 1 (0 when the body was never read). */
  entries: number;
  /** performance.now() at arrival. */
  at: number;
}

export interface TrackSimulator {
  url: string;
  siteId: string;
  trackApiKey: string;
  store: TrackStore;
  /** Every request in arrival order (the store summary route excepted). */
  requests: RequestRecord[];
  /** Queued: the next matching requests (after rate limit and auth) get them, in order. */
  addFaults(...faults: Fault[]): void;
  setRequestsPerSecond(limit: number | null): void;
  close(): Promise<void>;
}

type Answer =
  | { kind: 'answer'; status: number; body: unknown; headers?: Record<string, string>; truncate?: boolean }
  | { kind: 'html'; status: number; html: string }
  | { kind: 'reset' };

const json = (status: number, body: unknown, headers?: Record<string, string>): Answer =>
  headers === undefined ? { kind: 'answer', status, body } : { kind: 'answer', status, body, headers };
const batchError = (reason: string, message: string) => ({ errors: [{ reason, field: 'batch', message }] });
const detail = (text: string) => ({ errors: [{ detail: text }] });
const rateLimited = (text: string, retryAfter?: string): Answer =>
  json(
    429,
    { errors: [{ detail: text, status: '429' }] },
    retryAfter === undefined ? undefined : { 'retry-after': retryAfter },
  );
const BAD_GATEWAY_HTML =
  '<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>';

/** Answers of the faults that ignore the request. */
const CANNED: Partial<Record<FaultKind, () => Answer>> = {
  http_500: () => json(500, detail('internal server error')),
  http_502_html: () => ({ kind: 'html', status: 502, html: BAD_GATEWAY_HTML }),
  http_503: () => json(503, detail('service unavailable')),
  http_429: () => rateLimited('rate limited', '1'),
  http_429_no_retry_after: () => rateLimited('rate limited'),
  // An HTTP date has whole seconds: rounded up, it is 1 to 2 s ahead.
  http_429_date: () =>
    rateLimited('rate limited', new Date(Math.ceil(Date.now() / 1000 + 1) * 1000).toUTCString()),
  http_401: () => json(401, ''),
  http_403: () => json(403, detail('forbidden')),
  http_400_whole: () => json(400, batchError('invalid', 'the request was refused as a whole')),
  reset_before: () => ({ kind: 'reset' }),
};

function checkLimit(limit: number | null): number | null {
  if (limit !== null && !(Number.isInteger(limit) && limit > 0))
    throw new Error(`requestsPerSecond must be a positive integer or null: ${limit}`);
  return limit;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function write(res: ServerResponse, answer: Answer): void {
  if (res.destroyed || res.socket?.destroyed) return;
  if (answer.kind === 'reset') {
    res.socket?.resetAndDestroy();
    return;
  }
  const [type, text] =
    answer.kind === 'html'
      ? ['text/html', answer.html]
      : ['application/json; charset=utf-8', answer.body === '' ? '' : JSON.stringify(answer.body)];
  const bytes = Buffer.from(text, 'utf8');
  const headers = answer.kind === 'answer' ? answer.headers : undefined;
  res.writeHead(answer.status, {
    ...(bytes.length > 0 ? { 'content-type': type } : {}),
    ...headers,
    'content-length': String(bytes.length),
  });
  if (answer.kind === 'answer' && answer.truncate === true) {
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
    return;
  }
  res.end(bytes);
}

export async function startTrackSimulator(options: TrackSimulatorOptions = {}): Promise<TrackSimulator> {
  const siteId = options.siteId ?? DEFAULT_SITE_ID;
  const trackApiKey = options.trackApiKey ?? DEFAULT_TRACK_API_KEY;
  const expectedAuth = `Basic ${Buffer.from(`${siteId}:${trackApiKey}`).toString('base64')}`;
  const region = options.region ?? 'us';
  const refused = new Set(options.refusedIdentifiers ?? []);
  const latencyMs = options.latencyMs ?? 0;
  const slowMs = options.slowMs ?? DEFAULT_SLOW_MS;
  const store = new TrackStore();
  const requests: RequestRecord[] = [];
  const faults: { kind: FaultKind; path: RegExp | undefined; remaining: number }[] = [];
  const admittedAt: number[] = [];
  let limit = checkLimit(options.requestsPerSecond ?? null);
  const now = options.now ?? (() => performance.now());

  function admit(now: number): boolean {
    if (limit === null) return true;
    while ((admittedAt[0] ?? Number.POSITIVE_INFINITY) <= now - RATE_WINDOW_MS) admittedAt.shift();
    if (admittedAt.length >= limit) return false;
    admittedAt.push(now);
    return true;
  }

  function nextFault(path: string): FaultKind | undefined {
    const fault = faults.find((queued) => {
      if (queued.path !== undefined) queued.path.lastIndex = 0;
      return queued.path?.test(path) ?? true;
    });
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(faults.indexOf(fault), 1);
    return fault.kind;
  }

  /** Waits unless the simulator closes or the client leaves; resolves to whether it waited in full. */
  async function pause(ms: number, clientGone: AbortSignal): Promise<boolean> {
    const signal = AbortSignal.any([loopback.closing, clientGone]);
    if (ms <= 0) return !signal.aborted;
    return sleep(ms, true, { signal }).catch(() => false);
  }

  function batch(body: Buffer, record: RequestRecord): Answer {
    if (body.length > LIMITS.batchBytes)
      return json(
        options.oversizeAs413 === true ? 413 : 400,
        batchError('too_large', 'request body over 500 KB'),
      );
    const parsed = parse(body);
    if (!isObject(parsed) || !Array.isArray(parsed.batch))
      return json(400, batchError('invalid', 'the body must be a JSON object with a batch array'));
    record.entries = parsed.batch.length;
    const now = Math.floor(Date.now() / 1000);
    const errors = parsed.batch.flatMap((raw: unknown, batch_index) => {
      const entry = validateEntry(raw, refused);
      if ('reason' in entry) return [{ batch_index, ...entry }];
      store.apply(entry, now);
      return [];
    });
    return errors.length > 0 ? json(207, { errors }) : json(200, {});
  }

  function anonymousEvent(body: Buffer): Answer {
    const event = validateAnonymousEvent(parse(body));
    if (Array.isArray(event)) return json(400, { meta: { errors: event } });
    store.addAnonymousEvent(event);
    return json(200, {});
  }

  function route(method: string, path: string, body: Buffer, record: RequestRecord): Answer {
    const key = `${method} ${path}`;
    if (key === 'GET /api/v1/accounts/region') return json(200, { ...REGIONS[region], region });
    if (key === 'POST /api/v2/batch') return batch(body, record);
    if (key === 'POST /api/v1/events') return anonymousEvent(body);
    return json(404, detail('not found'));
  }

  /** The pipeline: rate limit, auth, queued faults, routing. */
  async function decide(
    req: IncomingMessage,
    record: RequestRecord,
    clientGone: AbortSignal,
  ): Promise<Answer> {
    const admitted = admit(now());
    const authorized = req.headers.authorization === expectedAuth;
    const fault = admitted && authorized ? nextFault(record.path) : undefined;
    if (fault === 'reset_before') {
      record.bytes = Number(req.headers['content-length'] ?? 0) || 0;
      return { kind: 'reset' };
    }
    const body = await readBody(req);
    record.bytes = body.length;
    record.entries = 1;
    if (!admitted) return rateLimited(`rate limited to ${limit} requests per 1s`, '1');
    if (!authorized) return json(401, '');
    const canned = fault === undefined ? undefined : CANNED[fault];
    if (canned !== undefined) return canned();
    if (fault === 'slow' && !(await pause(slowMs, clientGone))) return { kind: 'reset' };
    const answer = route(record.method, record.path, body, record);
    if (fault === 'reset_after') return { kind: 'reset' };
    return fault === 'truncated_body' && answer.kind === 'answer' ? { ...answer, truncate: true } : answer;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/__simulator/store') {
      write(res, json(200, store));
      return;
    }
    if (path === '/__simulator/stats') {
      const statuses: Record<number, number> = {};
      for (const request of requests) statuses[request.status] = (statuses[request.status] ?? 0) + 1;
      const sum = (pick: (request: RequestRecord) => number) =>
        requests.reduce((total, request) => total + pick(request), 0);
      write(
        res,
        json(200, {
          requests: requests.length,
          bytes: sum((request) => request.bytes),
          entries: sum((request) => request.entries),
          statuses,
          summary: store.summary(),
        }),
      );
      return;
    }
    const record: RequestRecord = { method, path, status: 0, bytes: 0, entries: 0, at: performance.now() };
    requests.push(record);
    const clientGone = new AbortController();
    res.once('close', () => clientGone.abort());
    let answer: Answer;
    try {
      answer = await decide(req, record, clientGone.signal);
    } catch (error) {
      answer = json(500, detail(`simulator error: ${String(error)}`));
    }
    if (!(await pause(latencyMs, clientGone.signal))) answer = { kind: 'reset' };
    record.status = answer.kind === 'reset' ? 0 : answer.status;
    write(res, answer);
  }

  const loopback = await listenOnLoopback(handle, options.port ?? 0);
  const { port } = loopback;

  return {
    url: `http://127.0.0.1:${port}`,
    siteId,
    trackApiKey,
    store,
    requests,
    addFaults: (...added) => {
      for (const { kind, path, times = 1 } of added) {
        if (!(Number.isInteger(times) && times >= 0)) throw new Error(`fault times must be >= 0: ${times}`);
        if (times > 0) faults.push({ kind, path, remaining: times });
      }
    },
    setRequestsPerSecond: (next) => {
      limit = checkLimit(next);
    },
    close: loopback.close,
  };
}
