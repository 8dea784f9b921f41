import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { ConfigError } from './errors.js';

/** Airbyte's own keywords in a spec, which a strict validator would otherwise refuse. */
const AIRBYTE_KEYWORDS = [
  'airbyte_secret',
  'airbyte_hidden',
  'order',
  'group',
  'always_show',
  'pattern_descriptor',
  'multiline',
];

/** A validator for specs and the configs they describe: strict, with Airbyte's keywords and the formats. */
export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: true, strictTypes: false });
  ajv.addVocabulary(AIRBYTE_KEYWORDS);
  addFormats.default(ajv);
  return ajv;
}

/** One schema error as one sentence about `subject` (e.g. "The config"), naming the field. */
export function describeSchemaError(error: ErrorObject, subject: string): string {
  const field = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : '';
  switch (error.keyword) {
    case 'required':
      return `${subject} is missing the required field "${String(error.params.missingProperty)}".`;
    case 'enum':
      return `${subject} field "${field}" must be one of ${(error.params.allowedValues as unknown[]).map((value) => (value === '' ? '"" (empty)' : String(value))).join(', ')}.`;
    case 'type':
      return `${subject} field "${field}" must be of type ${String(error.params.type)}.`;
    default:
      return `${subject} field "${field || '(root)'}" ${error.message ?? 'is invalid'}.`;
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * A base URL override from the config, checked: an http(s) URL without credentials, https unless the host is
 * loopback (plain http would send the key in clear). Without trailing slashes; undefined when not set.
 */
export function checkBaseUrl(field: string, value: string | undefined, example: string): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigError(
      `Config field "${field}" is not a valid URL ("${value}"): use e.g. ${example}, or remove it to use the region's host.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`Config field "${field}" must be an http(s) URL, got "${url.protocol}".`);
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new ConfigError(
      `Config field "${field}" uses plain http to "${url.hostname}", which would send the API key in clear: use https, or a loopback host for testing.`,
    );
  }
  if (url.username || url.password) {
    throw new ConfigError(`Config field "${field}" must not embed credentials: remove "user:password@".`);
  }
  return url.href.replace(/\/+$/, '');
}
