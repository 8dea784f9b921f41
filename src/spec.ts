import type { JsonObject } from '@cio-connectors/kit/json';

export const DOCUMENTATION_URL =
  'https://github.com/source-customer-io/source-customer-io/blob/main/docs/README.md';

export const REGION_HOSTS = {
  US: 'https://api.customer.io',
  EU: 'https://api-eu.customer.io',
} as const;

export type Region = keyof typeof REGION_HOSTS;

export const DEFAULT_REQUESTS_PER_SECOND = 10;

const CUSTOMERS_METHODS = ['search', 'export'] as const;
export type CustomersMethod = (typeof CUSTOMERS_METHODS)[number];

const PER_PERSON_METHODS = ['bulk', 'per_person'] as const;
export type PerPersonMethod = (typeof PER_PERSON_METHODS)[number];

/** The config fields, by name (the spec's `properties`). */
export const configProperties: JsonObject = {
  app_api_key: {
    type: 'string',
    title: 'App API key',
    description:
      'A private key (sk_...) or an App API key (not a Track API key, not a public pk_ key) of the workspace to read, from Account Settings > API Credentials. Sent as a Bearer token.',
    airbyte_secret: true,
    minLength: 1,
    order: 0,
  },
  region: {
    type: 'string',
    title: 'Region',
    description:
      "Your account's data center: US (api.customer.io) or EU (api-eu.customer.io). Leave empty to take it from a private key that names it (sk_us_..., sk_eu_...); US otherwise.",
    enum: ['', 'US', 'EU'],
    order: 1,
  },
  start_date: {
    type: 'string',
    title: 'Start date',
    description:
      'RFC 3339 date-time, UTC. Incremental streams read nothing older than this. Leave empty to read all history.',
    format: 'date-time',
    pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$',
    pattern_descriptor: 'YYYY-MM-DDTHH:mm:ssZ',
    examples: ['2024-01-01T00:00:00Z'],
    order: 2,
  },
  requests_per_second: {
    type: 'number',
    title: 'Requests per second',
    description:
      "The connector's share of the workspace's App API budget. Customer.io allows 10 requests/second for the whole workspace, shared with every other tool using the App API: lower this if other tools read at the same time.",
    default: DEFAULT_REQUESTS_PER_SECOND,
    exclusiveMinimum: 0,
    maximum: 1000,
    order: 3,
  },
  base_url: {
    type: 'string',
    title: 'Base URL override',
    description:
      "Overrides the region's App API host, for proxies and testing, e.g. http://127.0.0.1:8080. Must be https unless the host is loopback, so the key is never sent in clear.",
    examples: ['https://api.customer.io', 'http://127.0.0.1:8080'],
    order: 4,
  },
  customers_filter: {
    type: 'string',
    title: 'People filter',
    description:
      'A Customer.io people filter as JSON, e.g. {"segment":{"id":7}} or {"and":[{"attribute":{"field":"plan","operator":"eq","value":"pro"}}]}. Applied to customers and every per-person stream (customer_segments, customer_messages, customer_activities, customer_relationships, customer_subscription_preferences), whose cost grows with the number of people. Empty: everyone.',
    multiline: true,
    order: 5,
  },
  customer_attributes: {
    type: 'array',
    title: 'Customer attributes',
    description: 'Attribute names kept in customers.attributes. Empty: all attributes.',
    items: { type: 'string' },
    order: 6,
  },
  activity_types: {
    type: 'array',
    title: 'Activity types',
    description:
      'Activity types to read (e.g. event, attribute_change, opened_email, consent). opted_in and opted_out read the consent activities of that action only. Empty: all types.',
    items: { type: 'string' },
    order: 7,
  },
  message_types: {
    type: 'array',
    title: 'Message types',
    description:
      'Delivery channels to read in the message streams (email, push, twilio, webhook, ...). Empty: all.',
    items: { type: 'string' },
    order: 8,
  },
  messages_lookback_days: {
    type: 'integer',
    title: 'Messages lookback (days)',
    description:
      'Incremental syncs re-read this many days of deliveries and metrics before the saved cursor, because opens, clicks and conversions keep arriving for months after a send.',
    default: 30,
    minimum: 0,
    maximum: 180,
    order: 10,
  },
  customers_method: {
    type: 'string',
    title: 'How customers are read',
    description:
      'search: page through the people and look up their attributes, about 11 requests per 1000 people, with timestamps and devices. export: one Customer.io export of the people filter and customer attributes, a few requests whatever the audience size; attributes only (no timestamps or devices). Choose export for large audiences.',
    enum: [...CUSTOMERS_METHODS],
    default: 'search',
    order: 11,
  },
  esp_suppression_domains: {
    type: 'array',
    title: 'ESP suppression domains',
    description:
      "Sending domains whose email suppression lists esp_suppressions reads (each of the four lists once per domain), e.g. mail.example.com. Empty: the workspace's default list, with domain null.",
    items: { type: 'string', minLength: 1, pattern: '\\S' },
    default: [],
    order: 12,
  },
  per_person_method: {
    type: 'string',
    title: 'How per-person streams are read',
    description:
      "bulk: customer_segments from each segment's membership, customer_activities from the workspace activity log, customer_messages from the workspace delivery list, customer_subscription_preferences from the topics list joined with each person's cio_subscription_preferences attribute (read 100 people a request, or by export with customers_method export), each kept to the people customers_filter matches: a few requests per thousand people, and incremental syncs read only what changed. per_person: one or more requests per person and stream (the endpoints under /v1/customers/{id}), cheaper only for a few people with much history. customer_relationships is read per person either way, in bulk only for the people related to an object.",
    enum: [...PER_PERSON_METHODS],
    default: 'bulk',
    order: 13,
  },
  include_deleted_people_activities: {
    type: 'boolean',
    title: 'Include activities of deleted people',
    description: 'Also read the activities of people deleted from the workspace.',
    default: false,
    order: 9,
  },
};

export const connectionSpecification: JsonObject = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Customer.io Source Spec',
  type: 'object',
  required: ['app_api_key'],
  additionalProperties: true,
  properties: configProperties,
};
