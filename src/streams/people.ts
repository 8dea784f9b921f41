import type { JsonObject } from '@cio-connectors/kit/json';
import { answerId, SEARCHED_PERSON } from '../answer-ids.js';
import { EVERYONE_FILTER } from '../config.js';
import { FullRefreshCursor } from '../cursors.js';
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
  const [slice = {}] = PEOPLE.slices(context);
  const request = { ...PEOPLE.pageRequest(context, slice), ...(start === undefined ? {} : { start }) };
  const pages: SearchedPage[] = [];
  let token = start;
  for await (const page of context.client.pages(request)) {
    const ids = page.records.map((person) => answerId(person.cio_id, 'cio_id', SEARCHED_PERSON));
    if (pages.length === 0) onFirstPage?.();
    pages.push({ token, ids: new CompactIds(ids), next: page.next });
    token = page.next;
  }
  return pages;
}

/** How many people the pages hold. */
export function peopleIn(pages: readonly SearchedPage[]): number {
  return pages.reduce((sum, page) => sum + page.ids.length, 0);
}
