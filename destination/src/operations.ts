import type { JsonObject } from '@cio-connectors/kit/json';
import type { DestinationOperation, DestinationSyncMode } from '@cio-connectors/kit/protocol';

/** What a record becomes in Customer.io. */
export type WriteAction =
  | 'identify'
  | 'update'
  | 'delete'
  | 'event'
  | 'page'
  | 'screen'
  | 'anonymous'
  | 'suppress'
  | 'unsuppress'
  | 'merge'
  | 'subscribe'
  | 'object_identify'
  | 'object_delete'
  | 'add_relationship'
  | 'delete_relationship'
  | 'add_device'
  | 'delete_device'
  | 'segment_add'
  | 'segment_remove'
  | 'segment_mirror'
  | 'collection_replace'
  | 'snippet_upsert'
  | 'snippet_delete';

/** A person's matching keys, in the order the first present one is taken; each names a Track identifier. */
export const PERSON_KEYS = [
  { field: 'person_id', identifier: 'id' },
  { field: 'person_email', identifier: 'email' },
  { field: 'person_cio_id', identifier: 'cio_id' },
  { field: 'person_phone', identifier: 'phone' },
] as const;

/** One write of the destination: an object, a sync mode, and what a record of it carries. */
export interface Operation {
  object: string;
  mode: DestinationSyncMode;
  action: WriteAction;
  /** The operation's own fields that every record must hold (besides a matching key). */
  required: readonly string[];
  optional: readonly string[];
  /** What the record's other fields become: attributes, event data, topics, a collection row, or nothing. */
  rest: 'attributes' | 'data' | 'topics' | 'row' | 'ignored';
  /** The fields one of which identifies the record's subject (none: a collection row). */
  matchingKeys: readonly string[];
  description: string;
  /** The object type an `object_<type>` or `relationship_<type>` operation writes: its records name none. */
  objectTypeId?: string;
}

const PERSON_KEY_FIELDS = PERSON_KEYS.map((key) => key.field);
/** Manual segments take people by id, email or cio_id (Track's add_customers id_type): not by phone. */
const SEGMENT_KEY_FIELDS = PERSON_KEY_FIELDS.filter((field) => field !== 'person_phone');
const OBJECT_KEY_FIELDS = ['object_id', 'cio_object_id'];
/** A merge names two people, each by one of id, email or cio_id. */
export const PRIMARY_KEYS = [
  { field: 'primary_id', identifier: 'id' },
  { field: 'primary_email', identifier: 'email' },
  { field: 'primary_cio_id', identifier: 'cio_id' },
] as const;
export const SECONDARY_KEYS = [
  { field: 'secondary_id', identifier: 'id' },
  { field: 'secondary_email', identifier: 'email' },
  { field: 'secondary_cio_id', identifier: 'cio_id' },
] as const;
/** Actions written through the App API: they need its key. */
export const APP_API_ACTIONS: ReadonlySet<WriteAction> = new Set([
  'segment_mirror',
  'collection_replace',
  'snippet_upsert',
  'snippet_delete',
]);

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
  {
    object: 'object',
    mode: 'append_dedup',
    action: 'object_identify',
    required: ['object_type_id'],
    optional: [],
    rest: 'attributes',
    matchingKeys: OBJECT_KEY_FIELDS,
    description: 'Creates or updates a custom object; other fields are its attributes, null removes one.',
  },
  {
    object: 'object',
    mode: 'soft_delete',
    action: 'object_delete',
    required: ['object_type_id'],
    optional: [],
    rest: 'ignored',
    matchingKeys: OBJECT_KEY_FIELDS,
    description: 'Deletes a custom object, and its relationships.',
  },
  {
    object: 'relationship',
    mode: 'append',
    action: 'add_relationship',
    required: ['object_type_id', 'object_id'],
    optional: [],
    rest: 'attributes',
    matchingKeys: PERSON_KEY_FIELDS,
    description: "Relates a person to an object; other fields are the relationship's attributes.",
  },
  {
    object: 'relationship',
    mode: 'soft_delete',
    action: 'delete_relationship',
    required: ['object_type_id', 'object_id'],
    optional: [],
    rest: 'ignored',
    matchingKeys: PERSON_KEY_FIELDS,
    description: 'Removes the relationship between a person and an object.',
  },
  {
    object: 'person_device',
    mode: 'append_dedup',
    action: 'add_device',
    required: ['device_id', 'platform'],
    optional: ['last_used'],
    rest: 'attributes',
    matchingKeys: PERSON_KEY_FIELDS,
    description: "Adds or updates a person's device (push token); other fields are device attributes.",
  },
  {
    object: 'person_device',
    mode: 'soft_delete',
    action: 'delete_device',
    required: ['device_id'],
    optional: [],
    rest: 'ignored',
    matchingKeys: PERSON_KEY_FIELDS,
    description: "Removes a person's device.",
  },
  {
    object: 'person_suppression',
    mode: 'append',
    action: 'suppress',
    required: [],
    optional: [],
    rest: 'ignored',
    matchingKeys: PERSON_KEY_FIELDS,
    description:
      'Suppresses a person: deletes the profile and blocks its identifiers from coming back (GDPR/CCPA).',
  },
  {
    object: 'person_suppression',
    mode: 'soft_delete',
    action: 'unsuppress',
    required: [],
    optional: [],
    rest: 'ignored',
    matchingKeys: PERSON_KEY_FIELDS,
    description: 'Unsuppresses a person: frees the identifiers (the deleted profile is not restored).',
  },
  {
    object: 'person_merge',
    mode: 'append',
    action: 'merge',
    required: [],
    optional: SECONDARY_KEYS.map((key) => key.field),
    rest: 'ignored',
    matchingKeys: PRIMARY_KEYS.map((key) => key.field),
    description:
      'Merges a secondary person into a primary one (not reversible): one primary_ and one secondary_ key per record.',
  },
  {
    object: 'person_subscription',
    mode: 'append_dedup',
    action: 'subscribe',
    required: [],
    optional: ['topic_id', 'subscribed'],
    rest: 'topics',
    matchingKeys: PERSON_KEY_FIELDS,
    description:
      "Sets a person's subscription-center topics: topic_id and subscribed, or one topic_<n> column (true/false) per topic.",
  },
  {
    object: 'segment_membership',
    mode: 'append',
    action: 'segment_add',
    required: ['segment_id'],
    optional: [],
    rest: 'ignored',
    matchingKeys: SEGMENT_KEY_FIELDS,
    description: 'Adds people to a manual segment (1000 a request).',
  },
  {
    object: 'segment_membership',
    mode: 'soft_delete',
    action: 'segment_remove',
    required: ['segment_id'],
    optional: [],
    rest: 'ignored',
    matchingKeys: SEGMENT_KEY_FIELDS,
    description: 'Removes people from a manual segment.',
  },
  {
    object: 'segment_membership',
    mode: 'overwrite',
    action: 'segment_mirror',
    required: ['segment_id'],
    optional: [],
    rest: 'ignored',
    matchingKeys: SEGMENT_KEY_FIELDS,
    description:
      'Mirrors a manual segment: afterwards it holds exactly the synced people (needs the App API key).',
  },
  {
    object: 'collection',
    mode: 'overwrite',
    action: 'collection_replace',
    required: [],
    optional: [],
    rest: 'row',
    matchingKeys: [],
    description:
      "Replaces a collection's rows with the stream's rows, creating it if absent; it is named after the stream (needs the App API key).",
  },
  {
    object: 'snippet',
    mode: 'append_dedup',
    action: 'snippet_upsert',
    required: ['value'],
    optional: [],
    rest: 'ignored',
    matchingKeys: ['name'],
    description: 'Creates or updates a snippet (needs the App API key).',
  },
  {
    object: 'snippet',
    mode: 'soft_delete',
    action: 'snippet_delete',
    required: [],
    optional: [],
    rest: 'ignored',
    matchingKeys: ['name'],
    description: 'Deletes a snippet (needs the App API key).',
  },
];

export const OBJECT_NAMES: readonly string[] = [...new Set(OPERATIONS.map((operation) => operation.object))];

/** The name of an object type's operations: `object_companies`, `relationship_companies`. */
export const TYPED_OBJECT = /^(object|relationship)_[a-z0-9_]+$/;

/** A custom object type, as the App API lists it (GET /v1/object_types). */
export interface ObjectType {
  id: string;
  name: string;
}

/** `Sales Accounts` → `sales_accounts`: the part of `object_<type>` that names the type. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** The `object_<type>` and `relationship_<type>` operations of each type: the type comes from the name. */
export function typedOperations(types: readonly ObjectType[]): Operation[] {
  return types.flatMap((type) => {
    const suffix = snakeCase(type.name) || type.id;
    return OPERATIONS.filter(
      (operation) => operation.object === 'object' || operation.object === 'relationship',
    ).map((operation) => ({
      ...operation,
      object: `${operation.object}_${suffix}`,
      objectTypeId: type.id,
      required: operation.required.filter((field) => field !== 'object_type_id'),
      description: `${operation.description.replace(/a custom object|an object/, `a ${type.name} object`)}`,
    }));
  });
}
export const SYNC_MODES: readonly DestinationSyncMode[] = [
  'append',
  'append_dedup',
  'update',
  'soft_delete',
  'overwrite',
];

export function operationsOf(object: string, operations: readonly Operation[] = OPERATIONS): Operation[] {
  return operations.filter((operation) => operation.object === object);
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
  object_type_id: {
    type: ['string', 'integer'],
    description: "The object type's id (Customer.io > Data & Integrations > Objects), e.g. 1.",
  },
  object_id: { type: ['string', 'integer'], description: "The object's id in its type (at most 150 bytes)." },
  cio_object_id: { type: 'string', description: "Customer.io's own id of the object (updates only)." },
  device_id: { type: 'string', description: "The device's push token." },
  platform: { type: 'string', enum: ['ios', 'android'], description: 'ios or android.' },
  last_used: { ...TIME, description: 'When the device was last used.' },
  primary_id: { type: ['string', 'integer'], description: "The primary person's id." },
  primary_email: { type: 'string', description: "The primary person's email." },
  primary_cio_id: { type: 'string', description: "The primary person's cio_id." },
  secondary_id: { type: ['string', 'integer'], description: "The secondary person's id (merged away)." },
  secondary_email: { type: 'string', description: "The secondary person's email (merged away)." },
  secondary_cio_id: { type: 'string', description: "The secondary person's cio_id (merged away)." },
  topic_id: { type: ['string', 'integer'], description: 'A subscription-center topic id (1, or topic_1).' },
  subscribed: { type: ['boolean', 'string', 'integer'], description: 'Whether the person takes the topic.' },
  segment_id: { type: ['string', 'integer'], description: "The manual segment's id." },
  name: { type: 'string', description: "The snippet's name (at most 150 characters)." },
  value: { type: 'string', description: "The snippet's value." },
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
