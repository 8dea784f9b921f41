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

export const ACTIONS = [
  'identify',
  'delete',
  'event',
  'page',
  'screen',
  'suppress',
  'unsuppress',
  'add_relationships',
  'delete_relationships',
  'add_device',
  'delete_device',
  'merge',
] as const;
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

/** An object: by its type and id, or by Customer.io's own id (updates only). */
export type ObjectRef = { typeId: string; id: string } | { cio: string };

export interface Relationship {
  object: ObjectRef;
  attributes: Record<string, unknown>;
}

export interface Device {
  token: string;
  platform?: string;
  last_used?: number;
  attributes?: Record<string, unknown>;
}

export type PersonIdentifier = { kind: IdentifierKind; value: string };

export type ValidEntry =
  | {
      type: 'person';
      action: Action;
      identifier: PersonIdentifier;
      name?: string;
      id?: string;
      timestamp?: number;
      attributes: Record<string, unknown>;
      relationships?: Relationship[];
      device?: Device;
    }
  | { type: 'merge'; primary: PersonIdentifier; secondary: PersonIdentifier }
  | { type: 'object'; action: 'identify' | 'delete'; object: ObjectRef; attributes: Record<string, unknown> };

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
  field = 'identifiers',
  kinds: readonly string[] = IDENTIFIER_KINDS,
): PersonIdentifier | EntryError {
  if (!isObject(raw)) return invalid(field, `${field} must be an object`);
  const keys = Object.keys(raw);
  const kind = keys[0];
  if (keys.length !== 1 || kind === undefined || !kinds.includes(kind))
    return invalid(field, `${field} must hold exactly one of ${kinds.join(', ')}`);
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
  for (const name of Object.keys(attributes))
    if (
      name.startsWith('cio_subscription_preferences.') &&
      !/^cio_subscription_preferences\.topics\.topic_[1-9]\d*$/.test(name)
    )
      return invalid(`attributes.${name}`, 'a preference is cio_subscription_preferences.topics.topic_<n>');
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

const isError = (value: object): value is EntryError => 'reason' in value && 'message' in value;

/** `{object_type_id, object_id}` of a known type, or `{cio_object_id}`. */
function checkObject(raw: unknown, field: string, types: ReadonlySet<string>): ObjectRef | EntryError {
  if (!isObject(raw)) return invalid(field, `${field} must be an object`);
  if (typeof raw.cio_object_id === 'string' && raw.cio_object_id !== '' && Object.keys(raw).length === 1)
    return { cio: raw.cio_object_id };
  const { object_type_id: typeId, object_id: id } = raw;
  if (typeof typeId !== 'string' || !/^[1-9]\d*$/.test(typeId))
    return invalid(`${field}.object_type_id`, 'object_type_id must be a string-formatted integer');
  if (!types.has(typeId)) return invalid(`${field}.object_type_id`, `no object type ${typeId}`, 'not_found');
  if (typeof id !== 'string' || id === '')
    return invalid(`${field}.object_id`, 'object_id must be a non-empty string');
  if (bytes(id) > LIMITS.identifierBytes)
    return invalid(`${field}.object_id`, `object_id is over ${LIMITS.identifierBytes} bytes`, 'too_large');
  return { typeId, id };
}

function checkRelationships(raw: unknown, types: ReadonlySet<string>): Relationship[] | EntryError {
  if (!Array.isArray(raw) || raw.length === 0)
    return invalid('cio_relationships', 'cio_relationships must be a non-empty list');
  const relationships: Relationship[] = [];
  for (const [index, item] of raw.entries()) {
    if (!isObject(item)) return invalid(`cio_relationships.${index}`, 'each relationship must be an object');
    const object = checkObject(item.identifiers, `cio_relationships.${index}.identifiers`, types);
    if (isError(object)) return object;
    const attributes = item.relationship_attributes ?? {};
    if (!isObject(attributes))
      return invalid(`cio_relationships.${index}`, 'relationship_attributes must be an object');
    relationships.push({ object, attributes });
  }
  return relationships;
}

function checkDevice(raw: unknown, adding: boolean): Device | EntryError {
  if (!isObject(raw)) return invalid('device', 'device must be an object');
  if (typeof raw.token !== 'string' || raw.token === '') return invalid('device.token', 'token is required');
  if (!adding) return { token: raw.token };
  if (raw.platform !== 'ios' && raw.platform !== 'android')
    return invalid('device.platform', 'platform must be ios or android');
  if (raw.last_used !== undefined && !(Number.isInteger(raw.last_used) && (raw.last_used as number) >= 0))
    return invalid('device.last_used', 'last_used must be unix seconds');
  if (raw.attributes !== undefined && !isObject(raw.attributes))
    return invalid('device.attributes', 'attributes must be an object');
  return {
    token: raw.token,
    platform: raw.platform,
    ...(raw.last_used === undefined ? {} : { last_used: raw.last_used as number }),
    ...(isObject(raw.attributes) ? { attributes: raw.attributes } : {}),
  };
}

const MERGE_KINDS = ['id', 'email', 'cio_id'];

function validateObjectEntry(
  raw: Record<string, unknown>,
  types: ReadonlySet<string>,
): ValidEntry | EntryError {
  if (raw.action !== 'identify' && raw.action !== 'delete')
    return invalid('action', `unsupported object action ${JSON.stringify(raw.action)}`);
  const object = checkObject(raw.identifiers, 'identifiers', types);
  if (isError(object)) return object;
  const attributes = raw.attributes ?? {};
  if (!isObject(attributes)) return invalid('attributes', 'attributes must be an object');
  const error = checkIdentifyAttributes(attributes);
  if (error !== undefined) return error;
  return { type: 'object', action: raw.action, object, attributes };
}

/** One batch entry: what the store applies, or why it is refused. */
export function validateEntry(
  raw: unknown,
  refused: ReadonlySet<string>,
  objectTypes: ReadonlySet<string> = new Set(),
): ValidEntry | EntryError {
  if (!isObject(raw)) return invalid('entry', 'entry must be an object');
  if (bytes(JSON.stringify(raw)) > LIMITS.entryBytes)
    return invalid('entry', `entry is over ${LIMITS.entryBytes} bytes`, 'too_large');
  if (raw.type === 'object') return validateObjectEntry(raw, objectTypes);
  if (raw.type !== 'person') return invalid('type', 'type must be person or object');
  const action = raw.action;
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action))
    return invalid('action', `unsupported action ${JSON.stringify(action)}`);
  if (action === 'merge') {
    if (raw.identifiers !== undefined)
      return invalid('identifiers', 'a merge names primary and secondary only');
    const primary = checkIdentifiers(raw.primary, refused, 'primary', MERGE_KINDS);
    if (isError(primary)) return primary;
    const secondary = checkIdentifiers(raw.secondary, refused, 'secondary', MERGE_KINDS);
    if (isError(secondary)) return secondary;
    return { type: 'merge', primary, secondary };
  }
  const identifier = checkIdentifiers(raw.identifiers, refused);
  if ('reason' in identifier) return identifier;
  let relationships: Relationship[] | undefined;
  if (action === 'add_relationships' || action === 'delete_relationships') {
    const checked = checkRelationships(raw.cio_relationships, objectTypes);
    if (isError(checked as object)) return checked as EntryError;
    relationships = checked as Relationship[];
  }
  let device: Device | undefined;
  if (action === 'add_device' || action === 'delete_device') {
    const checked = checkDevice(raw.device, action === 'add_device');
    if (isError(checked)) return checked;
    device = checked;
  }
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
    type: 'person',
    action: action as Action,
    identifier,
    attributes,
    ...(relationships === undefined ? {} : { relationships }),
    ...(device === undefined ? {} : { device }),
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
