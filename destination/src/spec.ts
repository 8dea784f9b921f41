import type { JsonObject } from '@cio-connectors/kit/json';
import { OBJECT_NAMES, SYNC_MODES } from './operations.js';

export type Region = 'US' | 'EU';

export const TRACK_HOSTS: Readonly<Record<Region, string>> = {
  US: 'https://track.customer.io',
  EU: 'https://track-eu.customer.io',
};

/**
 * Customer.io's Track API fair-use figure is 1000 requests/second per workspace (its OpenAPI spec, "Rate
 * Limits"), shared with everything else that sends to the workspace (SDKs, integrations): the upper bound.
 * The default takes a tenth of it.
 */
const MAX_REQUESTS_PER_SECOND = 1000;
export const DEFAULT_REQUESTS_PER_SECOND = 100;
export const DEFAULT_MAX_REJECTED_SHARE = 0.1;
export const APP_HOSTS: Readonly<Record<Region, string>> = {
  US: 'https://api.customer.io',
  EU: 'https://api-eu.customer.io',
};
/** The App API takes 10 requests a second per account (its documented limit), shared with every App API user. */
export const MAX_APP_REQUESTS_PER_SECOND = 10;

export const DOCUMENTATION_URL =
  'https://github.com/source-customer-io/source-customer-io/blob/main/destination/README.md';

export const connectionSpecification: JsonObject = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Customer.io Destination Spec',
  type: 'object',
  required: ['site_id', 'track_api_key'],
  additionalProperties: true,
  properties: {
    site_id: {
      type: 'string',
      title: 'Site ID',
      description:
        'The Site ID of a Track API key pair: Customer.io > Settings > Workspace Settings > API and webhook credentials > Tracking API keys.',
      minLength: 1,
      order: 0,
    },
    track_api_key: {
      type: 'string',
      title: 'Track API key',
      description: 'The API key of the same Track API key pair (not an App API key).',
      airbyte_secret: true,
      minLength: 1,
      order: 1,
    },
    region: {
      type: 'string',
      title: 'Region',
      description:
        'The data center your workspace is in: US or EU. Leave it empty to ask Customer.io (GET /api/v1/accounts/region) at the start of each run.',
      enum: ['', 'US', 'EU'],
      order: 2,
    },
    track_base_url: {
      type: 'string',
      title: 'Track API base URL',
      description:
        "Overrides the region's host, for a proxy or a test server: https, or http to a loopback host only. Leave empty.",
      order: 3,
    },
    requests_per_second: {
      type: 'number',
      title: 'Requests per second',
      description: `This connector's share of the workspace's Track API rate (Customer.io's fair-use figure is ${MAX_REQUESTS_PER_SECOND}/s for everything that sends to it). Default ${DEFAULT_REQUESTS_PER_SECOND}; the connector slows down by itself on 429.`,
      exclusiveMinimum: 0,
      maximum: MAX_REQUESTS_PER_SECOND,
      default: DEFAULT_REQUESTS_PER_SECOND,
      order: 4,
    },
    max_rejected_share: {
      type: 'number',
      title: 'Most rejected records before the sync fails',
      description:
        'The share (0 to 1) of records Customer.io or the connector may refuse (each reported as a warning) before the sync fails naming the commonest reason. Default 0.1 (10%).',
      minimum: 0,
      maximum: 1,
      default: DEFAULT_MAX_REJECTED_SHARE,
      order: 5,
    },
    app_api_key: {
      type: 'string',
      title: 'App API key (optional)',
      description:
        'Needed for object_<type> and relationship_<type> (object types are listed from the App API), segment_membership in overwrite (mirror) mode, collection and snippet: Customer.io > Settings > Account Settings > API Credentials > App API Keys.',
      airbyte_secret: true,
      order: 7,
    },
    app_base_url: {
      type: 'string',
      title: 'App API base URL',
      description:
        "Overrides the region's App API host (https://api.customer.io or https://api-eu.customer.io), for a proxy or a test server. Leave empty.",
      order: 8,
    },
    app_requests_per_second: {
      type: 'number',
      title: 'App API requests per second',
      description: `This connector's share of the App API's ${MAX_APP_REQUESTS_PER_SECOND} requests/second (shared with the source and every other App API user of the account). Default ${MAX_APP_REQUESTS_PER_SECOND}.`,
      exclusiveMinimum: 0,
      maximum: MAX_APP_REQUESTS_PER_SECOND,
      default: MAX_APP_REQUESTS_PER_SECOND,
      order: 9,
    },
    allow_empty_mirror: {
      type: 'boolean',
      title: 'Allow an empty mirror',
      description:
        'A mirror stream (segment_membership in overwrite mode, collection) that brings no rows fails the sync, so a broken query never empties a segment or a collection. Set true to let an empty stream empty it.',
      default: false,
      order: 10,
    },
    stream_mappings: {
      type: 'array',
      title: 'Stream mappings',
      description:
        "For catalogs without destination_object_name (Airbyte OSS custom connectors, the command line): which object each stream writes, and which columns hold the operation's fields when they are named otherwise.",
      order: 6,
      items: {
        type: 'object',
        required: ['stream', 'object'],
        additionalProperties: false,
        properties: {
          stream: { type: 'string', minLength: 1, description: "The stream's name in the catalog." },
          object: {
            type: 'string',
            minLength: 1,
            description: `The object it writes: ${OBJECT_NAMES.join(', ')}, or object_<type> / relationship_<type> for an object type of the workspace.`,
          },
          sync_mode: {
            type: 'string',
            enum: [...SYNC_MODES],
            description: "How it writes it; default: the object's first mode.",
          },
          fields: {
            type: 'object',
            description:
              'Operation field → record column, e.g. {"person_id": "user_id", "timestamp": "updated_at"}.',
            additionalProperties: { type: 'string', minLength: 1 },
          },
          collection_name: {
            type: 'string',
            minLength: 1,
            description: "For collection: the collection's name, when it is not the stream's.",
          },
          segment_id: {
            type: 'integer',
            minimum: 1,
            description:
              'For segment_membership: the manual segment every record of the stream is about (records then need no segment_id column; an empty mirror stream can then empty it).',
          },
        },
      },
    },
  },
};
