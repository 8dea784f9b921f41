import {
  checkBaseUrl,
  createAjv,
  describeSchemaError,
  unknownConfigKeys,
} from '@cio-connectors/kit/config-checks';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { ValidateFunction } from 'ajv';
import { chooseRegion, describeKey } from './api-keys.js';
import { ConfigError } from './errors.js';
import {
  type CustomersMethod,
  configProperties,
  connectionSpecification,
  DEFAULT_REQUESTS_PER_SECOND,
  type PerPersonMethod,
  REGION_HOSTS,
  type Region,
} from './spec.js';

export interface SourceConfig {
  appApiKey: string;
  /** `region` when set, else the data center a private `sk_` key names, else US. */
  region: Region;
  baseUrl: string;
  /** Epoch seconds; nothing older is read by incremental streams. */
  startDate: number | undefined;
  requestsPerSecond: number;
  /** A Customer.io people filter; everyone when absent. */
  customersFilter: JsonObject;
  customerAttributes: string[];
  /** How `customers` reads people: paged search + attribute lookups, or one bulk export file. */
  customersMethod: CustomersMethod;
  /** How the per-person streams are read: from workspace-wide lists (bulk), or one person at a time. */
  perPersonMethod: PerPersonMethod;
  activityTypes: string[];
  messageTypes: string[];
  includeDeletedPeopleActivities: boolean;
  /** Seconds re-read before a delivery or metrics cursor. */
  messagesLookbackSeconds: number;
  /** Sending domains whose ESP suppression lists are read, lowercase; empty: the workspace's default list. */
  espSuppressionDomains: string[];
  /** Said to the user as WARN by check and read: the config works but something in it looks wrong. */
  warnings: string[];
}

/**
 * The config as the spec allows it (connectionSpecification, which validates it): a region of "" is taken out
 * before, and the key is trimmed. Keep the two in step; a test reads every spec property through parseConfig.
 */
interface RawConfig {
  app_api_key: string;
  region?: Region;
  start_date?: string;
  requests_per_second?: number;
  base_url?: string;
  customers_filter?: string;
  customer_attributes?: string[];
  activity_types?: string[];
  message_types?: string[];
  messages_lookback_days?: number;
  customers_method?: CustomersMethod;
  esp_suppression_domains?: string[];
  per_person_method?: PerPersonMethod;
  include_deleted_people_activities?: boolean;
}

/** Matches every person, including those without an `id` or an email. */
export const EVERYONE_FILTER: JsonObject = { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] };
const FILTER_KEYS = new Set(['and', 'or', 'not', 'segment', 'attribute']);

let validateSpec: ValidateFunction<RawConfig> | undefined;

function resolveBaseUrl(region: Region, baseUrl: string | undefined): string {
  return checkBaseUrl('base_url', baseUrl, 'https://api.customer.io') ?? REGION_HOSTS[region];
}

function parseCustomersFilter(value: string | undefined): JsonObject {
  if (value === undefined || value.trim() === '') return EVERYONE_FILTER;
  let filter: JsonObject | unknown[] | string | number | boolean | null;
  try {
    filter = JSON.parse(value);
  } catch {
    throw new ConfigError(
      'Config field "customers_filter" is not valid JSON: write a Customer.io filter such as {"segment":{"id":7}}, or leave it empty.',
    );
  }
  if (
    typeof filter !== 'object' ||
    filter === null ||
    Array.isArray(filter) ||
    Object.keys(filter).length !== 1 ||
    !FILTER_KEYS.has(Object.keys(filter)[0] ?? '')
  ) {
    throw new ConfigError(
      'Config field "customers_filter" must be a JSON object with exactly one of "and", "or", "not", "segment" or "attribute" at the top.',
    );
  }
  return filter;
}

function parseStartDate(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) {
    throw new ConfigError(
      `Config field "start_date" is not a valid date-time ("${value}"): use RFC 3339, e.g. 2024-01-01T00:00:00Z.`,
    );
  }
  if (millis > now) {
    throw new ConfigError(
      `Config field "start_date" (${value}) is in the future, so nothing would be read: use a past date or remove it.`,
    );
  }
  return Math.floor(millis / 1000);
}

/** Domains as Customer.io names them (lowercase, no surrounding spaces), each once. */
function sendingDomains(values: string[] | undefined): string[] {
  return [...new Set((values ?? []).map((value) => value.trim().toLowerCase()))];
}

/** Validates a raw config against the spec and resolves it. Throws ConfigError with a one-line message. */
export function parseConfig(raw: unknown, now: number = Date.now()): SourceConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('The config must be a JSON object with at least "app_api_key".');
  }
  const input: Record<string, unknown> = { ...raw };
  if (typeof input.app_api_key === 'string') input.app_api_key = input.app_api_key.trim();
  if (input.app_api_key === '') {
    throw new ConfigError(
      'Config field "app_api_key" is empty: paste a private key (sk_...) or an App API key from Customer.io Account Settings > API Credentials.',
    );
  }
  if (input.region === '') delete input.region;
  const unknown = unknownConfigKeys(input, configProperties);
  if (unknown.typo !== undefined) throw new ConfigError(unknown.typo);
  validateSpec ??= createAjv().compile<RawConfig>(connectionSpecification);
  if (!validateSpec(input)) {
    const first = validateSpec.errors?.[0];
    throw new ConfigError(
      first ? describeSchemaError(first, 'The config') : 'The config does not match the spec.',
    );
  }
  const key = describeKey(input.app_api_key);
  if (key.kind === 'public') {
    throw new ConfigError(
      'Config field "app_api_key" is a public key (pk_...), which cannot read data: use a private key (sk_...) or an App API key from Account Settings > API Credentials.',
    );
  }
  const chosen = chooseRegion(input.region, key);
  const { region } = chosen;
  const warnings = [...unknown.warnings, ...chosen.warnings];
  return {
    appApiKey: input.app_api_key,
    region,
    baseUrl: resolveBaseUrl(region, input.base_url),
    startDate: parseStartDate(input.start_date, now),
    requestsPerSecond: input.requests_per_second ?? DEFAULT_REQUESTS_PER_SECOND,
    customersFilter: parseCustomersFilter(input.customers_filter),
    customerAttributes: input.customer_attributes ?? [],
    customersMethod: input.customers_method ?? 'search',
    perPersonMethod: input.per_person_method ?? 'bulk',
    activityTypes: input.activity_types ?? [],
    messageTypes: input.message_types ?? [],
    includeDeletedPeopleActivities: input.include_deleted_people_activities ?? false,
    messagesLookbackSeconds: (input.messages_lookback_days ?? 30) * 86_400,
    espSuppressionDomains: sendingDomains(input.esp_suppression_domains),
    warnings,
  };
}
