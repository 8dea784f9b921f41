import type { JsonObject } from '@cio-connectors/kit/json';
import { EVERYONE_FILTER } from '../config.js';
import type { Cursor } from '../cursors.js';
import { RequestCancelledError } from '../errors.js';
import type { Stream, StreamContext } from './base.js';
import { CHECKPOINT, RecordBatch, recordsIn, type StreamItem } from './items.js';
import { hexValue, peopleSearchPages, readAttributes } from './people.js';
import type { BulkRead } from './person-stream.js';

/**
 * The people a bulk-read per-person stream covers: `customers_filter`'s audience, from one people search
 * (⌈P ÷ 1000⌉ requests), held compactly. Customer.io's cio_ids are 12 hex digits (48 bits), which a float64 holds
 * exactly: those are kept in one sorted Float64Array (8 bytes a person, 8 MB at a million), anything else in a
 * Set. Membership is exact either way.
 */
export class AudienceIds {
  #numbers: Float64Array = new Float64Array(1024);
  #count = 0;
  readonly #others = new Set<string>();
  #sorted = true;

  add(cioId: string): void {
    const value = hexValue(cioId);
    if (value === undefined) {
      this.#others.add(cioId);
      return;
    }
    if (this.#count === this.#numbers.length) {
      const bigger = new Float64Array(this.#numbers.length * 2);
      bigger.set(this.#numbers);
      this.#numbers = bigger;
    }
    if (this.#count > 0 && value < (this.#numbers[this.#count - 1] ?? 0)) this.#sorted = false;
    this.#numbers[this.#count] = value;
    this.#count += 1;
  }

  /** Done adding: sorts the numbers (once) and drops the spare capacity. */
  seal(): this {
    const numbers = this.#numbers.slice(0, this.#count);
    if (!this.#sorted) numbers.sort();
    this.#numbers = numbers;
    this.#sorted = true;
    return this;
  }

  get size(): number {
    return this.#count + this.#others.size;
  }

  has(cioId: string): boolean {
    const value = hexValue(cioId);
    if (value === undefined) return this.#others.has(cioId);
    let low = 0;
    let high = this.#count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const at = this.#numbers[middle] ?? 0;
      if (at === value) return true;
      if (at < value) low = middle + 1;
      else high = middle;
    }
    return false;
  }
}

/** Whether `customers_filter` narrows the audience (without it, every person is covered). */
export function hasPeopleFilter(context: StreamContext): boolean {
  return JSON.stringify(context.config.customersFilter) !== JSON.stringify(EVERYONE_FILTER);
}

/** The cio_ids of everyone `customers_filter` matches (everyone when it is empty), read once per run. */
export async function readAudience(context: StreamContext): Promise<AudienceIds> {
  try {
    return await context.memo.once('audience', () => searchAudience(context));
  } catch (error) {
    // A search another stream started is cancelled when that stream ends early: this one then reads it itself.
    if (!(error instanceof RequestCancelledError)) throw error;
    return context.memo.once('audience', () => searchAudience(context));
  }
}

async function searchAudience(context: StreamContext): Promise<AudienceIds> {
  const ids = new AudienceIds();
  for await (const page of peopleSearchPages(context, undefined)) {
    for (const person of page.records) {
      if (typeof person.cio_id === 'string' && person.cio_id !== '') ids.add(person.cio_id);
    }
  }
  ids.seal();
  return ids;
}

/** The cio_id a workspace-wide record (activity, delivery) names: `customer_identifiers.cio_id`, if any. */
function namedCioId(record: JsonObject): string | undefined {
  const identifiers = record.customer_identifiers;
  if (typeof identifiers !== 'object' || identifiers === null || Array.isArray(identifiers)) return undefined;
  const cioId = (identifiers as JsonObject).cio_id;
  return typeof cioId === 'string' && cioId !== '' ? cioId : undefined;
}

/** A record waiting for its person, and the cio_id found (null: nobody has that id now). */
type Resolved = { record: JsonObject; cioId: string | null };

/** Lookups kept before the cache starts over: bounds memory whatever the history. */
const RESOLVED_LIMIT = 100_000;
const LOOKUP_BATCH = 100;

/**
 * Finds the person of records whose `customer_identifiers` is null but whose `customer_id` (the person's `id`)
 * is set: one attributes lookup (`id_type=id`) per 100 distinct ids, remembered. Records wait here until their
 * id is looked up: `flushFull` looks up only whole batches of 100 (so a read costs ⌈ids ÷ 100⌉ lookups between
 * checkpoints, never a part-filled lookup per page), `flush` all that wait (call it before a checkpoint).
 */
export class PersonResolver {
  readonly #context: StreamContext;
  readonly #resolved = new Map<string, string | null>();
  #waiting: Array<{ record: JsonObject; id: string }> = [];
  readonly #unknown = new Set<string>();
  /** Records whose person Customer.io does not name at all (no identifiers, no customer_id). */
  unnamed = 0;

  constructor(context: StreamContext) {
    this.#context = context;
  }

  /** The record's cio_id now, `null` when it has none, or `undefined` when it waits for a lookup. */
  cioIdOf(record: JsonObject): string | null | undefined {
    const named = namedCioId(record);
    if (named !== undefined) return named;
    const id = record.customer_id;
    if (typeof id !== 'string' || id === '') {
      this.unnamed += 1;
      return null;
    }
    const known = this.#resolved.get(id);
    if (known !== undefined) return known;
    this.#waiting.push({ record, id });
    this.#unknown.add(id);
    return undefined;
  }

  /** Whether enough ids wait to fill a lookup. */
  get due(): boolean {
    return this.#unknown.size >= LOOKUP_BATCH;
  }

  /** Looks up whole batches of 100 waiting ids; the rest wait on. Returns the records whose ids were looked up. */
  flushFull(): Promise<Resolved[]> {
    return this.#lookUp(this.#unknown.size - (this.#unknown.size % LOOKUP_BATCH));
  }

  /** Looks up every waiting id and returns their records with the cio_id found (null: nobody has that id now). */
  flush(): Promise<Resolved[]> {
    return this.#lookUp(this.#unknown.size);
  }

  async #lookUp(count: number): Promise<Resolved[]> {
    if (count === 0) return [];
    const ids = [...this.#unknown].slice(0, count);
    for (const id of ids) this.#unknown.delete(id);
    const found = new Map<string, string>();
    for (let start = 0; start < ids.length; start += LOOKUP_BATCH) {
      const batch = ids.slice(start, start + LOOKUP_BATCH);
      for (const person of await readAttributes(this.#context, batch, 'id')) {
        const identifiers = (person.identifiers ?? {}) as JsonObject;
        const attributes = (person.attributes ?? {}) as JsonObject;
        const id = identifiers.id ?? attributes.id;
        const cioId = identifiers.cio_id ?? attributes.cio_id;
        if (typeof id === 'string' && typeof cioId === 'string') found.set(id, cioId);
      }
    }
    if (this.#resolved.size + ids.length > RESOLVED_LIMIT) this.#resolved.clear();
    for (const id of ids) this.#resolved.set(id, found.get(id) ?? null);
    const lookedUp = new Set(ids);
    const released: Resolved[] = [];
    const still: Array<{ record: JsonObject; id: string }> = [];
    for (const entry of this.#waiting) {
      if (lookedUp.has(entry.id)) released.push({ record: entry.record, cioId: found.get(entry.id) ?? null });
      else still.push(entry);
    }
    this.#waiting = still;
    return released;
  }
}

/**
 * When a bulk read searches the people it keeps records for: `always`, or only `withFilter` (a `customers_filter`
 * narrows them; without one, everyone a record names is kept).
 */
type PeopleSearch = 'always' | 'withFilter';

/**
 * The bulk read of a per-person stream whose records a workspace-wide stream lists (deliveries, activities): that
 * stream's cursor and read, its records kept for the people they name (keptForPeople). `search: 'always'` reads
 * the people search whatever the filter (a list that keeps deleted people's records needs it to know who
 * exists). `unnamed` words the warning about records that name nobody.
 */
export function peopleRecordsOf<B extends Cursor>(
  source: Stream<B>,
  options: { search: PeopleSearch; unnamed?: (count: number) => string },
): BulkRead<B> {
  return {
    createCursor: (context, run) => source.createCursor(context, run),
    async *read(context, cursor) {
      const audience =
        options.search === 'always' || hasPeopleFilter(context) ? await readAudience(context) : undefined;
      const unnamed = yield* keptForPeople(context, source.readRecords(context, cursor), audience);
      if (unnamed > 0 && options.unnamed !== undefined) await context.log('WARN', options.unnamed(unnamed));
    },
  };
}

/**
 * A per-person stream read in bulk: the items of a workspace-wide read of the same records (its pages, checkpoints
 * and progress as they come), each record kept for the person it names when `audience` holds them (everyone when
 * undefined), as the person's own endpoint gives it: `{...record, cio_id}`. Records naming their person by
 * `customer_id` only wait for a lookup (PersonResolver); every one waiting is released before each checkpoint
 * and at the end, so a checkpoint still follows every record before it. Returns how many records named nobody.
 */
async function* keptForPeople(
  context: StreamContext,
  items: AsyncIterable<StreamItem>,
  audience: AudienceIds | undefined,
): AsyncGenerator<StreamItem, number> {
  const resolver = new PersonResolver(context);
  const release = async (lookUp: Promise<Resolved[]>, into: JsonObject[] = []) => {
    for (const { record, cioId } of await lookUp) keep(into, record, cioId, audience);
    return into;
  };
  for await (const item of items) {
    if (item === CHECKPOINT) {
      const waited = await release(resolver.flush());
      if (waited.length > 0) yield new RecordBatch(waited);
      yield CHECKPOINT;
      continue;
    }
    const kept: JsonObject[] = [];
    for (const record of recordsIn(item)) {
      const cioId = resolver.cioIdOf(record);
      if (cioId !== undefined) keep(kept, record, cioId, audience);
    }
    if (resolver.due) await release(resolver.flushFull(), kept);
    if (kept.length > 0) yield new RecordBatch(kept);
  }
  const rest = await release(resolver.flush());
  if (rest.length > 0) yield new RecordBatch(rest);
  return resolver.unnamed;
}

/** Adds the record as the person's own endpoint gives it, when the stream covers that person. */
function keep(
  into: JsonObject[],
  record: JsonObject,
  cioId: string | null,
  audience: AudienceIds | undefined,
): void {
  if (cioId === null || (audience !== undefined && !audience.has(cioId))) return;
  into.push({ ...record, cio_id: cioId });
}
