import type { JsonObject } from '@cio-connectors/kit/json';
import type { DestinationOperation, DestinationSyncMode } from '@cio-connectors/kit/protocol';

/** What a record becomes in Customer.io. */
export type WriteAction = 'identify' | 'update' | 'delete' | 'event' | 'page' | 'screen' | 'anonymous';

/** A person's matching keys, in the order the first present one is taken; each names a Track identifier. */
export const PERSON_KEYS = [
  { field: 'person_id', identifier: 'id' },
  { field: 'person_email', identifier: 'email' },
  { field: 'person_cio_id', identifier: 'cio_id' },
  { field: 'person_phone', identifier: 'phone' },
] as const;
export type PersonKeyField = (typeof PERSON_KEYS)[number]['field'];

/** One write of the destination: an object, a sync mode, and what a record of it carries. */
export interface Operation {
  object: string;
  mode: DestinationSyncMode;
  action: WriteAction;
  /** The operation's own fields that every record must hold (besides a matching key). */
  required: readonly string[];
  optional: readonly string[];
  /** What the record's other fields become. */
  rest: 'attributes' | 'data' | 'ignored';
  /** The fields one of which identifies the record's subject. */
  matchingKeys: readonly string[];
  description: string;
}

const PERSON_KEY_FIELDS = PERSON_KEYS.map((key) => key.field);

/** Every write, as data: discover lists them, write runs them. */
export const OPERATIONS: readonly Operation[] = [
  {
    object: 'person',
    mode: 'append_dedup',
    action: 'identify',
    required: [],
    optional: ['created_at', 'timestamp', 'attributes'],
    rest: 'attributes',
    matchingKeys: PERSON_KEY_FIELDS,
    description: 'Creates or updates a person (identify); other fields are attributes, null removes one.',
  },
  {
    object: 'person',
    mode: 'update',
    action: 'update',
    required: [],
    optional: ['created_at', 'timestamp', 'attributes'],
    rest: 'attributes',
    matchingKeys: PERSON_KEY_FIELDS,
    description: 'Updates a person who exists; never creates one.',
  },
  {
    object: 'person',
    mode: 'soft_delete',
    action: 'delete',
    required: [],
    optional: [],
    rest: 'ignored',
    matchingKeys: PERSON_KEY_FIELDS,
    description: 'Deletes the person.',
  },
  {
    object: 'person_event',
    mode: 'append',
    action: 'event',
    required: ['event_name'],
    optional: ['event_id', 'timestamp'],
    rest: 'data',
    matchingKeys: PERSON_KEY_FIELDS,
    description: "Tracks a named event for a person; other fields are the event's data.",
  },
  {
    object: 'person_page_view',
    mode: 'append',
    action: 'page',
    required: ['url'],
    optional: ['event_id', 'timestamp'],
    rest: 'data',
    matchingKeys: PERSON_KEY_FIELDS,
    description: "Tracks a page view for a person; other fields are the view's data.",
  },
  {
    object: 'person_screen_view',
    mode: 'append',
    action: 'screen',
    required: ['screen_name'],
    optional: ['event_id', 'timestamp'],
    rest: 'data',
    matchingKeys: PERSON_KEY_FIELDS,
    description: "Tracks a mobile screen view for a person; other fields are the view's data.",
  },
  {
    object: 'anonymous_event',
    mode: 'append',
    action: 'anonymous',
    required: ['event_name'],
    optional: ['event_id', 'timestamp'],
    rest: 'data',
    matchingKeys: ['anonymous_id'],
    description: 'Tracks an event for a visitor not yet identified; other fields are its data.',
  },
  {
    object: 'person_identify',
    mode: 'append_dedup',
    action: 'identify',
    required: [],
    optional: ['created_at', 'timestamp', 'attributes'],
    rest: 'attributes',
    matchingKeys: PERSON_KEY_FIELDS,
    description:
      "Airbyte's destination-customer-io name for person (append_dedup): its connections move over.",
  },
];

export const OBJECT_NAMES: readonly string[] = [...new Set(OPERATIONS.map((operation) => operation.object))];
export const SYNC_MODES: readonly DestinationSyncMode[] = [
  'append',
  'append_dedup',
  'update',
  'soft_delete',
  'overwrite',
];

export function operationsOf(object: string): Operation[] {
  return OPERATIONS.filter((operation) => operation.object === object);
}

const TIME = {
  type: ['integer', 'number', 'string'],
  description: 'Unix seconds or milliseconds, or ISO 8601.',
};
const FIELD_SCHEMAS: Readonly<Record<string, JsonObject>> = {
  person_id: { type: ['string', 'integer'], description: "The person's id." },
  person_email: { type: 'string', description: "The person's email address." },
  person_cio_id: { type: 'string', description: "Customer.io's own id of the person." },
  person_phone: { type: 'string', description: 'The phone number, E.164 (+15551234567).' },
  anonymous_id: { type: 'string', description: "The visitor's anonymous id." },
  created_at: { ...TIME, description: 'When the person was created.' },
  timestamp: { ...TIME, description: 'When this happened; an older update never overwrites a newer one.' },
  attributes: {
    type: 'object',
    description: 'Attributes, each key one (records of the source map as they are).',
  },
  event_name: { type: 'string', description: "The event's name (at most 100 bytes)." },
  event_id: {
    type: 'string',
    description: 'A unique id (a ULID is sent as it is, anything else is hashed into one).',
  },
  url: { type: 'string', description: 'The page viewed.' },
  screen_name: { type: 'string', description: 'The screen viewed.' },
};

/** The operation's DESTINATION_CATALOG entry: its fields, which are required, and its matching keys. */
export function destinationOperation(operation: Operation): DestinationOperation {
  const fields = [...operation.matchingKeys, ...operation.required, ...operation.optional];
  const oneKey = operation.matchingKeys.map((key) => ({ required: [key] }));
  return {
    object_name: operation.object,
    sync_mode: operation.mode,
    json_schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      description: operation.description,
      properties: Object.fromEntries(fields.map((field) => [field, FIELD_SCHEMAS[field] ?? {}])),
      ...(operation.required.length > 0 ? { required: [...operation.required] } : {}),
      ...(oneKey.length > 1
        ? { anyOf: oneKey }
        : { required: [...operation.required, ...operation.matchingKeys] }),
      additionalProperties:
        operation.rest === 'ignored' ? true : { description: `Other fields are ${operation.rest}.` },
    },
    matching_keys: operation.matchingKeys.map((key) => [key]),
  };
}
