// What the Track API accepts: the limits and rules of /api/v2/batch entries and /api/v1/events bodies
// (shared/reference/customerio-writes.md §2.4, §3). Only the person actions a destination sends are known.

export const LIMITS = {
  batchBytes: 500_000,
  entryBytes: 32_000,
  identifierBytes: 150,
  eventNameBytes: 100,
  attributeCount: 300,
  attributeNameBytes: 150,
  attributeValueBytes: 1000,
  eventDataBytes: 100_000,
} as const;

export const ACTIONS = ['identify', 'delete', 'event', 'page', 'screen', 'suppress', 'unsuppress'] as const;
export type Action = (typeof ACTIONS)[number];
export type IdentifierKind = 'id' | 'email' | 'cio_id' | 'phone';
const IDENTIFIER_KINDS: readonly string[] = ['id', 'email', 'cio_id', 'phone'] satisfies IdentifierKind[];
/** Actions that need a `name`, and the byte limit on it (null: only non-empty). */
const NAMED: Partial<Record<Action, number | null>> = {
  event: LIMITS.eventNameBytes,
  page: null,
  screen: null,
};

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const E164 = /^\+[1-9]\d{1,14}$/;
const MAX_TIMESTAMP = 9_999_999_999;

export interface EntryError {
  reason: string;
  field: string;
  message: string;
}

export interface ValidEntry {
  action: Action;
  identifier: { kind: IdentifierKind; value: string };
  name?: string;
  id?: string;
  timestamp?: number;
  attributes: Record<string, unknown>;
}

export interface AnonymousEvent {
  anonymousId: string;
  name: string;
  id?: string;
  timestamp?: number;
  data: Record<string, unknown>;
}

export function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(field: string, message: string, reason = 'invalid'): EntryError {
  return { reason, field, message };
}

/** Checks the optional `id` (ULID) and `timestamp` (unix seconds) that events and identify share. */
function checkIdAndTimestamp(entry: Record<string, unknown>): EntryError | undefined {
  if (entry.id !== undefined && !(typeof entry.id === 'string' && ULID.test(entry.id)))
    return invalid('id', 'id must be a ULID');
  const { timestamp } = entry;
  if (
    timestamp !== undefined &&
    !(
      typeof timestamp === 'number' &&
      Number.isInteger(timestamp) &&
      timestamp >= 0 &&
      timestamp <= MAX_TIMESTAMP
    )
  )
    return invalid('timestamp', 'timestamp must be unix seconds (an integer of at most 10 digits)');
  return undefined;
}

function checkIdentifiers(
  raw: unknown,
  refused: ReadonlySet<string>,
): { kind: IdentifierKind; value: string } | EntryError {
  if (!isObject(raw)) return invalid('identifiers', 'identifiers must be an object');
  const keys = Object.keys(raw);
  const kind = keys[0];
  if (keys.length !== 1 || kind === undefined || !IDENTIFIER_KINDS.includes(kind))
    return invalid('identifiers', 'identifiers must hold exactly one of id, email, cio_id, phone');
  const rawValue = raw[kind];
  const value = kind === 'id' && typeof rawValue === 'number' ? String(rawValue) : rawValue;
  if (typeof value !== 'string' || value === '')
    return invalid(`identifiers.${kind}`, `${kind} must be a non-empty string`);
  if (bytes(value) > LIMITS.identifierBytes)
    return invalid(`identifiers.${kind}`, `${kind} is over ${LIMITS.identifierBytes} bytes`, 'too_large');
  if (kind === 'phone' && !E164.test(value))
    return invalid('identifiers.phone', 'phone must be in E.164 format');
  if (refused.has(value)) return invalid('identifiers', 'identifier refused by workspace');
  return { kind: kind as IdentifierKind, value };
}

function checkIdentifyAttributes(attributes: Record<string, unknown>): EntryError | undefined {
  const names = Object.keys(attributes);
  if (names.length > LIMITS.attributeCount)
    return invalid('attributes', `more than ${LIMITS.attributeCount} attributes`, 'too_many');
  for (const name of names) {
    if (bytes(name) > LIMITS.attributeNameBytes)
      return invalid(`attributes.${name}`, 'attribute name is too long', 'too_large');
    const value = attributes[name];
    if (typeof value === 'string' && bytes(value) > LIMITS.attributeValueBytes)
      return invalid(`attributes.${name}`, 'attribute value is too long', 'too_large');
  }
  return undefined;
}

/** One batch entry: what the store applies, or why it is refused. */
export function validateEntry(raw: unknown, refused: ReadonlySet<string>): ValidEntry | EntryError {
  if (!isObject(raw)) return invalid('entry', 'entry must be an object');
  if (bytes(JSON.stringify(raw)) > LIMITS.entryBytes)
    return invalid('entry', `entry is over ${LIMITS.entryBytes} bytes`, 'too_large');
  if (raw.type !== 'person') return invalid('type', 'type must be person');
  const action = raw.action;
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action))
    return invalid('action', `unsupported action ${JSON.stringify(action)}`);
  const identifier = checkIdentifiers(raw.identifiers, refused);
  if ('reason' in identifier) return identifier;
  const nameLimit = NAMED[action as Action];
  if (nameLimit !== undefined) {
    if (typeof raw.name !== 'string' || raw.name === '') return invalid('name', 'name is required');
    if (nameLimit !== null && bytes(raw.name) > nameLimit)
      return invalid('name', `name is over ${nameLimit} bytes`, 'too_large');
  }
  const idOrTimestamp = checkIdAndTimestamp(raw);
  if (idOrTimestamp !== undefined) return idOrTimestamp;
  const attributes = raw.attributes ?? {};
  if (!isObject(attributes)) return invalid('attributes', 'attributes must be an object');
  if (action === 'identify') {
    const error = checkIdentifyAttributes(attributes);
    if (error !== undefined) return error;
  }
  if (action === 'event' && bytes(JSON.stringify(attributes)) > LIMITS.eventDataBytes)
    return invalid('attributes', `event data is over ${LIMITS.eventDataBytes} bytes`, 'too_large');
  return {
    action: action as Action,
    identifier,
    attributes,
    ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
    ...(typeof raw.id === 'string' ? { id: raw.id } : {}),
    ...(typeof raw.timestamp === 'number' ? { timestamp: raw.timestamp } : {}),
  };
}

/** A v1 anonymous event body, or the messages of a 400 `{"meta":{"errors":[...]}}`. */
export function validateAnonymousEvent(raw: unknown): AnonymousEvent | string[] {
  if (!isObject(raw)) return ['body must be a JSON object'];
  const errors: string[] = [];
  if (typeof raw.anonymous_id !== 'string' || raw.anonymous_id === '')
    errors.push('anonymous_id is required');
  if (typeof raw.name !== 'string' || raw.name === '') errors.push('name is required');
  else if (bytes(raw.name) > LIMITS.eventNameBytes) errors.push('name is too long');
  const idOrTimestamp = checkIdAndTimestamp(raw);
  if (idOrTimestamp !== undefined) errors.push(idOrTimestamp.message);
  const data = raw.data ?? {};
  if (!isObject(data)) errors.push('data must be an object');
  else if (bytes(JSON.stringify(data)) > LIMITS.eventDataBytes) errors.push('data is too large');
  if (errors.length > 0 || !isObject(data)) return errors;
  return {
    anonymousId: raw.anonymous_id as string,
    name: raw.name as string,
    data,
    ...(typeof raw.id === 'string' ? { id: raw.id } : {}),
    ...(typeof raw.timestamp === 'number' ? { timestamp: raw.timestamp } : {}),
  };
}
