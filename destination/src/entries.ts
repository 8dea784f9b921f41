import { type JsonObject, stringifyJson } from '@cio-connectors/kit/json';
import { eventId } from './event-ids.js';
import { PERSON_KEYS, PRIMARY_KEYS, SECONDARY_KEYS } from './operations.js';
import type { StreamPlan } from './plans.js';
import { unixSeconds } from './timestamps.js';

/** Customer.io's documented Track limits, checked before sending: a row over one is rejected, not sent. */
export const LIMITS = {
  identifierBytes: 150,
  attributeNameBytes: 150,
  attributeValueBytes: 1000,
  attributes: 300,
  eventNameBytes: 100,
  eventDataBytes: 100_000,
  /** Each batch entry is at most 32 KB; 32,000 bytes reads "KB" either way. */
  entryBytes: 32_000,
  objectIdBytes: 150,
  /** A collection row (App API): 10 KB, read as 10,000 bytes. */
  collectionRowBytes: 10_000,
  /** A snippet's name: 150 characters. */
  snippetNameCharacters: 150,
};

const E164 = /^\+[1-9]\d{1,14}$/;
/** Columns the platform may add to records; never written as attributes or data. */
const AIRBYTE_COLUMN_PREFIX = '_airbyte_';

export interface Rejection {
  /** The operation field or attribute at fault, e.g. `person_email`, `attributes.plan`. */
  field: string;
  reason: string;
}

/** The field that addressed a record's subject, and its value. */
export interface MatchingKey {
  field: string;
  value: string;
}

/** Which manual segment a member goes to or leaves, and how the ids are read (Track's add_customers id_type). */
export interface MemberGroup {
  segmentId: string;
  idType: 'id' | 'email' | 'cio_id';
  change: 'add' | 'remove';
}

/** An App API request of one record (a snippet's). */
interface AppRequest {
  method: 'PUT' | 'DELETE';
  path: string;
  body?: JsonObject;
}

/**
 * What one record becomes: a Track v2 batch entry, an anonymous event (Track v1), a manual segment's member
 * (Track v1, 1000 a request), a collection row, an App API request, or a rejection. `subjects` (`email:a@b.c`,
 * `object:1:acme`) order the requests about the same people and objects.
 */
export type Built =
  | { kind: 'entry'; text: string; bytes: number; subjects: string[]; key: MatchingKey }
  | { kind: 'anonymous'; text: string; bytes: number; subjects: string[]; key: MatchingKey }
  | { kind: 'member'; group: MemberGroup; text: string; bytes: number; subjects: string[]; key: MatchingKey }
  | { kind: 'row'; text: string; bytes: number; key: MatchingKey | undefined }
  | { kind: 'app'; request: AppRequest; subjects: string[]; key: MatchingKey }
  | { kind: 'rejected'; rejection: Rejection; key: MatchingKey | undefined };

/** A record in reports: its stream and matching key (never its other values), e.g. `users (person_id "u9")`. */
export function recordLabel(stream: string, key: MatchingKey | undefined): string {
  return key === undefined ? stream : `${stream} (${key.field} ${JSON.stringify(key.value)})`;
}

class Rejected extends Error {
  readonly rejection: Rejection;

  constructor(rejection: Rejection) {
    super(rejection.reason);
    this.rejection = rejection;
  }
}

const reject = (field: string, reason: string): never => {
  throw new Rejected({ field, reason });
};

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');
const isPresent = (value: unknown) =>
  value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
const isPlainObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A record seen through its plan's field mapping. */
class RecordView {
  /** Columns an operation field took: not attributes or data. */
  readonly used = new Set<string>();
  readonly plan: StreamPlan;
  readonly data: JsonObject;

  constructor(plan: StreamPlan, data: JsonObject) {
    this.plan = plan;
    this.data = data;
  }

  column(field: string): string {
    return this.plan.fields[field] ?? field;
  }

  take(field: string): unknown {
    const column = this.column(field);
    this.used.add(column);
    return this.data[column];
  }

  /** The record's other columns, as attributes or data. */
  rest(): JsonObject {
    const rest: JsonObject = {};
    for (const column in this.data) {
      if (!this.used.has(column) && !column.startsWith(AIRBYTE_COLUMN_PREFIX))
        rest[column] = this.data[column];
    }
    return rest;
  }
}

function identifierText(field: string, value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value !== 'string') return reject(field, 'the matching key is not text or a number');
  const text = value.trim();
  // A snippet's name is measured in characters (snippet()), every other key in bytes.
  if (field !== 'name' && byteLength(text) > LIMITS.identifierBytes)
    reject(field, `the identifier is over ${LIMITS.identifierBytes} bytes`);
  if (field === 'person_phone' && !E164.test(text))
    reject(field, 'the phone number is not E.164 (a + and up to 15 digits, e.g. +15551234567)');
  return text;
}

/** The record's matching key: the one its stream's primary key names, else the first present. */
function subjectOf(view: RecordView): MatchingKey | undefined {
  const { operation, matchingKey } = view.plan;
  if (operation.matchingKeys.length === 0) return undefined;
  const candidates = matchingKey === undefined ? operation.matchingKeys : [matchingKey];
  for (const field of operation.matchingKeys) view.used.add(view.column(field));
  for (const field of candidates) {
    const value = view.data[view.column(field)];
    if (isPresent(value)) return { field, value: identifierText(field, value) };
  }
  return reject(
    candidates.join(' / '),
    'no matching key: the record holds none of these, or only empty ones',
  );
}

function timeOf(view: RecordView, field: string): number | undefined {
  const value = view.take(field);
  if (!isPresent(value)) return undefined;
  const seconds = unixSeconds(value);
  if (seconds === undefined)
    reject(field, 'not a time: use unix seconds or milliseconds, or ISO 8601 text (2026-01-31T12:00:00Z)');
  return seconds;
}

function checkAttributes(attributes: JsonObject, prefix: string): void {
  const names = Object.keys(attributes).filter((name) => name !== '_update');
  if (names.length > LIMITS.attributes)
    reject(prefix, `${names.length} attributes, over the ${LIMITS.attributes} a person may be sent at once`);
  for (const name of names) {
    if (byteLength(name) > LIMITS.attributeNameBytes)
      reject(`${prefix}.${name.slice(0, 40)}…`, `attribute name over ${LIMITS.attributeNameBytes} bytes`);
    const value = attributes[name];
    // Numbers and booleans are always far below the limit: only text and objects are measured.
    if (value === null || (typeof value !== 'string' && typeof value !== 'object')) continue;
    const size = typeof value === 'string' ? byteLength(value) : byteLength(stringifyJson(value) ?? '');
    if (size > LIMITS.attributeValueBytes)
      reject(`${prefix}.${name}`, `attribute value over ${LIMITS.attributeValueBytes} bytes`);
  }
}

function identify(view: RecordView, subject: MatchingKey): string {
  const attributes: JsonObject = {};
  const nested = view.take('attributes');
  if (isPlainObject(nested)) Object.assign(attributes, nested);
  else if (isPresent(nested)) view.used.delete(view.column('attributes'));
  // Identifier fields other than the matching key set the person's id, email or phone.
  for (const key of PERSON_KEYS) {
    if (key.field === subject.field || key.identifier === 'cio_id') continue;
    const value = view.data[view.column(key.field)];
    if (isPresent(value)) attributes[key.identifier] = identifierText(key.field, value);
  }
  const createdAt = timeOf(view, 'created_at');
  const timestamp = timeOf(view, 'timestamp');
  // Customer.io's own identifiers envelope (as this project's source reads people) is not an attribute.
  if (isPlainObject(view.data.identifiers)) view.used.add('identifiers');
  Object.assign(attributes, view.rest());
  // cio_id is Customer.io's, given once and never changed: never sent as an attribute.
  delete attributes.cio_id;
  if (createdAt !== undefined) attributes.created_at = createdAt;
  if (view.plan.operation.action === 'update') attributes._update = true;
  checkAttributes(attributes, 'attributes');
  return stringifyJson({
    type: 'person',
    identifiers: { [identifierOf(subject.field)]: subject.value },
    action: 'identify',
    attributes,
    ...(timestamp === undefined ? {} : { timestamp }),
  });
}

const IDENTIFIERS: Readonly<Record<string, string>> = Object.fromEntries(
  [...PERSON_KEYS, ...PRIMARY_KEYS, ...SECONDARY_KEYS].map((key) => [key.field, key.identifier]),
);

/** The Track identifier a matching key names (`person_email` → `email`). */
function identifierOf(field: string): string {
  return IDENTIFIERS[field] ?? field;
}

/** How requests about one person are ordered: `email:a@b.c` (emails are case-insensitive). */
function personSubject(key: MatchingKey): string {
  const identifier = identifierOf(key.field);
  return `${identifier}:${identifier === 'email' ? key.value.toLowerCase() : key.value}`;
}

const personIdentifiers = (key: MatchingKey) =>
  `{${JSON.stringify(identifierOf(key.field))}:${JSON.stringify(key.value)}}`;

/** An event, page or screen view (Track v2), or an anonymous event (Track v1): named, with an id a replay repeats. */
function event(view: RecordView, subject: MatchingKey, readAt: number): string {
  const { action, required } = view.plan.operation;
  const nameField = required[0] ?? 'event_name';
  const rawName = view.take(nameField);
  if (!isPresent(rawName) || (typeof rawName !== 'string' && typeof rawName !== 'number'))
    reject(nameField, `no ${nameField}: the record's ${view.column(nameField)} is missing or empty`);
  const name = String(rawName).trim();
  if ((action === 'event' || action === 'anonymous') && byteLength(name) > LIMITS.eventNameBytes)
    reject(nameField, `event name over ${LIMITS.eventNameBytes} bytes`);
  const ownId = view.take('event_id');
  const timestamp = timeOf(view, 'timestamp');
  const dataText = stringifyJson(view.rest());
  if (byteLength(dataText) > LIMITS.eventDataBytes)
    reject('data', `event data over ${LIMITS.eventDataBytes} bytes`);
  const id = eventId(
    view.plan.stream,
    `${subject.field}\n${subject.value}\n${name}\n${dataText}`,
    isPresent(ownId) ? String(ownId).trim() : undefined,
    timestamp,
  );
  const time = timestamp ?? readAt;
  if (action === 'anonymous')
    return `{"anonymous_id":${JSON.stringify(subject.value)},"name":${JSON.stringify(name)},"id":"${id}","timestamp":${time},"data":${dataText}}`;
  return `{"type":"person","identifiers":${personIdentifiers(subject)},"action":"${action}","name":${JSON.stringify(name)},"id":"${id}","timestamp":${time},"attributes":${dataText}}`;
}

/** A required field of the operation as text: present, text or a number, trimmed. */
function requiredText(view: RecordView, field: string): string {
  const value = view.take(field);
  if (!isPresent(value))
    return reject(field, `no ${field}: the record's ${view.column(field)} is missing or empty`);
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint')
    return reject(field, 'not text or a number');
  return String(value).trim();
}

/** An object type id: a positive integer, as Customer.io numbers types from 1. */
function objectTypeOf(view: RecordView): string {
  const fixed = view.plan.operation.objectTypeId;
  if (fixed !== undefined) return fixed;
  const type = requiredText(view, 'object_type_id');
  if (!/^[1-9]\d{0,9}$/.test(type)) reject('object_type_id', 'not an object type id (a whole number from 1)');
  return type;
}

/** The object a record names: `{object_type_id, object_id}` or `{cio_object_id}`, and its subject. */
function objectOf(
  view: RecordView,
  key: MatchingKey | undefined,
): { identifiers: JsonObject; subject: string } {
  if (key?.field === 'cio_object_id')
    return { identifiers: { cio_object_id: key.value }, subject: `object:cio:${key.value}` };
  const type = objectTypeOf(view);
  const id = key?.field === 'object_id' ? key.value : requiredText(view, 'object_id');
  if (byteLength(id) > LIMITS.objectIdBytes)
    reject('object_id', `the object id is over ${LIMITS.objectIdBytes} bytes`);
  return { identifiers: { object_type_id: type, object_id: id }, subject: `object:${type}:${id}` };
}

/** The record's other fields as attributes, checked against the attribute limits. */
function attributesOf(view: RecordView, prefix: string): JsonObject {
  const nested = view.take('attributes');
  const attributes: JsonObject = isPlainObject(nested) ? { ...nested } : {};
  if (!isPlainObject(nested) && isPresent(nested)) view.used.delete(view.column('attributes'));
  Object.assign(attributes, view.rest());
  checkAttributes(attributes, prefix);
  return attributes;
}

type Written = { text: string; subjects: string[] };

function objectEntry(view: RecordView, key: MatchingKey | undefined): Written {
  const object = objectOf(view, key);
  const del = view.plan.operation.action === 'object_delete';
  const body: JsonObject = {
    type: 'object',
    identifiers: object.identifiers,
    action: del ? 'delete' : 'identify',
  };
  if (!del) body.attributes = attributesOf(view, 'attributes');
  return { text: stringifyJson(body), subjects: [object.subject] };
}

function relationshipEntry(view: RecordView, person: MatchingKey): Written {
  const object = objectOf(view, undefined);
  const add = view.plan.operation.action === 'add_relationship';
  const relationship: JsonObject = { identifiers: object.identifiers };
  if (add) relationship.relationship_attributes = attributesOf(view, 'relationship_attributes');
  const text = stringifyJson({
    type: 'person',
    identifiers: { [identifierOf(person.field)]: person.value },
    action: add ? 'add_relationships' : 'delete_relationships',
    cio_relationships: [relationship],
  });
  return { text, subjects: [personSubject(person), object.subject] };
}

const PLATFORMS = new Set(['ios', 'android']);

function deviceEntry(view: RecordView, person: MatchingKey): Written {
  const token = requiredText(view, 'device_id');
  const device: JsonObject = { token };
  if (view.plan.operation.action === 'add_device') {
    const platform = requiredText(view, 'platform').toLowerCase();
    if (!PLATFORMS.has(platform)) reject('platform', 'not ios or android');
    device.platform = platform;
    const lastUsed = timeOf(view, 'last_used');
    if (lastUsed !== undefined) device.last_used = lastUsed;
    const attributes = attributesOf(view, 'device.attributes');
    if (Object.keys(attributes).length > 0) device.attributes = attributes;
  }
  const action = view.plan.operation.action === 'add_device' ? 'add_device' : 'delete_device';
  return {
    text: `{"type":"person","identifiers":${personIdentifiers(person)},"action":"${action}","device":${stringifyJson(device)}}`,
    subjects: [personSubject(person)],
  };
}

/** The first present of a merge side's keys (primary_… or secondary_…). */
function mergeSide(view: RecordView, keys: readonly { field: string }[]): MatchingKey {
  for (const { field } of keys) view.used.add(view.column(field));
  for (const { field } of keys) {
    const value = view.data[view.column(field)];
    if (isPresent(value)) return { field, value: identifierText(field, value) };
  }
  return reject(
    keys.map((key) => key.field).join(' / '),
    'no key of this person: the record holds none, or only empty ones',
  );
}

function mergeEntry(view: RecordView, primary: MatchingKey): Written {
  const secondary = mergeSide(view, SECONDARY_KEYS);
  if (personSubject(primary) === personSubject(secondary))
    reject(secondary.field, 'the secondary person is the primary one: a person is not merged into itself');
  return {
    text: `{"type":"person","action":"merge","primary":${personIdentifiers(primary)},"secondary":${personIdentifiers(secondary)}}`,
    subjects: [personSubject(primary), personSubject(secondary)],
  };
}

const TOPIC_COLUMN = /^topic_(\d+)$/;

function subscribedOf(field: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return reject(field, 'not true or false');
}

/** Topic preferences, each set alone (dot notation): the person's other topics are left as they are. */
function subscriptionEntry(view: RecordView, person: MatchingKey): Written {
  const topics: JsonObject = {};
  const topic = view.take('topic_id');
  const subscribed = view.take('subscribed');
  if (isPresent(topic)) {
    const number = /^(?:topic_)?([1-9]\d{0,9})$/.exec(String(topic).trim())?.[1];
    if (number === undefined) reject('topic_id', 'not a topic id (1, or topic_1)');
    if (!isPresent(subscribed))
      reject('subscribed', 'no subscribed: true or false is needed beside topic_id');
    topics[`topic_${number}`] = subscribedOf('subscribed', subscribed);
  }
  for (const [column, value] of Object.entries(view.rest())) {
    const number = TOPIC_COLUMN.exec(column)?.[1];
    if (number !== undefined && isPresent(value))
      topics[`topic_${Number(number)}`] = subscribedOf(column, value);
  }
  if (Object.keys(topics).length === 0)
    reject('topic_id', 'no topic: give topic_id and subscribed, or topic_<n> columns');
  const attributes = Object.fromEntries(
    Object.entries(topics).map(([name, value]) => [`cio_subscription_preferences.topics.${name}`, value]),
  );
  return {
    text: `{"type":"person","identifiers":${personIdentifiers(person)},"action":"identify","attributes":${stringifyJson(attributes)}}`,
    subjects: [personSubject(person)],
  };
}

const SEGMENT_ID_TYPES: Readonly<Record<string, MemberGroup['idType']>> = {
  person_id: 'id',
  person_email: 'email',
  person_cio_id: 'cio_id',
};

function member(view: RecordView, person: MatchingKey): Built {
  const fixed = view.plan.segmentId;
  const segmentId =
    fixed !== undefined && !isPresent(view.data[view.column('segment_id')])
      ? fixed
      : requiredText(view, 'segment_id');
  if (!/^[1-9]\d{0,15}$/.test(segmentId)) reject('segment_id', 'not a segment id (a whole number)');
  const idType = SEGMENT_ID_TYPES[person.field] ?? 'id';
  const value = idType === 'email' ? person.value.toLowerCase() : person.value;
  const text = JSON.stringify(value);
  const change = view.plan.operation.action === 'segment_remove' ? 'remove' : 'add';
  return {
    kind: 'member',
    group: { segmentId, idType, change },
    text,
    bytes: byteLength(text),
    subjects: [personSubject(person)],
    key: person,
  };
}

function collectionRow(view: RecordView): Built {
  const text = stringifyJson(view.rest());
  const bytes = byteLength(text);
  if (bytes > LIMITS.collectionRowBytes)
    reject('(row)', `the row is ${bytes} bytes, over the ${LIMITS.collectionRowBytes} of a collection row`);
  return { kind: 'row', text, bytes, key: undefined };
}

function snippet(view: RecordView, key: MatchingKey): Built {
  if ([...key.value].length > LIMITS.snippetNameCharacters)
    reject('name', `the name is over ${LIMITS.snippetNameCharacters} characters`);
  const subjects = [`snippet:${key.value}`];
  if (view.plan.operation.action === 'snippet_delete')
    return {
      kind: 'app',
      request: { method: 'DELETE', path: `/v1/snippets/${encodeURIComponent(key.value)}` },
      subjects,
      key,
    };
  const value = view.take('value');
  if (typeof value !== 'string' || value.trim() === '') reject('value', 'no value: the snippet needs text');
  return {
    kind: 'app',
    request: { method: 'PUT', path: '/v1/snippets', body: { name: key.value, value: value as string } },
    subjects,
    key,
  };
}

/** A Track v2 batch entry of the record, by its operation's action. */
function batchEntry(view: RecordView, key: MatchingKey, readAt: number): Written {
  const subjects = [personSubject(key)];
  switch (view.plan.operation.action) {
    case 'identify':
    case 'update':
      return { text: identify(view, key), subjects };
    case 'delete':
    case 'suppress':
    case 'unsuppress':
      return {
        text: `{"type":"person","identifiers":${personIdentifiers(key)},"action":"${view.plan.operation.action}"}`,
        subjects,
      };
    case 'event':
    case 'page':
    case 'screen':
      return { text: event(view, key, readAt), subjects };
    case 'object_identify':
    case 'object_delete':
      return objectEntry(view, key);
    case 'add_relationship':
    case 'delete_relationship':
      return relationshipEntry(view, key);
    case 'add_device':
    case 'delete_device':
      return deviceEntry(view, key);
    case 'merge':
      return mergeEntry(view, key);
    case 'subscribe':
      return subscriptionEntry(view, key);
    default:
      throw new Error(`not a batch action: ${view.plan.operation.action}`);
  }
}

function built(view: RecordView, key: MatchingKey | undefined, readAt: number): Built {
  const { action } = view.plan.operation;
  if (action === 'collection_replace') return collectionRow(view);
  if (key === undefined) throw new Error(`${action} has no matching key`);
  if (action === 'segment_add' || action === 'segment_remove' || action === 'segment_mirror')
    return member(view, key);
  if (action === 'snippet_upsert' || action === 'snippet_delete') return snippet(view, key);
  if (action === 'anonymous') {
    const text = event(view, key, readAt);
    // An anonymous event goes alone to Track v1: its data limit applies, not a batch entry's.
    return { kind: 'anonymous', text, bytes: byteLength(text), subjects: [`anonymous_id:${key.value}`], key };
  }
  const entry = batchEntry(view, key, readAt);
  const bytes = byteLength(entry.text);
  if (bytes > LIMITS.entryBytes)
    reject('(record)', `the entry is ${bytes} bytes, over the ${LIMITS.entryBytes} of one`);
  return { kind: 'entry', text: entry.text, bytes, subjects: entry.subjects, key };
}

/** One record as its plan writes it; `readAt` (unix seconds) dates an event that has no time of its own. */
export function buildEntry(plan: StreamPlan, data: JsonObject, readAt: number): Built {
  const view = new RecordView(plan, data);
  let key: MatchingKey | undefined;
  try {
    key = subjectOf(view);
    return built(view, key, readAt);
  } catch (error) {
    if (error instanceof Rejected) return { kind: 'rejected', rejection: error.rejection, key };
    throw error;
  }
}
