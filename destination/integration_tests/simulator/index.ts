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
export const DEFAULT_APP_API_KEY = 'sim-app-api-key-0123456789abcdef';
/** The workspace's custom object types (App API GET /v1/object_types). */
export const DEFAULT_OBJECT_TYPES = [
  { id: '1', name: 'Companies' },
  { id: '2', name: 'Sales Accounts' },
];
/** The workspace's manual segments, empty at the start. */
export const DEFAULT_SEGMENTS = [101, 102, 103];
const MEMBERSHIP_DEFAULT_LIMIT = 1000;
const MEMBERSHIP_MAX_LIMIT = 30_000;
const SEGMENT_IDS_PER_REQUEST = 1000;
const COLLECTION_MAX_BYTES = 10_000_000;
const COLLECTION_ROW_MAX_BYTES = 10_000;
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
  /** The App API key (Bearer) its App API routes take. */
  appApiKey?: string;
  objectTypes?: { id: string; name: string }[];
  /** Manual segment ids (each starts empty). */
  segments?: number[];
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
  appApiKey: string;
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
  const appApiKey = options.appApiKey ?? DEFAULT_APP_API_KEY;
  const objectTypes = options.objectTypes ?? DEFAULT_OBJECT_TYPES;
  const typeIds = new Set(objectTypes.map((type) => type.id));
  for (const segment of options.segments ?? DEFAULT_SEGMENTS) store.segments.set(segment, new Set());
  let collectionIds = 0;
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
      const entry = validateEntry(raw, refused, typeIds);
      if ('reason' in entry) return [{ batch_index, ...entry }];
      const refusal = store.apply(entry, now);
      return refusal === undefined
        ? []
        : [{ batch_index, reason: 'not_found', field: 'primary', message: refusal }];
    });
    return errors.length > 0 ? json(207, { errors }) : json(200, {});
  }

  function anonymousEvent(body: Buffer): Answer {
    const event = validateAnonymousEvent(parse(body));
    if (Array.isArray(event)) return json(400, { meta: { errors: event } });
    store.addAnonymousEvent(event);
    return json(200, {});
  }

  /** Track v1 add_customers / remove_customers: at most 1000 ids of one id_type. */
  function segmentChange(
    segment: number,
    add: boolean,
    query: URLSearchParams,
    body: Buffer,
    record: RequestRecord,
  ) {
    if (!store.segments.has(segment))
      return json(404, { meta: { errors: [`segment ${segment} not found`] } });
    const idType = query.get('id_type') ?? 'id';
    if (idType !== 'id' && idType !== 'email' && idType !== 'cio_id')
      return json(400, { meta: { errors: ['id_type must be id, email or cio_id'] } });
    const parsed = parse(body);
    const ids = isObject(parsed) ? parsed.ids : undefined;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
      return json(400, { meta: { errors: ['the body must be {"ids": [string, ...]}'] } });
    if (ids.length > SEGMENT_IDS_PER_REQUEST)
      return json(400, { meta: { errors: [`at most ${SEGMENT_IDS_PER_REQUEST} ids per request`] } });
    record.entries = ids.length;
    store.changeSegment(segment, idType, ids as string[], add);
    return json(200, {});
  }

  function track(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Buffer,
    record: RequestRecord,
  ): Answer {
    const key = `${method} ${path}`;
    if (key === 'GET /api/v1/accounts/region') return json(200, { ...REGIONS[region], region });
    if (key === 'POST /api/v2/batch') return batch(body, record);
    if (key === 'POST /api/v1/events') return anonymousEvent(body);
    const segment = /^\/api\/v1\/segments\/(\d+)\/(add|remove)_customers$/.exec(path);
    if (method === 'POST' && segment !== null)
      return segmentChange(Number(segment[1]), segment[2] === 'add', query, body, record);
    return json(404, detail('not found'));
  }

  function collectionData(raw: unknown): unknown[] | string {
    if (!Array.isArray(raw)) return 'data must be a list of rows';
    if (raw.some((row) => !isObject(row))) return 'each row must be an object';
    if (raw.some((row) => Buffer.byteLength(JSON.stringify(row)) > COLLECTION_ROW_MAX_BYTES))
      return 'a row is over 10 KB';
    if (Buffer.byteLength(JSON.stringify(raw)) > COLLECTION_MAX_BYTES) return 'the collection is over 10 MB';
    return raw;
  }

  /** The App API routes a destination uses: object types, segment membership, collections, snippets. */
  function appApi(method: string, path: string, query: URLSearchParams, body: Buffer): Answer {
    const key = `${method} ${path}`;
    const now = Math.floor(Date.now() / 1000);
    if (key === 'GET /v1/object_types')
      return json(200, {
        types: objectTypes.map((type) => ({
          ...type,
          singular_name: type.name,
          slug: type.name.toLowerCase(),
        })),
      });
    const membership = /^\/v1\/segments\/(\d+)\/membership$/.exec(path);
    if (method === 'GET' && membership !== null) {
      const segment = Number(membership[1]);
      if (!store.segments.has(segment)) return json(404, detail(`segment ${segment} not found`));
      const limit = Math.min(Number(query.get('limit') ?? MEMBERSHIP_DEFAULT_LIMIT), MEMBERSHIP_MAX_LIMIT);
      const start = Number(query.get('start') ?? '0');
      if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(start) || start < 0)
        return json(400, detail('invalid limit or start'));
      const members = store.segmentMembers(segment);
      const page = members.slice(start, start + limit);
      const next = start + limit < members.length ? String(start + limit) : '';
      if (page.length === 0)
        return json(200, { segment_id: segment, identifiers: null, ids: null, next: '' });
      return json(200, { segment_id: segment, identifiers: page, ids: page.map((m) => m.id ?? ''), next });
    }
    if (key === 'GET /v1/collections')
      return json(200, {
        collections: [...store.collections.values()].map(({ id, name, data, updated_at }) => ({
          id,
          name,
          rows: data.length,
          bytes: Buffer.byteLength(JSON.stringify(data)),
          schema: [...new Set(data.flatMap((row) => Object.keys(row as object)))],
          created_at: updated_at,
          updated_at,
        })),
      });
    const parsed = parse(body);
    if (key === 'POST /v1/collections') {
      if (!isObject(parsed) || typeof parsed.name !== 'string' || parsed.name === '')
        return json(400, detail('name is required'));
      const data = collectionData(parsed.data);
      if (typeof data === 'string') return json(400, detail(data));
      collectionIds += 1;
      store.collections.set(collectionIds, { id: collectionIds, name: parsed.name, data, updated_at: now });
      return json(200, { collection: { id: collectionIds, name: parsed.name, rows: data.length } });
    }
    const collection = /^\/v1\/collections\/(\d+)(\/content)?$/.exec(path);
    if (collection !== null) {
      const stored = store.collections.get(Number(collection[1]));
      if (stored === undefined) return json(404, detail('collection not found'));
      if (method === 'GET' && collection[2] !== undefined) return json(200, stored.data);
      if (method === 'PUT' && collection[2] === undefined) {
        const data = collectionData(isObject(parsed) ? parsed.data : undefined);
        if (typeof data === 'string') return json(400, detail(data));
        Object.assign(stored, { data, updated_at: now });
        return json(200, { collection: { id: stored.id, name: stored.name, rows: data.length } });
      }
    }
    if (key === 'GET /v1/snippets')
      return json(200, {
        snippets: [...store.snippets].map(([name, value]) => ({ name, value, updated_at: now })),
      });
    if (key === 'PUT /v1/snippets') {
      if (!isObject(parsed) || typeof parsed.name !== 'string' || typeof parsed.value !== 'string')
        return json(400, detail('name and value are required'));
      const name = parsed.name.trim();
      if (name === '' || [...name].length > 150) return json(400, detail('name must be 1 to 150 characters'));
      store.snippets.set(name, parsed.value.trim());
      return json(200, { snippet: { name, value: parsed.value.trim(), updated_at: now } });
    }
    const snippet = /^\/v1\/snippets\/(.+)$/.exec(path);
    if (method === 'DELETE' && snippet !== null) {
      const name = decodeURIComponent(snippet[1] ?? '');
      if (!store.snippets.delete(name)) return json(404, detail('snippet not found'));
      return { kind: 'answer', status: 204, body: '' };
    }
    return json(404, detail('not found'));
  }

  /** The pipeline: rate limit, auth, queued faults, routing. */
  async function decide(
    req: IncomingMessage,
    record: RequestRecord,
    clientGone: AbortSignal,
  ): Promise<Answer> {
    const admitted = admit(now());
    const app = record.path.startsWith('/v1/');
    const authorized = req.headers.authorization === (app ? `Bearer ${appApiKey}` : expectedAuth);
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
    const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    const answer = app
      ? appApi(record.method, record.path, query, body)
      : track(record.method, record.path, query, body, record);
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
    appApiKey,
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
