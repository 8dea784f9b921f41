import { checkBaseUrl, createAjv, describeSchemaError } from '@cio-connectors/kit/config-checks';
import { ConfigError } from '@cio-connectors/kit/errors';
import type { DestinationSyncMode } from '@cio-connectors/kit/protocol';
import type { Ajv } from 'ajv';
import {
  connectionSpecification,
  DEFAULT_MAX_REJECTED_SHARE,
  DEFAULT_REQUESTS_PER_SECOND,
  type Region,
} from './spec.js';

/** A stream written without destination_object_name: which object, how, from which columns. */
export interface StreamMapping {
  stream: string;
  object: string;
  syncMode: DestinationSyncMode | undefined;
  /** Operation field → the record column that holds it. */
  fields: Readonly<Record<string, string>>;
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
  }>;
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
  if (!isRawConfig(input)) throw new ConfigError('The config does not match the spec.');
  const mappings = (input.stream_mappings ?? []).map((mapping) => ({
    stream: mapping.stream,
    object: mapping.object,
    syncMode: mapping.sync_mode,
    fields: mapping.fields ?? {},
  }));
  const named = new Set<string>();
  for (const { stream } of mappings) {
    if (named.has(stream))
      throw new ConfigError(
        `Config field "stream_mappings" maps the stream "${stream}" twice: keep one entry.`,
      );
    named.add(stream);
  }
  return {
    siteId: input.site_id,
    trackApiKey: input.track_api_key,
    region: input.region === '' || input.region === undefined ? undefined : input.region,
    baseUrl: checkBaseUrl('track_base_url', input.track_base_url, 'https://track.customer.io'),
    requestsPerSecond: input.requests_per_second ?? DEFAULT_REQUESTS_PER_SECOND,
    maxRejectedShare: input.max_rejected_share ?? DEFAULT_MAX_REJECTED_SHARE,
    streamMappings: mappings,
  };
}
