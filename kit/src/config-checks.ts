import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { closest, distance } from 'fastest-levenshtein';
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
  // verbose: an error carries its schema and value, so a pattern's error can show the expected form.
  const ajv = new Ajv({ allErrors: false, strict: true, strictTypes: false, verbose: true });
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
    case 'pattern':
    case 'format': {
      // The spec's own words for the form (Airbyte's pattern_descriptor and examples), not a regular expression.
      const schema = (error.parentSchema ?? {}) as {
        pattern_descriptor?: string;
        examples?: unknown[];
        airbyte_secret?: boolean;
      };
      if (schema.pattern_descriptor === undefined && schema.examples === undefined) break;
      const example = schema.examples?.[0] === undefined ? '' : `, e.g. ${String(schema.examples[0])}`;
      const got =
        schema.airbyte_secret === true || typeof error.data !== 'string' ? '' : ` (got "${error.data}")`;
      const form = `${schema.pattern_descriptor ?? String(schema.examples?.[0])}${example}${got}`;
      return `${subject} field "${field}" must be written ${form}.`;
    }
  }
  return `${subject} field "${field || '(root)'}" ${error.message ?? 'is invalid'}.`;
}

/** The known field nearest to a key, when it is at most this many edits away (a typo, not another word). */
const TYPO_EDITS = 2;

/**
 * Config keys the spec does not know. One a couple of edits from a known field is a typo that would silently
 * mean the default (a mistyped `start_date` reads all history): an error saying "did you mean". Any other is
 * a warning naming it, since it is ignored.
 */
export function unknownConfigKeys(
  config: Record<string, unknown>,
  properties: Record<string, unknown>,
): { typo: string | undefined; warnings: string[] } {
  const known = Object.keys(properties);
  let typo: string | undefined;
  const warnings: string[] = [];
  for (const key of Object.keys(config)) {
    if (known.includes(key)) continue;
    const nearest = closest(key, known);
    if (typo === undefined && distance(key, nearest) <= TYPO_EDITS && key.length > TYPO_EDITS)
      typo = `Config field "${key}" is not a field of this connector: did you mean "${nearest}"?`;
    else
      warnings.push(
        `Config field "${key}" is not a field of this connector and is ignored (its fields: ${known.join(', ')}).`,
      );
  }
  return { typo, warnings };
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
