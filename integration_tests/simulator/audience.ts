// What the people, delivery and activity endpoints serve, computed from the workspace. The routes use
// these, and tests use them to know the expected records.

import {
  type DeliveryFilter,
  type DeliveryStore,
  deliveriesIn,
  firstAtOrAfter,
  type RowList,
} from './deliveries.js';
import type { DeliveryParentKind } from './delivery-details.js';
import type {
  Activity,
  CustomerAttributesItem,
  MessageDelivery,
  Person,
  PersonIdentifiers,
  SegmentUsage,
} from './records-audience.js';
import { DAY_SECONDS, WORKSPACE_NOW } from './time.js';
import type { Workspace } from './workspace.js';

export type { DeliveryParentKind } from './delivery-details.js';

/** GET /v1/messages and /v1/customers/{id}/messages cover at most 6 months (180 days) per request. */
export const MESSAGES_MAX_SPAN_SECONDS = 180 * DAY_SECONDS;
/** The per-parent delivery lists (campaign, broadcast, newsletter, transactional) cover at most 12 months. */
export const PARENT_MESSAGES_MAX_SPAN_SECONDS = 365 * DAY_SECONDS;
/** Without start_ts and end_ts a broadcast's deliveries cover the month after its first trigger. */
export const BROADCAST_DEFAULT_SPAN_SECONDS = 30 * DAY_SECONDS;

export type IdType = 'id' | 'email' | 'cio_id' | 'phone';

/** Inclusive bounds on `created`; start > end is an empty window. */
export interface TimeWindow {
  start: number;
  end: number;
}

/** Everyone a search can find: people not deleted, in search order. */
export function allPeople(workspace: Workspace): Person[] {
  return workspace.people.filter((person) => !person.deleted);
}

export function personIdentifiers(person: Person): PersonIdentifiers {
  return { cio_id: person.cio_id, email: person.email, id: person.id };
}

interface LookupIndex {
  length: number;
  byType: Map<IdType, Map<string, Person>>;
}

const lookupIndexes = new WeakMap<readonly Person[], LookupIndex>();

function identifierOf(person: Person, idType: IdType): string | null | undefined {
  switch (idType) {
    case 'id':
      return person.id;
    case 'email':
      return person.email;
    case 'cio_id':
      return person.cio_id;
    case 'phone':
      return person.attributes.phone;
  }
}

/** A lookup map per id type, rebuilt when people are added; hits are re-checked, so edits stay safe. */
function lookupMap(people: readonly Person[], idType: IdType): Map<string, Person> {
  let index = lookupIndexes.get(people);
  if (index === undefined || index.length !== people.length) {
    index = { length: people.length, byType: new Map() };
    lookupIndexes.set(people, index);
  }
  let map = index.byType.get(idType);
  if (map === undefined) {
    map = new Map();
    for (const person of people) {
      const value = identifierOf(person, idType);
      if (value !== null && value !== undefined && !person.deleted && !map.has(value)) map.set(value, person);
    }
    index.byType.set(idType, map);
  }
  return map;
}

/**
 * The person a lookup value names. With `cio_id` the value is raw; `acceptCioPrefix` also accepts
 * `cio_<cio_id>` (path lookups do; POST /v1/customers/attributes does not, a live quirk).
 */
export function findPerson(
  workspace: Workspace,
  value: string,
  idType: IdType,
  acceptCioPrefix = false,
): Person | undefined {
  const raw = acceptCioPrefix && idType === 'cio_id' && value.startsWith('cio_') ? value.slice(4) : value;
  const matches = (person: Person) => !person.deleted && identifierOf(person, idType) === raw;
  const hit = lookupMap(workspace.people, idType).get(raw);
  return hit !== undefined && matches(hit) ? hit : workspace.people.find(matches);
}

/** An item of POST /v1/customers/attributes, unwrapped as live. */
export function customerAttributesItem(person: Person): CustomerAttributesItem {
  return {
    id: person.id,
    identifiers: personIdentifiers(person),
    attributes: { ...person.attributes },
    timestamps: { ...person.timestamps },
    unsubscribed: person.unsubscribed,
    devices: person.devices.map((device) => ({ ...device, attributes: { ...device.attributes } })),
  };
}

/** Members of a segment, in membership order; empty for an unknown segment. */
export function segmentMembers(workspace: Workspace, segmentId: number): Person[] {
  return allPeople(workspace).filter((person) => person.segment_ids.includes(segmentId));
}

/**
 * A page of the (not deleted) people `matches` keeps, from position `from` of the workspace's people;
 * `nextOffset` is the position after the page while matches remain. The token is a position among all the
 * people, not among the matches, so a page costs the people it spans and a whole read one pass over the people
 * (at a million people, filtering them all per page made the simulator, not the connector, the slow end).
 */
export function peoplePageFrom(
  workspace: Workspace,
  matches: (person: Person) => boolean,
  from: number,
  size: number,
): { items: Person[]; nextOffset: number | undefined } {
  const people = workspace.people;
  const kept = (person: Person | undefined): person is Person =>
    person !== undefined && !person.deleted && matches(person);
  const items: Person[] = [];
  let at = from;
  for (; at < people.length && items.length < size; at++) {
    const person = people[at];
    if (kept(person)) items.push(person);
  }
  for (let rest = at; rest < people.length; rest++) {
    if (kept(people[rest])) return { items, nextOffset: at };
  }
  return { items, nextOffset: undefined };
}

/** A page of a segment's members (see `peoplePageFrom`). */
export function segmentMembersPage(
  workspace: Workspace,
  segmentId: number,
  from: number,
  size: number,
): { items: Person[]; nextOffset: number | undefined } {
  return peoplePageFrom(workspace, (person) => person.segment_ids.includes(segmentId), from, size);
}

/** Segments of a person, in workspace segment order: GET /v1/customers/{id}/segments items. */
export function personSegments(
  workspace: Workspace,
  person: Person,
): { id: number; name: string; description: string }[] {
  return workspace.segments
    .filter((segment) => person.segment_ids.includes(segment.id))
    .map(({ id, name, description }) => ({ id, name, description }));
}

/** Whether audience filters (an object, or the same document as a JSON string) name the segment. */
function referencesSegment(
  filters: string | Record<string, unknown> | undefined,
  segmentId: number,
): boolean {
  const text = typeof filters === 'string' ? filters : JSON.stringify(filters ?? null);
  return text.includes(`"segment":{"id":${segmentId}}`);
}

/** GET /v1/segments/{id}/used_by: the campaigns and newsletters whose audience names the segment. */
export function segmentUsage(workspace: Workspace, segmentId: number): SegmentUsage {
  const newsletters = workspace.newsletters.filter((newsletter) =>
    newsletter.recipient_segment_ids.includes(segmentId),
  );
  return {
    campaigns: workspace.campaigns
      .filter(
        (campaign) =>
          campaign.trigger_segment_ids.includes(segmentId) ||
          campaign.filter_segment_ids.includes(segmentId) ||
          referencesSegment(campaign.audience?.person_filters, segmentId),
      )
      .map((campaign) => campaign.id),
    draft_newsletters: newsletters
      .filter((newsletter) => newsletter.send_state !== 'sent')
      .map((newsletter) => newsletter.id),
    sent_newsletters: newsletters
      .filter((newsletter) => newsletter.send_state === 'sent')
      .map((newsletter) => newsletter.id),
  };
}

/** GET /v1/customers/{id}/relationships items. */
export function personRelationships(person: Person) {
  return person.relationships.map((relationship) => ({
    identifiers: { object_id: relationship.object_id, cio_object_id: relationship.cio_object_id },
    object_type_id: relationship.object_type_id,
    attributes: { ...relationship.attributes },
    timestamps: { ...relationship.timestamps },
  }));
}

/**
 * The window a delivery list request covers: end_ts (default now), start_ts (default 6 months before
 * the end), and never more than `maxSpan` before the end. `whenUnbounded` replaces it when neither
 * bound is given (the broadcast and newsletter lists have their own).
 */
export function requestWindow(
  startTs: number | undefined,
  endTs: number | undefined,
  maxSpan: number,
  whenUnbounded?: TimeWindow,
): TimeWindow {
  if (startTs === undefined && endTs === undefined && whenUnbounded !== undefined) return whenUnbounded;
  const end = endTs ?? WORKSPACE_NOW;
  return { start: Math.max(startTs ?? end - MESSAGES_MAX_SPAN_SECONDS, end - maxSpan), end };
}

/** The deliveries of a parent, ascending rows. */
export function parentRows(workspace: Workspace, kind: DeliveryParentKind, id: number): RowList {
  return workspace.deliveries.parentRows(kind, id);
}

/** The window of an unbounded request for a parent's deliveries (docs: per endpoint). */
export function parentDefaultWindow(
  workspace: Workspace,
  kind: DeliveryParentKind,
  id: number,
): TimeWindow | undefined {
  if (kind === 'broadcast') {
    const started = workspace.broadcasts.find((broadcast) => broadcast.id === id)?.first_started ?? 0;
    return started === 0
      ? { start: 1, end: 0 }
      : { start: started, end: started + BROADCAST_DEFAULT_SPAN_SECONDS };
  }
  if (kind === 'newsletter') {
    const rows = parentRows(workspace, kind, id);
    if (rows.length === 0) return { start: 1, end: 0 };
    const first = workspace.deliveries.createdOf(rows.row(0));
    return { start: first, end: first + MESSAGES_MAX_SPAN_SECONDS };
  }
  return undefined;
}

/** Every delivery created in [start, end] (inclusive) that matches, newest first: GET /v1/messages read in full. */
export function deliveriesBetween(
  workspace: Workspace,
  start: number,
  end: number,
  filter: DeliveryFilter = {},
): MessageDelivery[] {
  return deliveriesIn(workspace.deliveries, workspace.deliveries.rows, { start, end }, filter);
}

/** A parent's deliveries created in [start, end], newest first. */
export function parentDeliveries(
  workspace: Workspace,
  kind: DeliveryParentKind,
  id: number,
  start: number,
  end: number,
  filter: DeliveryFilter = {},
): MessageDelivery[] {
  return deliveriesIn(workspace.deliveries, parentRows(workspace, kind, id), { start, end }, filter);
}

/** A person's deliveries created in [start, end], newest first. */
export function personDeliveries(
  workspace: Workspace,
  person: Person,
  start: number,
  end: number,
): MessageDelivery[] {
  const { deliveries } = workspace;
  return deliveriesIn(deliveries, deliveries.personRows(person.cio_id), { start, end });
}

/** Created time of the oldest and newest delivery (undefined when there are none). */
export function deliverySpan(store: DeliveryStore): TimeWindow | undefined {
  if (store.length === 0) return undefined;
  return { start: store.createdOf(0), end: store.createdOf(store.length - 1) };
}

/** How many deliveries were created in [start, end], by binary search (no record is built). */
export function countDeliveriesBetween(workspace: Workspace, start: number, end: number): number {
  const { deliveries } = workspace;
  const rows = deliveries.rows;
  return Math.max(0, firstAtOrAfter(deliveries, rows, end + 1) - firstAtOrAfter(deliveries, rows, start));
}

export interface ActivityQuery {
  /** Include the activity of deleted people (GET /v1/activities?deleted=true). */
  deleted?: boolean;
  type?: string;
  name?: string;
  /** Only this person's activity. */
  person?: Person;
}

interface ActivityIndex {
  activities: readonly Activity[];
  length: number;
  people: readonly Person[];
  peopleLength: number;
  /** cio_ids of people not deleted. */
  existing: Set<string>;
  byCioId: Map<string, Activity[]>;
  /** Results of queries without a person, by query, so paging a large log is not a scan per page. */
  results: Map<string, Activity[]>;
}

const activityIndexes = new WeakMap<Workspace, ActivityIndex>();

/** The workspace's activities indexed by person, rebuilt when activities or people are added or replaced. */
function activityIndex(workspace: Workspace): ActivityIndex {
  const cached = activityIndexes.get(workspace);
  if (
    cached !== undefined &&
    cached.activities === workspace.activities &&
    cached.length === workspace.activities.length &&
    cached.people === workspace.people &&
    cached.peopleLength === workspace.people.length
  ) {
    return cached;
  }
  const byCioId = new Map<string, Activity[]>();
  for (const activity of workspace.activities) {
    const cioId = activity.customer_identifiers?.cio_id;
    if (cioId === undefined) continue;
    const list = byCioId.get(cioId);
    if (list === undefined) byCioId.set(cioId, [activity]);
    else list.push(activity);
  }
  const index: ActivityIndex = {
    activities: workspace.activities,
    length: workspace.activities.length,
    people: workspace.people,
    peopleLength: workspace.people.length,
    existing: new Set(workspace.people.filter((person) => !person.deleted).map((person) => person.cio_id)),
    byCioId,
    results: new Map(),
  };
  activityIndexes.set(workspace, index);
  return index;
}

/** Activities matching the query, newest first (the workspace keeps them in that order). */
export function activitiesFor(workspace: Workspace, query: ActivityQuery = {}): Activity[] {
  const index = activityIndex(workspace);
  const matches = (activity: Activity) => {
    const cioId = activity.customer_identifiers?.cio_id;
    // Without deleted=true, the activity of people deleted (or never known) is left out.
    if (!query.deleted && cioId !== undefined && !index.existing.has(cioId)) return false;
    if (query.type !== undefined && activity.type !== query.type) return false;
    return query.name === undefined || activity.name === query.name;
  };
  if (query.person !== undefined) return (index.byCioId.get(query.person.cio_id) ?? []).filter(matches);
  const key = JSON.stringify([query.deleted === true, query.type ?? null, query.name ?? null]);
  let result = index.results.get(key);
  if (result === undefined) {
    result = workspace.activities.filter(matches);
    index.results.set(key, result);
  }
  return [...result];
}
