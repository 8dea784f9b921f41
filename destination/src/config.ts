import {
  checkBaseUrl,
  createAjv,
  describeSchemaError,
  unknownConfigKeys,
} from '@cio-connectors/kit/config-checks';
import { ConfigError } from '@cio-connectors/kit/errors';
import type { DestinationSyncMode } from '@cio-connectors/kit/protocol';
import type { Ajv } from 'ajv';
import { OBJECT_NAMES, TYPED_OBJECT } from './operations.js';
import {
  connectionSpecification,
  DEFAULT_MAX_REJECTED_SHARE,
  DEFAULT_REQUESTS_PER_SECOND,
  MAX_APP_REQUESTS_PER_SECOND,
  type Region,
} from './spec.js';

/** A stream written without destination_object_name: which object, how, from which columns. */
interface StreamMapping {
  stream: string;
  object: string;
  syncMode: DestinationSyncMode | undefined;
  /** Operation field → the record column that holds it. */
  fields: Readonly<Record<string, string>>;
  /** A collection stream's collection, when not named after the stream. */
  collectionName: string | undefined;
  /** A segment_membership stream's segment, when its records name none. */
  segmentId: string | undefined;
}

/** The App API, when its key is configured. */
export interface AppApiConfig {
  apiKey: string;
  /** The configured override of the region's host, checked; undefined when not set. */
  baseUrl: string | undefined;
  requestsPerSecond: number;
}

export interface DestinationConfig {
  siteId: string;
  trackApiKey: string;
  /** Undefined: asked of Customer.io at the start of the run. */
  region: Region | undefined;
  /** The configured override of the region's host, checked; undefined when not set. */
  baseUrl: string | undefined;
  requestsPerSecond: number;
  maxRejectedShare: number;
  streamMappings: readonly StreamMapping[];
  app: AppApiConfig | undefined;
  allowEmptyMirror: boolean;
  /** Said as WARN by check and write: config keys this connector does not know, which are ignored. */
  warnings: string[];
}

/** The config as the spec describes it, once validated. */
interface RawConfig {
  site_id: string;
  track_api_key: string;
  region?: '' | Region;
  track_base_url?: string;
  requests_per_second?: number;
  max_rejected_share?: number;
  stream_mappings?: Array<{
    stream: string;
    object: string;
    sync_mode?: DestinationSyncMode;
    fields?: Record<string, string>;
    collection_name?: string;
    segment_id?: number;
  }>;
  app_api_key?: string;
  app_base_url?: string;
  app_requests_per_second?: number;
  allow_empty_mirror?: boolean;
}

let validateSpec: ReturnType<Ajv['compile']> | undefined;

function isRawConfig(raw: unknown): raw is RawConfig {
  validateSpec ??= createAjv().compile(connectionSpecification);
  if (validateSpec(raw)) return true;
  const first = validateSpec.errors?.[0];
  throw new ConfigError(
    first ? describeSchemaError(first, 'The config') : 'The config does not match the spec.',
  );
}

/** Validates a raw config against the spec and resolves it. Throws ConfigError with a one-line message. */
export function parseConfig(raw: unknown): DestinationConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('The config must be a JSON object with at least "site_id" and "track_api_key".');
  }
  const input: Record<string, unknown> = { ...raw };
  for (const field of ['site_id', 'track_api_key']) {
    const value = input[field];
    if (typeof value !== 'string') continue;
    input[field] = value.trim();
    if (value.trim() === '')
      throw new ConfigError(
        `Config field "${field}" is empty: copy it from Customer.io > Settings > Workspace Settings > API and webhook credentials > Tracking API keys.`,
      );
  }
  const unknown = unknownConfigKeys(input, connectionSpecification.properties as Record<string, unknown>);
  if (unknown.typo !== undefined) throw new ConfigError(unknown.typo);
  if (!isRawConfig(input)) throw new ConfigError('The config does not match the spec.');
  const mappings = (input.stream_mappings ?? []).map((mapping) => ({
    stream: mapping.stream,
    object: mapping.object,
    syncMode: mapping.sync_mode,
    fields: mapping.fields ?? {},
    collectionName: mapping.collection_name,
    segmentId: mapping.segment_id === undefined ? undefined : String(mapping.segment_id),
  }));
  const named = new Set<string>();
  for (const { stream, object } of mappings) {
    if (!OBJECT_NAMES.includes(object) && !TYPED_OBJECT.test(object))
      throw new ConfigError(
        `Config field "stream_mappings" maps the stream "${stream}" to "${object}", which is not an object of this destination: use ${OBJECT_NAMES.join(', ')}, or object_<type> / relationship_<type> for an object type of the workspace.`,
      );
    if (named.has(stream))
      throw new ConfigError(
        `Config field "stream_mappings" maps the stream "${stream}" twice: keep one entry.`,
      );
    named.add(stream);
  }
  const appApiKey = input.app_api_key?.trim() ?? '';
  const appBaseUrl = checkBaseUrl('app_base_url', input.app_base_url, 'https://api.customer.io');
  if (appApiKey === '' && appBaseUrl !== undefined)
    throw new ConfigError(
      'Config field "app_base_url" is set without "app_api_key": set the App API key too, or remove "app_base_url".',
    );
  return {
    siteId: input.site_id,
    trackApiKey: input.track_api_key,
    region: input.region === '' || input.region === undefined ? undefined : input.region,
    baseUrl: checkBaseUrl('track_base_url', input.track_base_url, 'https://track.customer.io'),
    requestsPerSecond: input.requests_per_second ?? DEFAULT_REQUESTS_PER_SECOND,
    maxRejectedShare: input.max_rejected_share ?? DEFAULT_MAX_REJECTED_SHARE,
    streamMappings: mappings,
    app:
      appApiKey === ''
        ? undefined
        : {
            apiKey: appApiKey,
            baseUrl: appBaseUrl,
            requestsPerSecond: input.app_requests_per_second ?? MAX_APP_REQUESTS_PER_SECOND,
          },
    allowEmptyMirror: input.allow_empty_mirror ?? false,
    warnings: unknown.warnings,
  };
}
