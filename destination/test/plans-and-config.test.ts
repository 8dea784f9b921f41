import { ConfigError } from '@cio-connectors/kit/errors';
import { describe, expect, test } from 'vitest';
import { type DestinationConfig, parseConfig } from '../src/config.js';
import { OPERATIONS } from '../src/operations.js';
import { planStreams, streamKey } from '../src/plans.js';
import { DEFAULT_MAX_REJECTED_SHARE, DEFAULT_REQUESTS_PER_SECOND } from '../src/spec.js';

const BASE = { site_id: 'site', track_api_key: 'key' };

function configError(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).failureType).toBe('config_error');
    expect((error as ConfigError).message).not.toContain('\n');
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

const operation = (object: string, mode: string) =>
  OPERATIONS.find((candidate) => candidate.object === object && candidate.mode === mode);

describe('parseConfig', () => {
  test('the smallest config: defaults for everything else', () => {
    expect(parseConfig(BASE)).toEqual({
      siteId: 'site',
      trackApiKey: 'key',
      region: undefined,
      baseUrl: undefined,
      requestsPerSecond: DEFAULT_REQUESTS_PER_SECOND,
      maxRejectedShare: DEFAULT_MAX_REJECTED_SHARE,
      streamMappings: [],
      app: undefined,
      allowEmptyMirror: false,
      warnings: [],
    });
    expect(DEFAULT_REQUESTS_PER_SECOND).toBe(100);
    expect(DEFAULT_MAX_REJECTED_SHARE).toBe(0.1);
  });

  test('every field given; keys trimmed, an empty region asks Customer.io, base URL without trailing slash', () => {
    const config = parseConfig({
      site_id: ' site ',
      track_api_key: '\tkey\n',
      region: 'EU',
      track_base_url: 'http://127.0.0.1:8080/',
      requests_per_second: 50,
      max_rejected_share: 0,
      app_api_key: ' app-key ',
      app_base_url: 'http://127.0.0.1:8081/',
      app_requests_per_second: 5,
      allow_empty_mirror: true,
      stream_mappings: [
        { stream: 'users', object: 'person', sync_mode: 'update', fields: { person_id: 'uid' } },
        { stream: 'clicks', object: 'person_event' },
        { stream: 'vip', object: 'segment_membership', sync_mode: 'overwrite', segment_id: 7 },
        { stream: 'stores', object: 'collection', collection_name: 'Stores' },
      ],
    });
    expect(config).toEqual({
      siteId: 'site',
      trackApiKey: 'key',
      region: 'EU',
      baseUrl: 'http://127.0.0.1:8080',
      requestsPerSecond: 50,
      maxRejectedShare: 0,
      streamMappings: [
        {
          stream: 'users',
          object: 'person',
          syncMode: 'update',
          fields: { person_id: 'uid' },
          collectionName: undefined,
          segmentId: undefined,
        },
        {
          stream: 'clicks',
          object: 'person_event',
          syncMode: undefined,
          fields: {},
          collectionName: undefined,
          segmentId: undefined,
        },
        {
          stream: 'vip',
          object: 'segment_membership',
          syncMode: 'overwrite',
          fields: {},
          collectionName: undefined,
          segmentId: '7',
        },
        {
          stream: 'stores',
          object: 'collection',
          syncMode: undefined,
          fields: {},
          collectionName: 'Stores',
          segmentId: undefined,
        },
      ],
      app: { apiKey: 'app-key', baseUrl: 'http://127.0.0.1:8081', requestsPerSecond: 5 },
      allowEmptyMirror: true,
      warnings: [],
    });
    expect(parseConfig({ ...BASE, region: '' }).region).toBeUndefined();
    expect(parseConfig({ ...BASE, track_base_url: '  ' }).baseUrl).toBeUndefined();
  });

  test('not an object', () => {
    for (const raw of [null, undefined, [], 'config', 42]) {
      expect(configError(() => parseConfig(raw))).toBe(
        'The config must be a JSON object with at least "site_id" and "track_api_key".',
      );
    }
  });

  test('a missing or empty key', () => {
    expect(configError(() => parseConfig({ track_api_key: 'key' }))).toBe(
      'The config is missing the required field "site_id".',
    );
    expect(configError(() => parseConfig({ site_id: 'site' }))).toBe(
      'The config is missing the required field "track_api_key".',
    );
    for (const field of ['site_id', 'track_api_key']) {
      expect(configError(() => parseConfig({ ...BASE, [field]: '  ' }))).toBe(
        `Config field "${field}" is empty: copy it from Customer.io > Settings > Workspace Settings > API and webhook credentials > Tracking API keys.`,
      );
    }
    expect(configError(() => parseConfig({ ...BASE, site_id: 12345 }))).toBe(
      'The config field "site_id" must be of type string.',
    );
  });

  test('values the spec refuses', () => {
    expect(configError(() => parseConfig({ ...BASE, region: 'APAC' }))).toMatch(
      /^The config field "region" must be one of .*US, EU\.$/,
    );
    expect(configError(() => parseConfig({ ...BASE, requests_per_second: 0 }))).toBe(
      'The config field "requests_per_second" must be > 0.',
    );
    expect(configError(() => parseConfig({ ...BASE, requests_per_second: 1001 }))).toBe(
      'The config field "requests_per_second" must be <= 1000.',
    );
    expect(configError(() => parseConfig({ ...BASE, max_rejected_share: 1.5 }))).toBe(
      'The config field "max_rejected_share" must be <= 1.',
    );
  });

  test('a base URL that would leak the key, or is not a URL', () => {
    expect(configError(() => parseConfig({ ...BASE, track_base_url: 'http://example.com' }))).toBe(
      'Config field "track_base_url" uses plain http to "example.com", which would send the API key in clear: use https, or a loopback host for testing.',
    );
    expect(configError(() => parseConfig({ ...BASE, track_base_url: 'not a url' }))).toMatch(
      /^Config field "track_base_url" is not a valid URL/,
    );
  });

  test('stream mappings the spec refuses', () => {
    const mapping = (entry: object) => () => parseConfig({ ...BASE, stream_mappings: [entry] });
    expect(configError(mapping({ stream: 'a', object: 'company' }))).toBe(
      'Config field "stream_mappings" maps the stream "a" to "company", which is not an object of this destination: use person, person_event, person_page_view, person_screen_view, anonymous_event, person_identify, object, relationship, person_device, person_suppression, person_merge, person_subscription, segment_membership, collection, snippet, or object_<type> / relationship_<type> for an object type of the workspace.',
    );
    expect(configError(mapping({ stream: 'a' }))).toBe('The config is missing the required field "object".');
    expect(configError(mapping({ stream: 'a', object: 'person', sync_mode: 'upsert' }))).toMatch(
      /^The config field "stream_mappings\.0\.sync_mode" must be one of append, /,
    );
    expect(configError(mapping({ stream: 'a', object: 'person', columns: {} }))).toBe(
      'The config field "stream_mappings.0" must NOT have additional properties.',
    );
    expect(configError(mapping({ stream: 'a', object: 'person', fields: { person_id: '' } }))).toMatch(
      /^The config field "stream_mappings\.0\.fields\.person_id" /,
    );
  });

  test('a stream mapped twice', () => {
    expect(
      configError(() =>
        parseConfig({
          ...BASE,
          stream_mappings: [
            { stream: 'users', object: 'person' },
            { stream: 'clicks', object: 'person_event' },
            { stream: 'users', object: 'person', sync_mode: 'update' },
          ],
        }),
      ),
    ).toBe('Config field "stream_mappings" maps the stream "users" twice: keep one entry.');
  });
});

describe('streamKey', () => {
  test('namespace.name, or the name alone without a namespace', () => {
    expect(streamKey('people', 'crm')).toBe('crm.people');
    expect(streamKey('people', '')).toBe('people');
    expect(streamKey('people', undefined)).toBe('people');
    expect(streamKey('people', null)).toBe('people');
  });
});

describe('planStreams', () => {
  const NO_MAPPINGS: DestinationConfig = parseConfig(BASE);
  const withMappings = (mappings: object[]) => parseConfig({ ...BASE, stream_mappings: mappings });

  test('destination_object_name and destination_sync_mode choose the operation', () => {
    const plans = planStreams(
      {
        streams: [
          { stream: { name: 'people' }, destination_object_name: 'person', destination_sync_mode: 'update' },
          {
            stream: { name: 'gone' },
            destination_object_name: 'person',
            destination_sync_mode: 'soft_delete',
          },
          { stream: { name: 'clicks', namespace: 'web' }, destination_object_name: 'person_event' },
          { stream: { name: 'first' }, destination_object_name: 'person' },
        ],
      },
      NO_MAPPINGS,
    );
    expect([...plans.byStream.keys()]).toEqual(['people', 'gone', 'web.clicks', 'first']);
    expect(plans.byStream.get('people')?.operation).toBe(operation('person', 'update'));
    expect(plans.byStream.get('gone')?.operation).toBe(operation('person', 'soft_delete'));
    expect(plans.byStream.get('web.clicks')).toEqual({
      stream: 'clicks',
      operation: operation('person_event', 'append'),
      fields: {},
      matchingKey: undefined,
      collectionName: 'clicks',
      segmentId: undefined,
    });
    // Without a mode, the object's first operation.
    expect(plans.byStream.get('first')?.operation).toBe(operation('person', 'append_dedup'));
    expect(plans.warnings).toEqual([]);
  });

  test('stream_mappings are used when the catalog names no object', () => {
    const config = withMappings([
      { stream: 'users', object: 'person', sync_mode: 'update', fields: { person_id: 'uid' } },
      { stream: 'views', object: 'person_page_view' },
    ]);
    const plans = planStreams(
      {
        streams: [{ stream: { name: 'users' } }, { stream: { name: 'views' }, destination_object_name: '' }],
      },
      config,
    );
    expect(plans.byStream.get('users')).toEqual({
      stream: 'users',
      operation: operation('person', 'update'),
      fields: { person_id: 'uid' },
      matchingKey: undefined,
      collectionName: 'users',
      segmentId: undefined,
    });
    expect(plans.byStream.get('views')?.operation).toBe(operation('person_page_view', 'append'));
  });

  test("the catalog's object wins over a mapping, whose fields still apply", () => {
    const config = withMappings([{ stream: 'users', object: 'person_event', fields: { person_id: 'uid' } }]);
    const plan = planStreams(
      { streams: [{ stream: { name: 'users' }, destination_object_name: 'person' }] },
      config,
    ).byStream.get('users');
    expect(plan?.operation).toBe(operation('person', 'append_dedup'));
    expect(plan?.fields).toEqual({ person_id: 'uid' });
  });

  test("the primary key's first column names the matching key, directly or through a mapped column", () => {
    const config = withMappings([{ stream: 'users', object: 'person', fields: { person_email: 'mail' } }]);
    const plan = (primaryKey: unknown, name = 'users') =>
      planStreams({ streams: [{ stream: { name }, primary_key: primaryKey }] }, config).byStream.get(name);
    expect(plan([['mail']])?.matchingKey).toBe('person_email');
    expect(plan([['person_id']])?.matchingKey).toBe('person_id');
    expect(plan([['person_email']])?.matchingKey).toBe('person_email');
    expect(plan([['mail'], ['person_id']])?.matchingKey).toBe('person_email');
    expect(plan([['updated_at']])?.matchingKey).toBeUndefined();
    expect(plan([])?.matchingKey).toBeUndefined();
    expect(plan('mail')?.matchingKey).toBeUndefined();
    expect(plan(undefined)?.matchingKey).toBeUndefined();
  });

  test('a warning for each mapping of a stream the catalog does not list', () => {
    const config = withMappings([
      { stream: 'users', object: 'person' },
      { stream: 'ghost', object: 'person_event' },
      { stream: 'phantom', object: 'person' },
    ]);
    expect(planStreams({ streams: [{ stream: { name: 'users' } }] }, config).warnings).toEqual([
      'Config field "stream_mappings" maps the stream "ghost", which the catalog does not list: nothing is written for it.',
      'Config field "stream_mappings" maps the stream "phantom", which the catalog does not list: nothing is written for it.',
    ]);
  });

  test('a catalog that is not one', () => {
    for (const catalog of [null, undefined, 'catalog', [], {}, { streams: {} }, { streams: 'people' }]) {
      expect(configError(() => planStreams(catalog, NO_MAPPINGS))).toBe(
        'The catalog must be a JSON object with a "streams" list (a configured catalog).',
      );
    }
  });

  test('a stream without a name', () => {
    const valid = { stream: { name: 'people' }, destination_object_name: 'person' };
    for (const bad of [{}, null, { stream: { name: '' } }, { stream: { name: 7 } }, { stream: 'people' }]) {
      expect(configError(() => planStreams({ streams: [valid, bad] }, NO_MAPPINGS))).toBe(
        'Catalog stream 2 has no "stream": {"name": ...}: fix the catalog.',
      );
    }
  });

  test('an object this destination does not have', () => {
    expect(
      configError(() =>
        planStreams(
          { streams: [{ stream: { name: 'a' }, destination_object_name: 'company' }] },
          NO_MAPPINGS,
        ),
      ),
    ).toBe(
      'Stream "a" writes "company", which is not an object of this destination: use person, person_event, person_page_view, person_screen_view, anonymous_event, person_identify, object, relationship, person_device, person_suppression, person_merge, person_subscription, segment_membership, collection or snippet.',
    );
    expect(
      configError(() =>
        planStreams(
          { streams: [{ stream: { name: 'a' }, destination_object_name: 'object_companies' }] },
          NO_MAPPINGS,
        ),
      ),
    ).toMatch(/^Stream "a" writes "object_companies", but the workspace has no object type named so/);
  });

  test('a mode the object does not take, from the catalog or a mapping', () => {
    const catalog = (object: string, mode: string) => ({
      streams: [{ stream: { name: 'a' }, destination_object_name: object, destination_sync_mode: mode }],
    });
    expect(configError(() => planStreams(catalog('person_event', 'update'), NO_MAPPINGS))).toBe(
      'Stream "a" writes person_event in mode update, which person_event does not take: use append.',
    );
    expect(configError(() => planStreams(catalog('person', 'append'), NO_MAPPINGS))).toBe(
      'Stream "a" writes person in mode append, which person does not take: use append_dedup, update or soft_delete.',
    );
    const config = withMappings([{ stream: 'a', object: 'anonymous_event', sync_mode: 'overwrite' }]);
    expect(configError(() => planStreams({ streams: [{ stream: { name: 'a' } }] }, config))).toBe(
      'Stream "a" writes anonymous_event in mode overwrite, which anonymous_event does not take: use append.',
    );
  });

  test('a stream that names no object and has no mapping', () => {
    expect(configError(() => planStreams({ streams: [{ stream: { name: 'a' } }] }, NO_MAPPINGS))).toBe(
      'Stream "a" names no destination object: set its "destination_object_name" in the catalog, or add {"stream": "a", "object": "person"} (or another object) to the config\'s "stream_mappings".',
    );
  });

  test('a stream listed twice; the same name in another namespace is another stream', () => {
    const stream = (namespace?: string) => ({
      stream: namespace === undefined ? { name: 'people' } : { name: 'people', namespace },
      destination_object_name: 'person',
    });
    expect(configError(() => planStreams({ streams: [stream(), stream('')] }, NO_MAPPINGS))).toBe(
      'The catalog lists the stream "people" twice: keep one.',
    );
    expect(configError(() => planStreams({ streams: [stream('crm'), stream('crm')] }, NO_MAPPINGS))).toBe(
      'The catalog lists the stream "crm.people" twice: keep one.',
    );
    expect([...planStreams({ streams: [stream(), stream('crm')] }, NO_MAPPINGS).byStream.keys()]).toEqual([
      'people',
      'crm.people',
    ]);
  });

  test('an empty catalog plans nothing', () => {
    expect(planStreams({ streams: [] }, NO_MAPPINGS)).toEqual({ byStream: new Map(), warnings: [] });
  });
});
