import { isDeepStrictEqual } from 'node:util';
import type { JsonObject } from '@cio-connectors/kit/json';
import { chunks } from '../concurrency.js';
import { FullRefreshCursor, type Resumable, type ResumeTokenCursor, resumeTokenCursor } from '../cursors.js';
import { NotFoundError } from '../errors.js';
import { expectObject } from '../pagination.js';
import { type SliceAnswer, type Stream, type StreamContext, wholeRead } from './base.js';
import { readPeopleBySearch } from './customers.js';
import { readCustomersByExport } from './customers-export.js';
import { recordsIn, type StreamItem } from './items.js';
import { ATTRIBUTE_BATCH, attributesCioId } from './people.js';
import { type BulkRead, PersonCursor, PersonStream } from './person-stream.js';

/** The attribute that holds the topics a person chose: `{"topics": {"topic_1": true, ...}}`, as JSON text. */
const PREFERENCES_ATTRIBUTE = 'cio_subscription_preferences';
/** People asked in turn for the subscription center's header (a 404 is a person deleted meanwhile). */
const HEADER_TRIES = 3;
/** Unknown topic ids named in the warning, at most. */
const NAMED_UNKNOWN_TOPICS = 5;

/**
 * Each person's subscription preferences, as GET /v1/customers/{cio_id}/subscription_preferences answers them:
 * `{id, identifiers, unsubscribed, header, topics: [{id, name, description, subscribed}]}` with the person's
 * cio_id. Per person: one request each. In bulk, the same records joined from what is read in bulk: every
 * person's `cio_subscription_preferences` attribute (the topics they chose) from the people the `customers` stream
 * reads (the search and the attributes lookups, 100 people a request, or one export with `customers_method:
 * export`), and the workspace's topics (GET /v1/subscription_topics: each topic's name, description and default,
 * in the workspace's default language, as the per-person endpoint answers without `language`). Each topic is the
 * person's choice where they made one, else the topic's default, in the order of the topics list; a chosen topic
 * the list lacks (deleted) is left out, as the per-person endpoint lists only the workspace's topics. The
 * subscription center's `header` is the same for everyone: it is taken from one person's own answer, which is
 * also checked against the join (a warning says where they differ). Cost 1 + 1 + ⌈P ÷ 1000⌉ + ⌈P ÷ 100⌉ by
 * search (a full refresh resumes at the search page it reached), or 2 + the export's requests.
 */
export class CustomerSubscriptionPreferencesStream extends PersonStream<
  FullRefreshCursor,
  Resumable<ResumeTokenCursor>
> {
  /** `subscription_topics`: the workspace's topics, each person's choices are joined with. */
  readonly topics: Stream;

  constructor(topics: Stream) {
    super();
    this.topics = topics;
  }

  readonly name = 'customer_subscription_preferences';
  readonly path = '/v1/customers/{cio_id}/subscription_preferences';
  readonly envelopeKey = 'customer';
  readonly primaryKey = [['cio_id']];

  createPersonCursor(): FullRefreshCursor {
    return new FullRefreshCursor();
  }

  override readonly bulk: BulkRead<Resumable<ResumeTokenCursor>> = {
    createCursor: (_context, run) => resumeTokenCursor(run),
    read: (context, cursor) => this.#readInBulk(context, cursor),
  };

  override extract({ path, body }: SliceAnswer): JsonObject[] {
    return [expectObject(body, ['customer'], path)];
  }

  async *#readInBulk(
    context: StreamContext,
    cursor: Resumable<ResumeTokenCursor>,
  ): AsyncGenerator<StreamItem> {
    const topics = await readTopics(context, this.topics);
    const join = new PreferencesJoin(topics, (cioId) => this.#askOne(context, cioId, cursor));
    if (context.config.customersMethod === 'export') {
      // One export is one file with no resume point: a retried attempt starts a new export.
      const people = readCustomersByExport(context, {
        stream: this.name,
        attributes: [PREFERENCES_ATTRIBUTE],
      });
      for await (const batch of chunks(people, ATTRIBUTE_BATCH)) yield* join.recordsOf(batch);
    } else {
      yield* readPeopleBySearch(context, {
        stream: this.name,
        cursor,
        records: (people) => join.recordsOf(people),
      });
    }
    for (const warning of join.warnings(this.name)) await context.log('WARN', warning);
  }

  /** One person's own answer (this stream's per-person read of them), or undefined when they are gone (404). */
  async #askOne(
    context: StreamContext,
    cioId: string,
    cursor: Resumable<ResumeTokenCursor>,
  ): Promise<JsonObject | undefined> {
    const person = { cio_id: cioId };
    const slice = { path: this.pathFor(person) };
    try {
      for await (const item of this.readSlice(context, slice, person, PersonCursor.inBulk(cursor))) {
        const [record] = recordsIn(item);
        if (record !== undefined) return this.withParent(record, person);
      }
      return undefined;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }
}

/** A subscription topic as the join needs it. */
export interface Topic {
  id: unknown;
  /** How a person's attribute names it: `topic_<id>`. */
  identifier: string;
  name: unknown;
  description: unknown;
  subscribedByDefault: boolean;
}

/** Every topic of the workspace, in the list's order (one request), read by the `subscription_topics` stream. */
async function readTopics(context: StreamContext, stream: Stream): Promise<Topic[]> {
  const topics: JsonObject[] = [];
  for await (const topic of wholeRead(stream, context)) topics.push(topic);
  return topics.map((topic) => ({
    id: topic.id ?? null,
    identifier: typeof topic.identifier === 'string' ? topic.identifier : `topic_${String(topic.id)}`,
    name: topic.name ?? null,
    description: topic.description ?? null,
    subscribedByDefault: topic.subscribed_by_default === true,
  }));
}

/**
 * The topics a person chose, by identifier, from their `cio_subscription_preferences` attribute (JSON text);
 * none when they have no such attribute, undefined when it is not `{"topics": {...}}`. Choices that are not
 * booleans are left out.
 */
export function chosenTopics(value: unknown): Map<string, boolean> | undefined {
  if (value === undefined || value === null || value === '') return new Map();
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!isObject(parsed)) return undefined;
  const topics = parsed.topics ?? {};
  if (!isObject(topics)) return undefined;
  const chosen = new Map<string, boolean>();
  for (const [identifier, subscribed] of Object.entries(topics)) {
    if (typeof subscribed === 'boolean') chosen.set(identifier, subscribed);
  }
  return chosen;
}

interface Sample {
  cioId: string;
  record: JsonObject;
}

/**
 * The join of people (items of the attributes lookup, or `customers` records of an export: both carry
 * `identifiers`, `attributes` and `unsubscribed`) with the topics, into the per-person endpoint's records. The
 * first batch's first person who still exists is asked for their own record: its `header` goes into every record.
 */
export class PreferencesJoin {
  readonly #topics: readonly Topic[];
  readonly #known: ReadonlySet<string>;
  readonly #askOne: (cioId: string) => Promise<JsonObject | undefined>;
  #sample: Promise<Sample | undefined> | undefined;
  #header: { value: unknown } | undefined;
  readonly #unknownTopics = new Set<string>();
  #peopleWithUnknownTopics = 0;
  #malformed = 0;
  #asked = 0;
  #answered = false;
  #difference: string | undefined;

  constructor(topics: readonly Topic[], askOne: (cioId: string) => Promise<JsonObject | undefined>) {
    this.#topics = topics;
    this.#known = new Set(topics.map((topic) => topic.identifier));
    this.#askOne = askOne;
  }

  async *recordsOf(people: JsonObject[]): AsyncGenerator<JsonObject> {
    if (people.length === 0) return;
    this.#sample ??= this.#takeSample(people);
    const sample = await this.#sample;
    for (const person of people) {
      const cioId = attributesCioId(person);
      yield sample?.cioId === cioId ? sample.record : this.#derive(person, cioId);
    }
  }

  async #takeSample(people: JsonObject[]): Promise<Sample | undefined> {
    for (const person of people) {
      if (this.#asked === HEADER_TRIES) break;
      const cioId = attributesCioId(person);
      this.#asked += 1;
      const record = await this.#askOne(cioId);
      if (record === undefined) continue;
      this.#answered = true;
      this.#header = 'header' in record ? { value: record.header ?? null } : undefined;
      this.#difference = differingKeys(this.#derive(person, cioId), record);
      return { cioId, record };
    }
    this.#header = { value: null };
    return undefined;
  }

  #derive(person: JsonObject, cioId: string): JsonObject {
    const identifiers = isObject(person.identifiers) ? person.identifiers : {};
    const attributes = isObject(person.attributes) ? person.attributes : {};
    const id = identifiers.id ?? attributes.id ?? null;
    const email = identifiers.email ?? attributes.email ?? null;
    const parsed = chosenTopics(attributes[PREFERENCES_ATTRIBUTE]);
    if (parsed === undefined) this.#malformed += 1;
    const chosen = parsed ?? new Map<string, boolean>();
    const unknown = [...chosen.keys()].filter((identifier) => !this.#known.has(identifier));
    if (unknown.length > 0) this.#peopleWithUnknownTopics += 1;
    for (const identifier of unknown) this.#unknownTopics.add(identifier);
    return {
      id,
      identifiers: { cio_id: cioId, email, id },
      unsubscribed: unsubscribedOf(person),
      ...(this.#header === undefined ? {} : { header: this.#header.value }),
      topics: this.#topics.map((topic) => ({
        id: topic.id,
        name: topic.name,
        description: topic.description,
        subscribed: chosen.get(topic.identifier) ?? topic.subscribedByDefault,
      })),
      cio_id: cioId,
    };
  }

  /** What the read has to say once it is done. */
  warnings(stream: string): string[] {
    const warnings: string[] = [];
    if (this.#asked > 0 && this.#answered === false) {
      warnings.push(
        `${stream}: none of the ${this.#asked} people asked for the subscription center's header (GET /v1/customers/{cio_id}/subscription_preferences) still existed (404); header is null in every record.`,
      );
    }
    if (this.#difference !== undefined) {
      warnings.push(
        `${stream}: the record joined from the cio_subscription_preferences attribute and GET /v1/subscription_topics differs from the one GET /v1/customers/{cio_id}/subscription_preferences answers for the person it was checked on (in ${this.#difference}); the other people's records are joined the same way. Set per_person_method to "per_person" to read every person's own answer.`,
      );
    }
    if (this.#peopleWithUnknownTopics > 0) {
      const named = [...this.#unknownTopics].slice(0, NAMED_UNKNOWN_TOPICS).join(', ');
      const more = this.#unknownTopics.size > NAMED_UNKNOWN_TOPICS ? ', …' : '';
      warnings.push(
        `${stream}: ${people(this.#peopleWithUnknownTopics)} chose topics that GET /v1/subscription_topics does not list (${named}${more}: deleted topics); their records leave them out, as the per-person endpoint lists only the workspace's topics.`,
      );
    }
    if (this.#malformed > 0) {
      warnings.push(
        `${stream}: ${people(this.#malformed)} with a cio_subscription_preferences attribute that is not {"topics": {...}}; their records give each topic's default.`,
      );
    }
    return warnings;
  }
}

function people(count: number): string {
  return count === 1 ? '1 person' : `${count} people`;
}

/** The person's `unsubscribed` flag: the lookup's boolean, else the attribute (an export's column). */
function unsubscribedOf(person: JsonObject): boolean | null {
  if (typeof person.unsubscribed === 'boolean') return person.unsubscribed;
  const attribute = isObject(person.attributes) ? person.attributes.unsubscribed : undefined;
  if (attribute === 'true' || attribute === true) return true;
  if (attribute === 'false' || attribute === false) return false;
  return null;
}

/** The top-level keys whose values differ between two records (whatever their key order), or undefined. */
function differingKeys(joined: JsonObject, answered: JsonObject): string | undefined {
  const keys = [...new Set([...Object.keys(joined), ...Object.keys(answered)])];
  const differing = keys.filter((key) => !isDeepStrictEqual(joined[key], answered[key]));
  return differing.length === 0 ? undefined : differing.join(', ');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
