import { describe, expect, test } from 'vitest';
import { EVERYONE_FILTER, parseConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { configProperties } from '../src/spec.js';

const NOW = Date.parse('2026-11-24T12:00:00Z');

function configError(raw: unknown): ConfigError {
  try {
    parseConfig(raw, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).failureType).toBe('config_error');
    expect((error as ConfigError).message).not.toContain('\n');
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  test('every field of the spec is read into the typed config (the two are kept in step)', () => {
    const everyField = {
      app_api_key: 'abc123',
      region: 'EU',
      start_date: '2024-01-01T00:00:00Z',
      requests_per_second: 4,
      base_url: 'http://127.0.0.1:8080',
      customers_filter: '{"segment":{"id":7}}',
      customer_attributes: ['plan'],
      activity_types: ['event'],
      message_types: ['email'],
      messages_lookback_days: 2,
      customers_method: 'export',
      esp_suppression_domains: [' Mail.Example.com'],
      per_person_method: 'per_person',
      include_deleted_people_activities: true,
    };
    expect(Object.keys(everyField).sort()).toEqual(Object.keys(configProperties).sort());
    expect(parseConfig(everyField, NOW)).toEqual({
      appApiKey: 'abc123',
      region: 'EU',
      baseUrl: 'http://127.0.0.1:8080',
      startDate: Date.parse('2024-01-01T00:00:00Z') / 1000,
      requestsPerSecond: 4,
      customersFilter: { segment: { id: 7 } },
      customerAttributes: ['plan'],
      customersMethod: 'export',
      perPersonMethod: 'per_person',
      activityTypes: ['event'],
      messageTypes: ['email'],
      includeDeletedPeopleActivities: true,
      messagesLookbackSeconds: 2 * 86_400,
      espSuppressionDomains: ['mail.example.com'],
      warnings: [],
    });
  });

  test('defaults to the US host and 10 requests/second', () => {
    expect(parseConfig({ app_api_key: 'abc123' }, NOW)).toEqual({
      appApiKey: 'abc123',
      region: 'US',
      baseUrl: 'https://api.customer.io',
      startDate: undefined,
      requestsPerSecond: 10,
      customersFilter: EVERYONE_FILTER,
      customerAttributes: [],
      customersMethod: 'search',
      perPersonMethod: 'bulk',
      activityTypes: [],
      messageTypes: [],
      includeDeletedPeopleActivities: false,
      messagesLookbackSeconds: 30 * 86_400,
      espSuppressionDomains: [],
      warnings: [],
    });
  });

  test('per_person_method is bulk by default, per_person when asked, nothing else', () => {
    expect(parseConfig({ app_api_key: 'k' }, NOW).perPersonMethod).toBe('bulk');
    expect(parseConfig({ app_api_key: 'k', per_person_method: 'per_person' }, NOW).perPersonMethod).toBe(
      'per_person',
    );
    expect(configError({ app_api_key: 'k', per_person_method: 'export' }).message).toBe(
      'The config field "per_person_method" must be one of bulk, per_person.',
    );
  });

  test('esp_suppression_domains are trimmed, lowercased and kept once each; blank ones are refused', () => {
    const domains = [' Mail.Example.com ', 'mail.example.com', 'news.example.com'];
    expect(parseConfig({ app_api_key: 'k', esp_suppression_domains: domains }, NOW)).toMatchObject({
      espSuppressionDomains: ['mail.example.com', 'news.example.com'],
    });
    expect(() => parseConfig({ app_api_key: 'k', esp_suppression_domains: ['  '] }, NOW)).toThrow(
      ConfigError,
    );
  });

  test('customers_filter is parsed; the list and boolean options are kept', () => {
    const config = parseConfig(
      {
        app_api_key: 'k',
        customers_filter: '{"segment":{"id":7}}',
        customer_attributes: ['plan'],
        activity_types: ['event'],
        message_types: ['email', 'push'],
        include_deleted_people_activities: true,
      },
      NOW,
    );
    expect(config).toMatchObject({
      customersFilter: { segment: { id: 7 } },
      customerAttributes: ['plan'],
      activityTypes: ['event'],
      messageTypes: ['email', 'push'],
      includeDeletedPeopleActivities: true,
    });
  });

  test('EU region uses the EU host', () => {
    expect(parseConfig({ app_api_key: 'abc123', region: 'EU' }, NOW).baseUrl).toBe(
      'https://api-eu.customer.io',
    );
  });

  test('a private sk_ key naming a data center sets the region when "region" is not set', () => {
    expect(parseConfig({ app_api_key: 'sk_eu_0123abcd' }, NOW)).toMatchObject({
      appApiKey: 'sk_eu_0123abcd',
      region: 'EU',
      baseUrl: 'https://api-eu.customer.io',
      warnings: [],
    });
    expect(parseConfig({ app_api_key: 'sk_us_0123abcd' }, NOW)).toMatchObject({ region: 'US', warnings: [] });
    // A private key whose region part we cannot read, and a classic App API key: US, as before.
    expect(parseConfig({ app_api_key: 'sk_0123abcd' }, NOW)).toMatchObject({ region: 'US', warnings: [] });
    expect(parseConfig({ app_api_key: 'eu0123abcd' }, NOW)).toMatchObject({ region: 'US', warnings: [] });
  });

  test('"region" wins over the key, with a warning that names both regions and not the key', () => {
    const config = parseConfig({ app_api_key: 'sk_eu_s3cr3tvalue', region: 'US' }, NOW);
    expect(config.region).toBe('US');
    expect(config.baseUrl).toBe('https://api.customer.io');
    expect(config.warnings).toHaveLength(1);
    expect(config.warnings[0]).toMatch(/"region" is US but the private key is an EU key/);
    expect(config.warnings[0]).not.toContain('s3cr3t');
    expect(parseConfig({ app_api_key: 'sk_eu_k', region: 'EU' }, NOW).warnings).toEqual([]);
  });

  test('trims a key pasted with whitespace or a trailing newline', () => {
    expect(parseConfig({ app_api_key: '  abc123\n' }, NOW).appApiKey).toBe('abc123');
  });

  test('start_date becomes epoch seconds', () => {
    expect(parseConfig({ app_api_key: 'k', start_date: '2024-01-01T00:00:00Z' }, NOW).startDate).toBe(
      1704067200,
    );
  });

  test('base_url overrides the region, https or loopback http', () => {
    expect(parseConfig({ app_api_key: 'k', base_url: 'https://proxy.example.com/' }, NOW).baseUrl).toBe(
      'https://proxy.example.com',
    );
    expect(parseConfig({ app_api_key: 'k', base_url: 'http://127.0.0.1:8080' }, NOW).baseUrl).toBe(
      'http://127.0.0.1:8080',
    );
    expect(parseConfig({ app_api_key: 'k', base_url: 'http://localhost:9' }, NOW).baseUrl).toBe(
      'http://localhost:9',
    );
  });

  test.each([
    [{}, /required field "app_api_key"/],
    [{ app_api_key: '' }, /"app_api_key" is empty/],
    [{ app_api_key: '   ' }, /"app_api_key" is empty/],
    [{ app_api_key: 'pk_eu_0123abcd' }, /"app_api_key" is a public key \(pk_\.\.\.\), which cannot read/],
    [{ app_api_key: 42 }, /"app_api_key" must be of type string/],
    [{ app_api_key: 'k', region: 'APAC' }, /"region" must be one of "" \(empty\), US, EU/],
    [{ app_api_key: 'k', base_url: 'not a url' }, /"base_url" is not a valid URL/],
    [{ app_api_key: 'k', base_url: 'ftp://api.customer.io' }, /"base_url" must be an http\(s\) URL/],
    [{ app_api_key: 'k', base_url: 'http://api.customer.io' }, /plain http .* in clear/],
    [{ app_api_key: 'k', base_url: 'https://user:pw@api.customer.io' }, /must not embed credentials/],
    [{ app_api_key: 'k', start_date: 'yesterday' }, /"start_date"/],
    [{ app_api_key: 'k', start_date: '2030-01-01T00:00:00Z' }, /"start_date" .* is in the future/],
    [{ app_api_key: 'k', requests_per_second: 0 }, /"requests_per_second"/],
    [{ app_api_key: 'k', requests_per_second: 'fast' }, /"requests_per_second" must be of type number/],
    [{ app_api_key: 'k', customers_filter: '{"segment": {' }, /"customers_filter" is not valid JSON/],
    [
      { app_api_key: 'k', customers_filter: '{"a":1,"b":2}' },
      /"customers_filter" must be a JSON object with exactly one/,
    ],
    [{ app_api_key: 'k', customers_filter: '[1]' }, /"customers_filter" must be a JSON object/],
    [{ app_api_key: 'k', activity_types: 'event' }, /"activity_types" must be of type array/],
    [{ app_api_key: 'k', messages_lookback_days: 181 }, /"messages_lookback_days" must be <= 180/],
    [{ app_api_key: 'k', messages_lookback_days: 1.5 }, /"messages_lookback_days" must be of type integer/],
    [[], /must be a JSON object/],
    ['text', /must be a JSON object/],
  ])('refuses %j with a one-line message naming the field', (raw, message) => {
    expect(configError(raw).message).toMatch(message);
  });

  test('a start_date in another form: the form and an example, not a regular expression', () => {
    expect(configError({ app_api_key: 'k', start_date: '2024-01-01' }).message).toBe(
      'The config field "start_date" must be written YYYY-MM-DDTHH:mm:ssZ, e.g. 2024-01-01T00:00:00Z (got "2024-01-01").',
    );
  });

  test('an empty region is "take it from the key", as the README says', () => {
    expect(parseConfig({ app_api_key: 'k', region: '' }).region).toBe('US');
    expect(parseConfig({ app_api_key: 'sk_eu_0123abcd', region: '' }).region).toBe('EU');
  });

  test('a key a couple of letters from a field is an error naming the field; another unknown key is a warning', () => {
    expect(configError({ app_api_key: 'k', start_dat: '2024-01-01T00:00:00Z' }).message).toBe(
      'Config field "start_dat" is not a field of this connector: did you mean "start_date"?',
    );
    expect(configError({ app_api_key: 'k', regoin: 'EU' }).message).toMatch(/did you mean "region"\?/);
    const config = parseConfig({ app_api_key: 'k', favourite_colour: 'blue' });
    expect(config.warnings).toEqual([
      expect.stringMatching(
        /^Config field "favourite_colour" is not a field of this connector and is ignored/,
      ),
    ]);
  });
});
