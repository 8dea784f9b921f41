// People (search, attributes, per-person segments/messages/activities/relationships) and segment
// membership and usage.

import {
  activitiesFor,
  customerAttributesItem,
  findPerson,
  MESSAGES_MAX_SPAN_SECONDS,
  peoplePageFrom,
  personRelationships,
  personSegments,
  requestWindow,
  segmentMembers,
  segmentMembersPage,
  segmentUsage,
} from './audience.js';
import { idType, limit, optionalInteger, type Parsed, pathId, route, startToken } from './audience-params.js';
import { deliveryPage } from './deliveries.js';
import { encodePageToken, nextToken, pageAt } from './pagination.js';
import { parsePeopleFilter } from './people-filter.js';
import type { Person } from './records-audience.js';
import { badRequest, notFound, ok } from './responses.js';
import type { ApiResponse, RouteContext, RouteDefinition } from './router.js';
import {
  DEFAULT_ACTIVITIES_LIMIT,
  DEFAULT_MESSAGES_LIMIT,
  MAX_ACTIVITIES_LIMIT,
  MAX_MESSAGES_LIMIT,
} from './routes-messages.js';

export const DEFAULT_SEARCH_LIMIT = 50;
export const MAX_SEARCH_LIMIT = 1000;
export const MAX_ATTRIBUTE_IDS = 100;
export const DEFAULT_MEMBERSHIP_LIMIT = 1000;
export const MAX_MEMBERSHIP_LIMIT = 30_000;
export const DEFAULT_RELATIONSHIPS_LIMIT = 50;
export const MAX_RELATIONSHIPS_LIMIT = 1000;

function identifierLists(people: readonly Person[]) {
  return {
    identifiers: people.map((person) => ({ cio_id: person.cio_id, email: person.email, id: person.id })),
    ids: people.map((person) => person.id ?? ''),
  };
}

function bodyObject(context: RouteContext): Record<string, unknown> | undefined {
  const { body } = context;
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

/** POST /v1/customers: people matching `{"filter": F}`, by offset pages. */
function searchPeople(context: RouteContext): ApiResponse {
  const offset = startToken(context);
  const size = limit(context, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT);
  if (!offset.ok) return offset.response;
  if (!size.ok) return size.response;
  const body = bodyObject(context);
  if (body === undefined || !('filter' in body)) return badRequest('the body must be {"filter": ...}');
  const filter = parsePeopleFilter(body.filter);
  if (!filter.ok) return badRequest(filter.error);
  const page = peoplePageFrom(context.workspace, filter.matches, offset.value ?? 0, size.value);
  return ok({ ...identifierLists(page.items), next: nextToken(page.nextOffset) });
}

/** POST /v1/customers/attributes: up to 100 ids of one id_type; unknown ids are left out. */
function peopleAttributes(context: RouteContext): ApiResponse {
  const type = idType(context);
  if (!type.ok) return type.response;
  const ids = bodyObject(context)?.ids;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string')) {
    return badRequest('the body must be {"ids": [string, ...]}');
  }
  if (ids.length > MAX_ATTRIBUTE_IDS) return badRequest(`at most ${MAX_ATTRIBUTE_IDS} ids per request`);
  const found = new Set<Person>();
  for (const id of ids as string[]) {
    const person = findPerson(context.workspace, id, type.value);
    if (person !== undefined) found.add(person);
  }
  return ok({ customers: [...found].map(customerAttributesItem) });
}

/** The person a `/v1/customers/{customer_id}/...` path names, or a 400/404 answer. */
function pathPerson(context: RouteContext): Parsed<Person> {
  const type = idType(context);
  if (!type.ok) return type;
  const value = context.params.customer_id ?? '';
  const person = findPerson(context.workspace, value, type.value, true);
  return person === undefined
    ? { ok: false, response: notFound(`customer ${value} not found`) }
    : { ok: true, value: person };
}

export function withPerson(use: (context: RouteContext, person: Person) => ApiResponse) {
  return (context: RouteContext): ApiResponse => {
    const person = pathPerson(context);
    return person.ok ? use(context, person.value) : person.response;
  };
}

function personMessages(context: RouteContext, person: Person): ApiResponse {
  const resume = startToken(context);
  const size = limit(context, DEFAULT_MESSAGES_LIMIT, MAX_MESSAGES_LIMIT);
  const startTs = optionalInteger(context, 'start_ts');
  const endTs = optionalInteger(context, 'end_ts');
  if (!resume.ok) return resume.response;
  if (!size.ok) return size.response;
  if (!startTs.ok) return startTs.response;
  if (!endTs.ok) return endTs.response;
  if (startTs.value !== undefined && endTs.value !== undefined && startTs.value > endTs.value) {
    return badRequest('start_ts must not be after end_ts');
  }
  const { deliveries } = context.workspace;
  const window = requestWindow(startTs.value, endTs.value, MESSAGES_MAX_SPAN_SECONDS);
  const page = deliveryPage(
    deliveries,
    deliveries.personRows(person.cio_id),
    window,
    {},
    resume.value,
    size.value,
  );
  const empty = page.items.length === 0 && resume.value === undefined;
  return ok({
    messages: empty ? null : page.items,
    next: page.nextRow === undefined ? '' : encodePageToken(page.nextRow),
  });
}

function personActivities(context: RouteContext, person: Person): ApiResponse {
  const offset = startToken(context);
  const size = limit(context, DEFAULT_ACTIVITIES_LIMIT, MAX_ACTIVITIES_LIMIT);
  if (!offset.ok) return offset.response;
  if (!size.ok) return size.response;
  const type = context.query.get('type');
  const name = context.query.get('name');
  const activities = activitiesFor(context.workspace, {
    person,
    ...(type ? { type } : {}),
    ...(name ? { name } : {}),
  });
  const page = pageAt(activities, offset.value ?? 0, size.value);
  return ok({ activities: page.items, next: nextToken(page.nextOffset) });
}

function personRelationshipsPage(context: RouteContext, person: Person): ApiResponse {
  const offset = startToken(context);
  const size = limit(context, DEFAULT_RELATIONSHIPS_LIMIT, MAX_RELATIONSHIPS_LIMIT);
  if (!offset.ok) return offset.response;
  if (!size.ok) return size.response;
  const page = pageAt(personRelationships(person), offset.value ?? 0, size.value);
  return ok({ cio_relationships: page.items, next: nextToken(page.nextOffset) });
}

function segmentId(context: RouteContext): Parsed<number> {
  const id = pathId(context, 'segment_id');
  if (!id.ok) return id;
  return context.workspace.segments.some((segment) => segment.id === id.value)
    ? id
    : { ok: false, response: notFound(`segment ${id.value} not found`) };
}

/** Live quirk: an empty segment answers `identifiers: null, ids: null, next: ""`. */
function segmentMembership(context: RouteContext): ApiResponse {
  const id = segmentId(context);
  const offset = startToken(context);
  const size = limit(context, DEFAULT_MEMBERSHIP_LIMIT, MAX_MEMBERSHIP_LIMIT);
  if (!id.ok) return id.response;
  if (!offset.ok) return offset.response;
  if (!size.ok) return size.response;
  const page = segmentMembersPage(context.workspace, id.value, offset.value ?? 0, size.value);
  if (page.items.length === 0) return ok({ segment_id: id.value, identifiers: null, ids: null, next: '' });
  return ok({ segment_id: id.value, ...identifierLists(page.items), next: nextToken(page.nextOffset) });
}

/** GET /v1/segments/{id}/customer_count: how many people the segment holds now. */
function segmentCustomerCount(context: RouteContext): ApiResponse {
  const id = segmentId(context);
  if (!id.ok) return id.response;
  return ok({ count: segmentMembers(context.workspace, id.value).length, segment_id: id.value });
}

function segmentUsedBy(context: RouteContext): ApiResponse {
  const id = segmentId(context);
  if (!id.ok) return id.response;
  return ok({ segment_id: id.value, used_by: segmentUsage(context.workspace, id.value) });
}

export const AUDIENCE_ROUTES: readonly RouteDefinition[] = [
  route('POST', '/v1/customers', searchPeople),
  route('POST', '/v1/customers/attributes', peopleAttributes),
  route(
    'GET',
    '/v1/customers/:customer_id/segments',
    withPerson((context, person) => ok({ segments: personSegments(context.workspace, person) })),
  ),
  route('GET', '/v1/customers/:customer_id/messages', withPerson(personMessages)),
  route('GET', '/v1/customers/:customer_id/activities', withPerson(personActivities)),
  route('GET', '/v1/customers/:customer_id/relationships', withPerson(personRelationshipsPage)),
  route('GET', '/v1/segments/:segment_id/membership', segmentMembership),
  route('GET', '/v1/segments/:segment_id/used_by', segmentUsedBy),
  route('GET', '/v1/segments/:segment_id/customer_count', segmentCustomerCount),
];
