import type { JsonObject } from '@cio-connectors/kit/json';
import { answerId } from '../answer-ids.js';
import { mergeConcurrent } from '../concurrency.js';
import { FullRefreshCursor } from '../cursors.js';
import { NotFoundError } from '../errors.js';
import { expectObject } from '../pagination.js';
import type { Slice, Stream, StreamContext } from './base.js';
import { ChildStream } from './child-stream.js';
import { eachRecord } from './items.js';

/** Every object of every object type: search the type's object ids, then read each object's attributes. */
export class ObjectsStream extends ChildStream<FullRefreshCursor> {
  readonly name = 'objects';
  readonly path = '/v1/objects';
  readonly envelopeKey = 'identifiers';
  readonly primaryKey = [['object_type_id'], ['object_id']];
  override readonly pagesMayRepeat = true;
  override readonly method = 'POST';
  override readonly pageSize = 1000;
  readonly parent: Stream;
  readonly parentFields = { object_type_id: 'id' };

  constructor(parent: Stream) {
    super();
    this.parent = parent;
  }

  createCursor(): FullRefreshCursor {
    return new FullRefreshCursor();
  }

  override slices(_context: StreamContext, type: JsonObject): Slice[] {
    const typeId = answerId(type.id, 'id', 'an object type (GET /v1/object_types)');
    const everyObject = { object_attribute: { field: 'object_id', operator: 'exists', type_id: typeId } };
    return [{ body: { object_type_id: typeId, filter: { and: [everyObject] } } }];
  }

  override async *readSlice(
    context: StreamContext,
    slice: Slice,
    type: JsonObject | undefined,
    cursor: FullRefreshCursor,
  ): AsyncGenerator<JsonObject> {
    const typeId = answerId(type?.id, 'id', 'an object type (GET /v1/object_types)');
    const identifiers = eachRecord(super.readSlice(context, slice, type, cursor));
    yield* mergeConcurrent(identifiers, context.partitionConcurrency, (identifier) =>
      this.#readObject(context, typeId, identifier),
    );
  }

  async *#readObject(
    context: StreamContext,
    typeId: string,
    identifier: JsonObject,
  ): AsyncGenerator<JsonObject> {
    const objectId = answerId(
      identifier.object_id,
      'object_id',
      'an object in the object search (POST /v1/objects)',
    );
    const path = `/v1/objects/${encodeURIComponent(typeId)}/${encodeURIComponent(objectId)}/attributes`;
    let body: JsonObject;
    try {
      body = await context.client.get(path, { id_type: 'object_id' });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      await context.log(
        'WARN',
        `objects: object ${typeId}/${objectId} was deleted during the sync; skipped.`,
      );
      return;
    }
    const object = expectObject(body, ['object'], path);
    const identifiers = (object.identifiers ?? identifier) as JsonObject;
    yield {
      object_type_id: String(object.object_type_id ?? typeId),
      object_id: identifiers.object_id ?? objectId,
      cio_object_id: identifiers.cio_object_id ?? identifier.cio_object_id ?? null,
      identifiers,
      attributes: object.attributes ?? null,
      timestamps: object.timestamps ?? null,
    };
  }
}
