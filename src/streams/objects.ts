import type { JsonObject } from '@cio-connectors/kit/json';
import { answerId } from '../answer-ids.js';
import { FullRefreshCursor } from '../cursors.js';
import { expectObject } from '../pagination.js';
import type { Slice, Stream, StreamContext } from './base.js';
import { ChildStream } from './child-stream.js';
import type { RecordLookup } from './lookups.js';

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
  /** The type's id rides on each listed object under SEARCHED_TYPE (a slice field) for its lookup. */
  readonly parentFields = {};

  constructor(parent: Stream) {
    super();
    this.parent = parent;
  }

  override readonly lookup = objectAttributes;

  createCursor(): FullRefreshCursor {
    return new FullRefreshCursor();
  }

  override slices(_context: StreamContext, type: JsonObject): Slice[] {
    const typeId = answerId(type.id, 'id', 'an object type (GET /v1/object_types)');
    const everyObject = { object_attribute: { field: 'object_id', operator: 'exists', type_id: typeId } };
    return [
      {
        body: { object_type_id: typeId, filter: { and: [everyObject] } },
        fields: { [SEARCHED_TYPE]: typeId },
      },
    ];
  }
}

/** Where a listed object carries its type's id until its lookup builds the record (never emitted). */
const SEARCHED_TYPE = '__searched_object_type_id';

/**
 * An object's attributes and timestamps (GET /v1/objects/{type}/{id}/attributes) for an object the search
 * listed (`{object_id, cio_object_id}`, with its type's id); one deleted since is skipped with a warning.
 */
const objectAttributes: RecordLookup = {
  path: (listed) => {
    const { typeId, objectId } = idsOf(listed);
    return `/v1/objects/${encodeURIComponent(typeId)}/${encodeURIComponent(objectId)}/attributes`;
  },
  params: { id_type: 'object_id' },
  complete: (listed, answer, path) => {
    const object = expectObject(answer, ['object'], path);
    const { typeId, objectId } = idsOf(listed);
    const { [SEARCHED_TYPE]: _type, ...searched } = listed;
    const identifiers = (object.identifiers ?? searched) as JsonObject;
    return {
      object_type_id: String(object.object_type_id ?? typeId),
      object_id: identifiers.object_id ?? objectId,
      cio_object_id: identifiers.cio_object_id ?? listed.cio_object_id ?? null,
      identifiers,
      attributes: object.attributes ?? null,
      timestamps: object.timestamps ?? null,
    };
  },
  whenGone: (listed) => {
    const { typeId, objectId } = idsOf(listed);
    return `object ${typeId}/${objectId} was deleted during the sync; skipped.`;
  },
};

function idsOf(listed: JsonObject): { typeId: string; objectId: string } {
  return {
    typeId: answerId(listed[SEARCHED_TYPE], 'id', 'an object type (GET /v1/object_types)'),
    objectId: answerId(listed.object_id, 'object_id', 'an object in the object search (POST /v1/objects)'),
  };
}
