import type { Answer } from '@cio-connectors/kit/http-answers';
import type { Params, RequestOptions } from '@cio-connectors/kit/http-client';
import { apiErrorDetail } from '@cio-connectors/kit/http-errors';
import type { JsonObject } from '@cio-connectors/kit/json';
import { stringifyJson } from '@cio-connectors/kit/json';
import { MissingEnvelopeError, PaginationLoopError } from './errors.js';
import { recordTexts } from './record-text.js';

/** What pages are read through: a client's whole answers (body and, when asked for, text). */
export interface AnswerSource {
  answer(path: string, options?: RequestOptions): Promise<Answer>;
}

export interface PageRequest {
  path: string;
  envelopeKey: string;
  params?: Params;
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
  /** Keep each record's text from the response for the emitter to copy (see record-text.ts). */
  keepRecordText?: boolean;
}

export interface Page {
  records: JsonObject[];
  next: string | undefined;
  body: JsonObject;
  /** Parallel to `records`, with `keepRecordText`: each record's text where it can be copied (see record-text.ts). */
  texts?: ReadonlyArray<string | undefined>;
}

/**
 * Follows `next` tokens (sent back as `start`) until one is empty, null or absent; or, for offset endpoints,
 * `offset` until a short page. With `prefetch`, the next page is requested as soon as its token is known,
 * while the caller works through the current one.
 */
export async function* readPages(client: AnswerSource, request: PageRequest): AsyncGenerator<Page> {
  if (request.pagination === 'offset') {
    yield* offsetPages(client, request);
    return;
  }
  const guard = new PageLoopGuard(request.path);
  let pending: Promise<Page> | undefined = cursorPage(client, request, request.start);
  while (pending !== undefined) {
    const page: Page = await pending;
    pending = undefined;
    guard.check(page.records, page.next);
    if (page.next !== undefined && request.prefetch === true) {
      pending = cursorPage(client, request, page.next);
      // Awaited on the next turn; this only keeps an early stop from leaving an unhandled rejection.
      pending.catch(() => undefined);
    }
    yield page;
    if (request.prefetch !== true && page.next !== undefined)
      pending = cursorPage(client, request, page.next);
  }
}

async function cursorPage(
  client: AnswerSource,
  request: PageRequest,
  start: string | undefined,
): Promise<Page> {
  const params = {
    ...request.params,
    ...(request.pageSize === undefined ? {} : { limit: request.pageSize }),
    ...(start === undefined ? {} : { start }),
  };
  const answer = await client.answer(request.path, requestOptions(request, params));
  const records = extractRecords(answer.body, request.envelopeKey, request.path);
  return { ...withTexts(records, answer, request), next: nextToken(answer.body), body: answer.body };
}

async function* offsetPages(client: AnswerSource, request: PageRequest): AsyncGenerator<Page> {
  const limit = request.pageSize ?? 100;
  const guard = new PageLoopGuard(request.path);
  for (let offset = 0; ; offset += limit) {
    const answer = await client.answer(
      request.path,
      requestOptions(request, { ...request.params, limit, offset }),
    );
    const records = extractRecords(answer.body, request.envelopeKey, request.path);
    guard.check(records, undefined);
    yield { ...withTexts(records, answer, request), next: undefined, body: answer.body };
    if (records.length < limit) return;
  }
}

/** The page's records, with their texts where the request keeps them. */
function withTexts(
  records: JsonObject[],
  answer: Answer,
  request: PageRequest,
): Pick<Page, 'records' | 'texts'> {
  const texts =
    request.keepRecordText === true && answer.text !== undefined
      ? recordTexts(answer.text, request.envelopeKey, records)
      : undefined;
  return texts === undefined ? { records } : { records, texts };
}

function requestOptions(request: PageRequest, params: Params) {
  return {
    params,
    method: request.method ?? 'GET',
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.keepRecordText === true ? { keepText: true } : {}),
  };
}

/**
 * Where Customer.io documents `null` for an empty list (reference §3: membership `identifiers`, message lists
 * `messages`, suppressions `suppressions`). Anywhere else a null list is not known to mean "nothing", so it is
 * an error rather than an empty page.
 */
const NULL_MEANS_EMPTY: ReadonlyArray<{ key: string; path: RegExp }> = [
  { key: 'messages', path: /^\/v1\/messages$/ },
  {
    key: 'messages',
    path: /^\/v1\/(campaigns|broadcasts|newsletters|transactional|customers)\/[^/]+\/messages$/,
  },
  { key: 'identifiers', path: /^\/v1\/segments\/[^/]+\/membership$/ },
  { key: 'suppressions', path: /^\/v1\/esp\/suppression\/[^/]+$/ },
];

export function nullMeansEmpty(path: string, envelopeKey: string): boolean {
  return NULL_MEANS_EMPTY.some((quirk) => quirk.key === envelopeKey && quirk.path.test(path));
}

/**
 * The records of a 200: the list under `envelopeKey`. A documented `null` is an empty page; a missing key,
 * an undocumented `null` or anything but a list is an error, since treating it as empty would end the stream
 * COMPLETE with nothing (and a full-refresh overwrite would empty the table).
 */
export function extractRecords(body: unknown, envelopeKey: string, path: string): JsonObject[] {
  const list = isObject(body) ? body[envelopeKey] : undefined;
  if (Array.isArray(list)) return list as JsonObject[];
  if (list === null && nullMeansEmpty(path, envelopeKey)) return [];
  throw missingEnvelope(body, envelopeKey, path, 'list');
}

/** The object at `keys` in a body read outside pages (e.g. `metric.series`), or an error naming what came instead. */
export function expectObject(body: unknown, keys: readonly string[], path: string): JsonObject {
  let current: unknown = body;
  for (const key of keys) {
    const next = isObject(current) ? current[key] : undefined;
    if (!isObject(next)) throw missingEnvelope(body, keys.join('.'), path, 'object');
    current = next;
  }
  return current as JsonObject;
}

/**
 * The token of the next page: a non-empty string, or a positive number (broadcast trigger errors page by
 * integer offset and answer `next: 0` on the last page); none ends the read.
 */
export function nextToken(body: JsonObject): string | undefined {
  const next = body.next;
  if (typeof next === 'number') return next > 0 ? String(next) : undefined;
  return typeof next === 'string' && next !== '' ? next : undefined;
}

/**
 * Stops a read whose server would keep it going forever: a `next` token followed before, or a non-empty
 * page with the same records as the page before it (a fresh token on the same page, or an ignored
 * `offset`). Empty pages never count as repeats: on cursor endpoints an empty page with a token is not
 * necessarily the end, and offset paging stops at the first short page anyway.
 */
export class PageLoopGuard {
  readonly #path: string;
  readonly #tokens = new Set<string>();
  #previous: string | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  /** Throws when `records` repeat the previous page's or `next` was already followed; remembers both. */
  check(records: readonly JsonObject[], next: string | undefined): void {
    const fingerprint = pageFingerprint(records);
    if (fingerprint !== undefined && fingerprint === this.#previous) {
      throw new PaginationLoopError(
        `Customer.io answered ${this.#path} with the same page of ${records.length} records twice in a row; stopping rather than emitting duplicates forever.`,
        { path: this.#path },
      );
    }
    this.#previous = fingerprint;
    if (next === undefined) return;
    if (this.#tokens.has(next)) {
      throw new PaginationLoopError(
        `Customer.io returned the same page token twice for ${this.#path}; stopping to avoid an endless loop.`,
        { path: this.#path },
      );
    }
    this.#tokens.add(next);
  }
}

/**
 * What identifies a page cheaply: its length and its first and last records. Two consecutive pages of a
 * working endpoint never share both ends, since no record is on two pages.
 */
function pageFingerprint(records: readonly JsonObject[]): string | undefined {
  if (records.length === 0) return undefined;
  return `${records.length}|${stringifyJson(records[0])}|${stringifyJson(records[records.length - 1])}`;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function missingEnvelope(body: unknown, key: string, path: string, what: 'list' | 'object'): Error {
  return new MissingEnvelopeError(
    `Customer.io answered ${path} with 200 but no "${key}" ${what} (${describeBody(body, key)}); stopping rather than reading it as empty.`,
    { path, status: 200 },
  );
}

/** What came back instead, without values that could be personal data: shapes, key names, the API's error detail. */
export function describeBody(body: unknown, key: string): string {
  if (!isObject(body)) return `the body is ${kindOf(body)}`;
  const parts = key.split('.');
  let holder = body;
  for (const [index, part] of parts.entries()) {
    if (!(part in holder)) return `${keysOf(holder, parts.slice(0, index).join('.'))}${errorNote(body)}`;
    const value = holder[part];
    if (index === parts.length - 1 || !isObject(value))
      return `"${parts.slice(0, index + 1).join('.')}" is ${kindOf(value)}`;
    holder = value;
  }
  return 'an unexpected shape';
}

function keysOf(holder: JsonObject, name: string): string {
  const keys = Object.keys(holder);
  if (keys.length === 0) return name === '' ? 'an empty object' : `"${name}" is an empty object`;
  const shown = keys.slice(0, 8).map((key) => key.slice(0, 40));
  const more = keys.length > shown.length ? `, and ${keys.length - shown.length} more` : '';
  return `${name === '' ? 'top-level keys' : `keys of "${name}"`}: ${shown.join(', ')}${more}`;
}

function errorNote(body: JsonObject): string {
  const detail = apiErrorDetail(body);
  return detail === undefined ? '' : `; error: ${detail}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return 'missing';
}
