import type { JsonObject } from '@cio-connectors/kit/json';
import { mergeConcurrent } from '../concurrency.js';
import { FullRefreshCursor } from '../cursors.js';
import { NotFoundError } from '../errors.js';
import { AudienceIds } from './audience.js';
import { fullRead, type Stream, type StreamContext, wholeRead } from './base.js';
import { recordsIn } from './items.js';
import { list } from './lists.js';
import type { ObjectsStream } from './objects.js';
import { PersonStream } from './person-stream.js';

const RELATIONSHIPS_PAGE_SIZE = 100;
/** Objects are looked through only while they are at most this share of the people. */
const MAX_OBJECTS_PER_PERSON = 0.1;

/**
 * Each person's relationships to objects, with the relationship's attributes and timestamps, which only
 * GET /v1/customers/{id}/relationships gives (the object side, GET /v1/objects/{type}/{id}/relationships, names
 * the related people but not the relationship's attributes). So the records are always read per person; in bulk
 * the object side first tells which people have any relationship, and only they are asked: the others would
 * answer an empty list. That look costs 1 + ⌈objects ÷ 1000⌉ per type + ⌈related people ÷ 100⌉ per object, so
 * it is taken only when the objects are at most a tenth of the people (else per person is as cheap).
 */
export class CustomerRelationshipsStream extends PersonStream<FullRefreshCursor> {
  readonly objectTypes: Stream;
  readonly objects: ObjectsStream;

  constructor(objectTypes: Stream, objects: ObjectsStream) {
    super();
    this.objectTypes = objectTypes;
    this.objects = objects;
  }

  readonly name = 'customer_relationships';
  readonly path = '/v1/customers/{cio_id}/relationships';
  readonly envelopeKey = 'cio_relationships';
  readonly primaryKey = [['cio_id'], ['object_type_id'], ['object_id']];
  override readonly pagesMayRepeat = true;
  override readonly pageSize = 100;

  createPersonCursor(): FullRefreshCursor {
    return new FullRefreshCursor();
  }

  override transform(item: unknown): JsonObject {
    const relationship = item as JsonObject;
    const identifiers = (relationship.identifiers ?? {}) as JsonObject;
    return {
      ...relationship,
      object_id: identifiers.object_id ?? null,
      cio_object_id: identifiers.cio_object_id ?? null,
    };
  }

  override async peopleWithRecords(context: StreamContext, people: number): Promise<AudienceIds | undefined> {
    if (context.config.perPersonMethod !== 'bulk') return undefined;
    const objects = await this.#objects(context, Math.floor(people * MAX_OBJECTS_PER_PERSON));
    if (objects === undefined) {
      await context.log(
        'INFO',
        `${this.name}: more than ${MAX_OBJECTS_PER_PERSON * 100}% as many objects as people; every person is read.`,
      );
      return undefined;
    }
    const related = new AudienceIds();
    const reads = mergeConcurrent(objects, context.partitionConcurrency, (object) =>
      this.#relatedPeople(context, object),
    );
    for await (const cioId of reads) related.add(cioId);
    related.seal();
    await context.log(
      'INFO',
      `${this.name}: ${objects.length} objects are related to ${related.size} people; only they are read.`,
    );
    return related;
  }

  /** Every object as {type, id}, or undefined once there are more than `limit`. */
  async #objects(
    context: StreamContext,
    limit: number,
  ): Promise<Array<{ type: string; id: string }> | undefined> {
    const objects: Array<{ type: string; id: string }> = [];
    for await (const type of wholeRead(this.objectTypes, context)) {
      for (const slice of this.objects.slices(context, type)) {
        // The search alone: each object's attributes are the objects stream's lookup, not asked here.
        for await (const item of this.objects.readSlice(context, slice, type, this.objects.createCursor())) {
          for (const identifier of recordsIn(item)) {
            objects.push({ type: String(type.id), id: String(identifier.object_id) });
          }
          if (objects.length > limit) return undefined;
        }
      }
    }
    return objects;
  }

  async *#relatedPeople(
    context: StreamContext,
    object: { type: string; id: string },
  ): AsyncGenerator<string> {
    const path = `/v1/objects/${encodeURIComponent(object.type)}/${encodeURIComponent(object.id)}/relationships`;
    const slice = { path, params: { id_type: 'object_id' } };
    const cursor = OBJECT_RELATIONSHIPS.createCursor(context, fullRead(context.now));
    try {
      for await (const item of OBJECT_RELATIONSHIPS.readSlice(context, slice, undefined, cursor)) {
        for (const relationship of recordsIn(item)) {
          const cioId = ((relationship.identifiers ?? {}) as JsonObject).cio_id;
          if (typeof cioId === 'string' && cioId !== '') yield cioId;
        }
      }
    } catch (error) {
      // An object deleted since the search has no relationships left to find.
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
}

/** The object side of relationships: the people related to one object (not a stream of the catalog). */
const OBJECT_RELATIONSHIPS = list({
  name: 'object_relationships',
  path: '/v1/objects/{object_type_id}/{object_id}/relationships',
  envelopeKey: 'cio_relationships',
  pageSize: RELATIONSHIPS_PAGE_SIZE,
  probe: null,
});
