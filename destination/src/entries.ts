import { type JsonObject, stringifyJson } from '@cio-connectors/kit/json';
import { eventId } from './event-ids.js';
import { PERSON_KEYS } from './operations.js';
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

/**
 * What one record becomes: a Track v2 batch entry, an anonymous event (Track v1), or a rejection. `subject`
 * (`email:a@b.c`) orders the requests about one person.
 */
export type Built =
  | { kind: 'entry' | 'anonymous'; text: string; bytes: number; subject: string; key: MatchingKey }
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
  if (byteLength(text) > LIMITS.identifierBytes)
    reject(field, `the identifier is over ${LIMITS.identifierBytes} bytes`);
  if (field === 'person_phone' && !E164.test(text))
    reject(field, 'the phone number is not E.164 (a + and up to 15 digits, e.g. +15551234567)');
  return text;
}

/** The record's matching key: the one its stream's primary key names, else the first present. */
function subjectOf(view: RecordView): MatchingKey {
  const { operation, matchingKey } = view.plan;
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

function identifierOf(field: string): string {
  return PERSON_KEYS.find((key) => key.field === field)?.identifier ?? field;
}

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
  const identifiers = `{${JSON.stringify(identifierOf(subject.field))}:${JSON.stringify(subject.value)}}`;
  return `{"type":"person","identifiers":${identifiers},"action":"${action}","name":${JSON.stringify(name)},"id":"${id}","timestamp":${time},"attributes":${dataText}}`;
}

/** One record as its plan writes it; `readAt` (unix seconds) dates an event that has no time of its own. */
export function buildEntry(plan: StreamPlan, data: JsonObject, readAt: number): Built {
  const view = new RecordView(plan, data);
  let key: MatchingKey | undefined;
  try {
    const subject = subjectOf(view);
    key = subject;
    const { action } = plan.operation;
    const text =
      action === 'identify' || action === 'update'
        ? identify(view, subject)
        : action === 'delete'
          ? `{"type":"person","identifiers":{${JSON.stringify(identifierOf(subject.field))}:${JSON.stringify(subject.value)}},"action":"delete"}`
          : event(view, subject, readAt);
    const bytes = byteLength(text);
    const kind = action === 'anonymous' ? 'anonymous' : 'entry';
    // The 32 KB is a batch entry's limit; an anonymous event goes alone to Track v1 (its data limit applies).
    if (kind === 'entry' && bytes > LIMITS.entryBytes)
      reject('(record)', `the entry is ${bytes} bytes, over the ${LIMITS.entryBytes} of one`);
    const identifier = identifierOf(subject.field);
    const value = identifier === 'email' ? subject.value.toLowerCase() : subject.value;
    return { kind, text, bytes, subject: `${identifier}:${value}`, key: subject };
  } catch (error) {
    if (error instanceof Rejected) return { kind: 'rejected', rejection: error.rejection, key };
    throw error;
  }
}
