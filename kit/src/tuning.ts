import type { ClientOptions } from './http-client.js';

/** The HTTP client's knobs, and the variable of each: the same for both connectors. */
export const CLIENT_TUNING_VARIABLES = {
  timeoutMs: 'CIO_TIMEOUT_MS',
  maxRetries: 'CIO_MAX_RETRIES',
  retryBaseMs: 'CIO_RETRY_BASE_MS',
  quotaBackoffMs: 'CIO_QUOTA_BACKOFF_MS',
  maxRetryAfterMs: 'CIO_MAX_RETRY_AFTER_MS',
  noProgressMs: 'CIO_NO_PROGRESS_MS',
  rateMarginMs: 'CIO_RATE_MARGIN_MS',
} as const;

export type ClientTuning = Pick<ClientOptions, keyof typeof CLIENT_TUNING_VARIABLES>;

/**
 * Knobs that are not part of a spec (tests and benchmarks shorten waits through the environment): each
 * field's environment variable, read as a number; unset or non-numeric means the default.
 */
export function readTuning<T extends object>(env: NodeJS.ProcessEnv, variables: Record<keyof T, string>): T {
  const tuning: Record<string, number> = {};
  for (const [key, name] of Object.entries(variables) as Array<[string, string]>) {
    const value = env[name];
    if (value !== undefined && value !== '' && !Number.isNaN(Number(value))) tuning[key] = Number(value);
  }
  return tuning as T;
}
