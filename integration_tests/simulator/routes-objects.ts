// Object types, object search (POST /v1/objects), object attributes and the people related to an object
// (reference §5.11).

import { peoplePageFrom } from './audience.js';
import { get, invalid, type Parsed, pathIdString, post } from './catalog-params.js';
import type { CioObject } from './catalog-records.js';
import { nextToken, pageAt, parseLimit, startOffset } from './pagination.js';
import type { Person } from './records-audience.js';
import { badRequest, notFound, ok } from './responses.js';
import type { ApiResponse, RouteContext, RouteDefinition } from './router.js';

export const DEFAULT_OBJECT_SEARCH_LIMIT = 50;
export const MAX_OBJECT_SEARCH_LIMIT = 1000;
export const DEFAULT_OBJECT_RELATIONSHIPS_LIMIT = 50;
export const MAX_OBJECT_RELATIONSHIPS_LIMIT = 1000;

type Predicate = (object: CioObject) => boolean;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldValue(object: CioObject, field: string): string | undefined {
  if (field === 'object_id' || field === 'cio_object_id') return object.identifiers[field];
  return object.attributes[field];
}

function condition(spec: unknown, typeId: string): Parsed<Predicate> {
  if (!isRecord(spec) || typeof spec.field !== 'string' || spec.field === '') {
    return invalid('object_attribute needs a field');
  }
  if (String(spec.type_id) !== typeId) return invalid('object_attribute.type_id must match object_type_id');
  const field = spec.field;
  if (spec.operator === 'exists')
    return { ok: true, value: (object) => fieldValue(object, field) !== undefined };
  if (spec.operator !== 'eq') return invalid('object_attribute.operator must be eq or exists');
  if (spec.value === undefined || spec.value === null) return invalid('object_attribute eq needs a value');
  const expected = String(spec.value);
  return { ok: true, value: (object) => fieldValue(object, field) === expected };
}

/** A filter of `object_attribute` conditions combined with and/or (arrays) and not (one filter). */
export function compileObjectFilter(filter: unknown, typeId: string): Parsed<Predicate> {
  if (!isRecord(filter)) return invalid('filter must be an object');
  const keys = Object.keys(filter);
  const [key] = keys;
  if (keys.length !== 1 || key === undefined) return invalid('a filter has exactly one key');
  const value = filter[key];
  switch (key) {
    case 'and':
    case 'or': {
      if (!Array.isArray(value)) return invalid(`${key} must be an array`);
      const parts: Predicate[] = [];
      for (const part of value) {
        const compiled = compileObjectFilter(part, typeId);
        if (!compiled.ok) return compiled;
        parts.push(compiled.value);
      }
      const combine: Predicate =
        key === 'and' ? (object) => parts.every((p) => p(object)) : (object) => parts.some((p) => p(object));
      return { ok: true, value: combine };
    }
    case 'not': {
      const compiled = compileObjectFilter(value, typeId);
      return compiled.ok ? { ok: true, value: (object) => !compiled.value(object) } : compiled;
    }
    case 'object_attribute':
      return condition(value, typeId);
    default:
      return invalid(`unsupported filter key: ${key}`);
  }
}

/** An unknown object type answers an empty result, like a filter matching nothing. */
function searchObjects(context: RouteContext): ApiResponse {
  const { body } = context;
  if (!isRecord(body)) return badRequest('a JSON body with object_type_id and filter is required');
  const typeId = body.object_type_id;
  if ((typeof typeId !== 'string' && typeof typeId !== 'number') || !/^[1-9]\d*$/.test(String(typeId))) {
    return badRequest('object_type_id is required');
  }
  const filter = compileObjectFilter(body.filter, String(typeId));
  if (!filter.ok) return filter.response;
  const offset = startOffset(context.query.get('start'));
  if (offset === undefined) return badRequest('invalid start token');
  const limit = parseLimit(context.query.get('limit'), DEFAULT_OBJECT_SEARCH_LIMIT, MAX_OBJECT_SEARCH_LIMIT);
  if (!limit.ok) return badRequest('limit must be a positive integer');
  const matches = context.workspace.objects.filter(
    (object) => object.object_type_id === String(typeId) && filter.value(object),
  );
  const page = pageAt(matches, offset, limit.limit);
  const previous = context.repeatPageEdges === true && offset > 0 ? matches[offset - 1] : undefined;
  const items = previous === undefined ? page.items : [previous, ...page.items];
  return ok({
    identifiers: items.map((object) => ({ ...object.identifiers })),
    ids: items.map((object) => object.identifiers.object_id),
    next: nextToken(page.nextOffset),
  });
}

function objectAttributes(context: RouteContext): ApiResponse {
  const typeId = pathIdString(context, 'object_type_id');
  if (!typeId.ok) return typeId.response;
  const idType = context.query.get('id_type') || 'object_id';
  if (idType !== 'object_id' && idType !== 'cio_object_id') return badRequest(`invalid id_type: ${idType}`);
  const id = context.params.object_id ?? '';
  const object = context.workspace.objects.find(
    (candidate) => candidate.object_type_id === typeId.value && candidate.identifiers[idType] === id,
  );
  return object ? ok({ object }) : notFound(`object ${id} of type ${typeId.value} not found`);
}

/** The object a path names (by object_id or cio_object_id), or a 400/404 answer. */
function pathObject(context: RouteContext): Parsed<CioObject> {
  const typeId = pathIdString(context, 'object_type_id');
  if (!typeId.ok) return typeId;
  const idType = context.query.get('id_type') || 'object_id';
  if (idType !== 'object_id' && idType !== 'cio_object_id') {
    return { ok: false, response: badRequest(`invalid id_type: ${idType}`) };
  }
  const id = context.params.object_id ?? '';
  const object = context.workspace.objects.find(
    (candidate) => candidate.object_type_id === typeId.value && candidate.identifiers[idType] === id,
  );
  return object
    ? { ok: true, value: object }
    : { ok: false, response: notFound(`object ${id} of type ${typeId.value} not found`) };
}

/**
 * GET /v1/objects/{type}/{id}/relationships: the people related to the object, by offset pages, as the spec
 * gives them (identifiers and the type, not the relationship's attributes).
 */
function objectRelationships(context: RouteContext): ApiResponse {
  const object = pathObject(context);
  if (!object.ok) return object.response;
  const offset = startOffset(context.query.get('start'));
  if (offset === undefined) return badRequest('invalid start token');
  const limit = parseLimit(
    context.query.get('limit'),
    DEFAULT_OBJECT_RELATIONSHIPS_LIMIT,
    MAX_OBJECT_RELATIONSHIPS_LIMIT,
  );
  if (!limit.ok) return badRequest('limit must be a positive integer');
  const { object_type_id: typeId, identifiers } = object.value;
  const relatedToObject = (person: Person) =>
    person.relationships.some(
      (relationship) =>
        String(relationship.object_type_id) === typeId && relationship.object_id === identifiers.object_id,
    );
  // Tokens are positions among the people (see peoplePageFrom): a million people are scanned once, not per page.
  const page = peoplePageFrom(context.workspace, relatedToObject, offset, limit.limit);
  // A repeat of the page before's last person: the first of this page again (found from the offset before).
  const repeated =
    context.repeatPageEdges === true && offset > 0
      ? peoplePageFrom(context.workspace, relatedToObject, offset - 1, 1).items
      : [];
  return ok({
    cio_relationships: [...repeated, ...page.items].map((person) => ({
      identifiers: { cio_id: person.cio_id, email: person.email, id: person.id },
      object_type_id: typeId,
      object_type_disabled: false,
    })),
    next: nextToken(page.nextOffset),
  });
}

export const OBJECT_ROUTES: readonly RouteDefinition[] = [
  get('/v1/object_types', ({ workspace }) => ok({ types: workspace.objectTypes })),
  post('/v1/objects', searchObjects),
  get('/v1/objects/:object_type_id/:object_id/attributes', objectAttributes),
  get('/v1/objects/:object_type_id/:object_id/relationships', objectRelationships),
];
