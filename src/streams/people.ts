import type { JsonObject } from '@cio-connectors/kit/json';
import { answerId, SEARCHED_PERSON } from '../answer-ids.js';
import { EVERYONE_FILTER } from '../config.js';
import { cursorSeconds, FullRefreshCursor } from '../cursors.js';
import { extractRecords, type Page } from '../pagination.js';
import { type Probe, Stream, type StreamContext } from './base.js';

/**
 * The people matching `customers_filter` (everyone by default), as identifiers: the parent of customers and
 * every per-person stream. Internal: not in the catalog. Reads `identifiers`, not `ids`, which has "" for
 * people without an id.
 */
class PeopleStream extends Stream {
  readonly name = 'people';
  readonly path = '/v1/customers';
  readonly envelopeKey = 'identifiers';
  readonly primaryKey = [['cio_id']];
  override readonly method = 'POST';
  override readonly pageSize = 1000;
  override readonly prefetch = true;
  override readonly partitionFields = ['cio_id'];

  createCursor(): FullRefreshCursor {
    return new FullRefreshCursor();
  }

  /** One person of everyone: whether the key may search people at all, whatever `customers_filter` says. */
  override get probe(): Probe {
    return { path: this.path, method: 'POST', params: { limit: 1 }, body: { filter: EVERYONE_FILTER } };
  }

  override slices(context: StreamContext): Array<{ body: JsonObject }> {
    return [{ body: { filter: context.config.customersFilter } }];
  }
}

export const PEOPLE = new PeopleStream();

/**
 * An ordered list of cio_ids held in 8 bytes each when they are all hex (as Customer.io's are), as strings
 * otherwise: a people search's pages kept until they are read.
 */
export class CompactIds {
  readonly #numbers: Float64Array | undefined;
  readonly #strings: readonly string[] | undefined;

  constructor(ids: readonly string[]) {
    const numbers = ids.map(hexValue);
    if (numbers.every((value): value is number => value !== undefined))
      this.#numbers = Float64Array.from(numbers);
    else this.#strings = [...ids];
  }

  get length(): number {
    return this.#numbers?.length ?? this.#strings?.length ?? 0;
  }

  toArray(): string[] {
    if (this.#strings !== undefined) return [...this.#strings];
    return Array.from(this.#numbers ?? [], (value) => value.toString(16).slice(1));
  }
}

/** A cio_id of at most 13 lowercase hex digits as the number it spells (exact in a float64), else undefined. */
export function hexValue(cioId: string): number | undefined {
  if (cioId.length === 0 || cioId.length > 13 || !/^[0-9a-f]+$/.test(cioId)) return undefined;
  // A leading "1" keeps "0a" and "a" apart.
  return Number.parseInt(`1${cioId}`, 16);
}

/** One page of the people search: its people's cio_ids, and the tokens it was read with and of the page after it. */
export interface SearchedPage {
  token: string | undefined;
  ids: CompactIds;
  next: string | undefined;
}

/**
 * Every page of the people search matching `customers_filter`, from `start` (a saved token) or the first, held in
 * 8 bytes a person: read whole before the people are, so a stream knows how many it has at no extra request.
 */
export async function searchPeople(
  context: StreamContext,
  start: string | undefined,
  onFirstPage?: () => void,
): Promise<SearchedPage[]> {
  const pages: SearchedPage[] = [];
  let token = start;
  for await (const page of peopleSearchPages(context, start)) {
    const ids = page.records.map((person) => answerId(person.cio_id, 'cio_id', SEARCHED_PERSON));
    if (pages.length === 0) onFirstPage?.();
    pages.push({ token, ids: new CompactIds(ids), next: page.next });
    token = page.next;
  }
  return pages;
}

export function peopleIn(pages: readonly SearchedPage[]): number {
  return pages.reduce((sum, page) => sum + page.ids.length, 0);
}

/** The pages of the people search matching `customers_filter`, from `start` (a page token) or the first. */
export function peopleSearchPages(context: StreamContext, start: string | undefined): AsyncGenerator<Page> {
  const [slice = {}] = PEOPLE.slices(context);
  return context.client.pages({
    ...PEOPLE.pageRequest(context, slice),
    ...(start === undefined ? {} : { start }),
  });
}

/** The attributes endpoint takes at most 100 ids per request. */
export const ATTRIBUTE_BATCH = 100;
export const ATTRIBUTES_PATH = '/v1/customers/attributes';
const LOOKED_UP_PERSON = 'a person in the attributes lookup (POST /v1/customers/attributes)';

/**
 * The attributes of up to 100 people, by cio_id (or by their `id`: unknown ids are left out), as the API answers
 * them (unwrapped from {"customer": ...}).
 */
export async function readAttributes(
  context: StreamContext,
  ids: string[],
  idType: 'cio_id' | 'id' = 'cio_id',
): Promise<JsonObject[]> {
  const body = await context.client.request(ATTRIBUTES_PATH, {
    method: 'POST',
    params: { id_type: idType },
    body: { ids },
  });
  // The spec wraps each person in {"customer": ...}; the live API does not.
  return extractRecords(body, 'customers', ATTRIBUTES_PATH).map(
    (item) => ((item as JsonObject).customer ?? item) as JsonObject,
  );
}

/**
 * The cio_id of one item of the attributes answer: in `identifiers` (and in `attributes`); the item's own `id`
 * is the person's id, and there is no top-level `cio_id`. A person without one is a malformed answer.
 */
export function attributesCioId(person: JsonObject): string {
  const identifiers = (person.identifiers ?? {}) as JsonObject;
  const attributes = (person.attributes ?? {}) as JsonObject;
  return answerId(identifiers.cio_id ?? attributes.cio_id, 'cio_id', LOOKED_UP_PERSON);
}

/**
 * When a person first existed, as far as their attributes tell: the earlier of their `created_at` attribute and
 * their oldest attribute timestamp (created_at is the app's to set, and may be later than the person).
 */
export function firstSeen(person: JsonObject): number | undefined {
  const attributes = (person.attributes ?? {}) as JsonObject;
  const timestamps = Object.values((person.timestamps ?? {}) as JsonObject);
  const candidates = [attributes.created_at, ...timestamps]
    .map((value) => cursorSeconds(value))
    .filter((value): value is number => value !== undefined && value > 0)
    .map((value) => (value > 100_000_000_000 ? Math.floor(value / 1000) : value));
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}
