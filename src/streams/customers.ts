import { isRefusal } from '@cio-connectors/kit/http-errors';
import type { JsonObject } from '@cio-connectors/kit/json';
import { chunks, mergeConcurrent } from '../concurrency.js';
import { type CursorInput, type Resumable, type ResumeTokenCursor, resumeTokenCursor } from '../cursors.js';
import { UnexpectedResponseError } from '../errors.js';
import { type Probe, Stream, type StreamContext } from './base.js';
import { readCustomersByExport } from './customers-export.js';
import { CHECKPOINT, type StreamItem } from './items.js';
import {
  ATTRIBUTE_BATCH,
  ATTRIBUTES_PATH,
  PEOPLE,
  peopleIn,
  readAttributes,
  searchPeople,
} from './people.js';

/** More of the searched people missing from the attributes answers than this share is a failing lookup. */
const MAX_MISSING_PEOPLE_SHARE = 0.5;

/** Everyone matching `customers_filter`: search for cio_ids, then fetch attributes 100 people at a time. */
export class CustomersStream extends Stream<Resumable<ResumeTokenCursor>> {
  readonly name = 'customers';
  readonly path = ATTRIBUTES_PATH;
  readonly envelopeKey = 'customers';
  readonly primaryKey = [['cio_id']];
  override readonly resumableFullRefresh = true;

  override get probe(): Probe {
    return PEOPLE.probe;
  }

  createCursor(_context: StreamContext, run: CursorInput): Resumable<ResumeTokenCursor> {
    return resumeTokenCursor(run);
  }

  /**
   * The search's pages are hydrated one at a time (several batches at once), so that after each page the next
   * page's token is a resume point: a long full refresh checkpoints it, and a retried attempt resumes there.
   */
  override async *readRecords(
    context: StreamContext,
    cursor: Resumable<ResumeTokenCursor>,
  ): AsyncGenerator<StreamItem> {
    // One export is one file with no resume point: a retried attempt starts a new export.
    if (context.config.customersMethod === 'export') {
      yield* readCustomersByExport(context);
      return;
    }
    yield* readPeopleBySearch(context, {
      stream: this.name,
      cursor,
      records: (people) => this.#records(context, people),
    });
  }

  async *#records(context: StreamContext, people: JsonObject[]): AsyncGenerator<JsonObject> {
    for (const person of people) yield this.transform(person, context);
  }

  override transform(item: unknown, context: StreamContext): JsonObject {
    const person = ((item as JsonObject).customer ?? item) as JsonObject;
    const identifiers = (person.identifiers ?? {}) as JsonObject;
    const attributes = (person.attributes ?? {}) as JsonObject;
    return {
      cio_id: identifiers.cio_id ?? attributes.cio_id,
      // Not `person.id`: looked up by cio_id, that is the cio_id, even for people who have no id.
      id: identifiers.id ?? attributes.id ?? null,
      email: identifiers.email ?? attributes.email ?? null,
      identifiers: person.identifiers ?? null,
      attributes: keepAttributes(attributes, context.config.customerAttributes),
      timestamps: person.timestamps ?? null,
      unsubscribed: person.unsubscribed ?? null,
      devices: person.devices ?? [],
    };
  }
}

/** How a stream reads everyone matching `customers_filter` by the people search and the attributes lookups. */
export interface PeopleSearchRead {
  /** The stream that reads (the prefix of its messages). */
  stream: string;
  /** Where a full refresh resumes (the next search page's token); undefined: no resume point is kept. */
  cursor: Resumable<ResumeTokenCursor> | undefined;
  /** The stream's records of up to 100 people, each an item of the attributes lookup. */
  records(people: JsonObject[]): AsyncIterable<JsonObject>;
}

/**
 * Everyone matching `customers_filter`: the whole search first (its pages' cio_ids held in 8 bytes a person), so
 * the stream knows how many people it reads before it starts (its progress estimate) at no extra request; then
 * their attributes, 100 people a request, page by page, with a checkpoint after each page. Only a saved token
 * the API refuses starts over; a failure later in the read is a failure.
 */
export async function* readPeopleBySearch(
  context: StreamContext,
  read: PeopleSearchRead,
): AsyncGenerator<StreamItem> {
  const saved = read.cursor?.strategy.savedToken;
  // Only the first request carries the saved token: a refusal after the search answered it is no verdict on it.
  let tokenAccepted = false;
  try {
    yield* readFrom(context, read, saved, () => {
      tokenAccepted = true;
    });
  } catch (error) {
    if (tokenAccepted || saved === undefined || !isRefusal(error)) throw error;
    await context.log(
      'WARN',
      `${read.stream}: the saved search position was refused (${error.message}); starting over.`,
    );
    yield* readFrom(context, read, undefined);
  }
}

async function* readFrom(
  context: StreamContext,
  read: PeopleSearchRead,
  start: string | undefined,
  onAnswered?: () => void,
): AsyncGenerator<StreamItem> {
  const pages = await searchPeople(context, start, onAnswered);
  context.progress.report({ rows: peopleIn(pages) });
  const tally = { searched: 0, found: 0 };
  // Each page is let go once read: memory falls as the read goes.
  for (let page = pages.shift(); page !== undefined; page = pages.shift()) {
    const batches = chunks(page.ids.toArray(), ATTRIBUTE_BATCH);
    yield* mergeConcurrent(batches, context.partitionConcurrency, (people) =>
      readBatch(context, read, people, tally),
    );
    if (read.cursor !== undefined && page.next !== undefined) {
      read.cursor.strategy.advance(page.next);
      yield CHECKPOINT;
    }
  }
  await checkFound(context, read.stream, tally);
}

async function* readBatch(
  context: StreamContext,
  read: PeopleSearchRead,
  people: string[],
  tally: { searched: number; found: number },
): AsyncGenerator<JsonObject> {
  const attributes = await readAttributes(context, people);
  tally.searched += people.length;
  tally.found += attributes.length;
  yield* read.records(attributes);
}

/**
 * The attributes lookup leaves out people it does not know: a few deleted between the search and the lookup,
 * normally. When it leaves out most of them, the lookup itself is failing (ids it does not take), and
 * completing would hand the destination an emptied table.
 */
async function checkFound(
  context: StreamContext,
  stream: string,
  tally: { searched: number; found: number },
): Promise<void> {
  const missing = tally.searched - tally.found;
  if (missing <= 0) return;
  const counts = `${tally.found} of the ${tally.searched} people the search found`;
  if (missing > tally.searched * MAX_MISSING_PEOPLE_SHARE) {
    throw new UnexpectedResponseError(
      `the attributes lookup (POST /v1/customers/attributes) answered for only ${counts}: not people deleted during the sync but a lookup that fails, so the stream stops rather than complete without them. Retry later; report it if it persists.`,
    );
  }
  await context.log(
    'WARN',
    `${stream}: the attributes lookup answered for ${counts}; the ${missing} others were presumably deleted during the sync (Customer.io leaves unknown people out) and are not emitted.`,
  );
}

function keepAttributes(attributes: JsonObject, names: readonly string[]): JsonObject {
  if (names.length === 0) return attributes;
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => names.includes(name)));
}
