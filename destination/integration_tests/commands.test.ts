// spec, check and discover, and the command line, run as the built destination against the Track simulator.
import { describe, expect, test } from 'vitest';
import {
  appConfigFor,
  configFor,
  errorsOf,
  ofType,
  operationsOf,
  runDestination,
  simulatorPerTest,
} from './harness.js';

const start = simulatorPerTest();

const connectionStatus = (messages: Array<Record<string, unknown>>) =>
  (messages.find((message) => message.type === 'CONNECTION_STATUS')?.connectionStatus ?? {}) as {
    status?: string;
    message?: string;
  };

describe('spec', () => {
  test('one SPEC whose secret is the Track API key and whose fields are the documented ones', async () => {
    const result = await runDestination('spec');
    expect(result.exitCode).toBe(0);
    expect(result.messages).toHaveLength(1);
    const spec = result.messages[0]?.spec as {
      connectionSpecification: { properties: Record<string, { airbyte_secret?: boolean }> };
    };
    const properties = spec.connectionSpecification.properties;
    expect(Object.keys(properties)).toEqual([
      'site_id',
      'track_api_key',
      'region',
      'track_base_url',
      'requests_per_second',
      'max_rejected_share',
      'app_api_key',
      'app_base_url',
      'app_requests_per_second',
      'allow_empty_mirror',
      'stream_mappings',
    ]);
    expect(
      Object.entries(properties)
        .filter(([, property]) => property.airbyte_secret)
        .map(([name]) => name),
    ).toEqual(['track_api_key', 'app_api_key']);
  });
});

describe('check', () => {
  test('good credentials: SUCCEEDED, naming the data center', async () => {
    const sim = await start({ region: 'eu' });
    const result = await runDestination('check', { config: configFor(sim) });
    expect(result.exitCode).toBe(0);
    expect(connectionStatus(result.messages)).toEqual({
      status: 'SUCCEEDED',
      message: expect.stringMatching(/the workspace is in the EU data center/),
    });
  });

  test('a wrong key: FAILED, saying which fields to check, without the key', async () => {
    const sim = await start();
    const result = await runDestination('check', {
      config: configFor(sim, { track_api_key: 'wrong-key-123456' }),
    });
    expect(result.exitCode).toBe(0);
    const status = connectionStatus(result.messages);
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/401.*"site_id" and "track_api_key"/);
    expect(JSON.stringify(result.messages)).not.toContain('wrong-key-123456');
  });

  test("a region that is not the workspace's: FAILED, naming the right one", async () => {
    const sim = await start({ region: 'us' });
    const result = await runDestination('check', { config: configFor(sim, { region: 'EU' }) });
    expect(connectionStatus(result.messages)).toEqual({
      status: 'FAILED',
      message: expect.stringMatching(/US data center, but "region" is EU: set "region" to US/),
    });
  });

  test.each([
    [{ site_id: 's' }, /missing the required field "track_api_key"/],
    [{ site_id: ' ', track_api_key: 'k' }, /"site_id" is empty/],
    [{ site_id: 's', track_api_key: 'k', region: 'APAC' }, /"region" must be one of "" \(empty\), US, EU/],
    [
      { site_id: 's', track_api_key: 'k', track_base_url: 'http://example.com' },
      /plain http to "example.com"/,
    ],
    [{ site_id: 's', track_api_key: 'k', requests_per_second: 5000 }, /requests_per_second/],
  ])('a malformed config %j: FAILED with what to fix', async (config, message) => {
    const result = await runDestination('check', { config });
    expect(result.exitCode).toBe(0);
    expect(connectionStatus(result.messages)).toEqual({
      status: 'FAILED',
      message: expect.stringMatching(message),
    });
  });

  test('with an App API key: both keys checked; a wrong App API key FAILS naming it, never printing it', async () => {
    const sim = await start();
    const good = await runDestination('check', { config: appConfigFor(sim) });
    expect(connectionStatus(good.messages)).toEqual({
      status: 'SUCCEEDED',
      message: expect.stringMatching(
        /Track API credentials accepted.* App API key accepted: 2 object type\(s\)\./,
      ),
    });
    const wrong = await runDestination('check', {
      config: appConfigFor(sim, { app_api_key: 'wrong-app-key-777' }),
    });
    const status = connectionStatus(wrong.messages);
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/401.*"app_api_key"/);
    expect(JSON.stringify(wrong.messages) + wrong.stderr).not.toContain('wrong-app-key-777');
  });

  test('a config file that is not JSON: FAILED, and its key never printed', async () => {
    const result = await runDestination('check', {
      config: '{"site_id": "s", "track_api_key": "secret-value-99",',
    });
    expect(connectionStatus(result.messages).status).toBe('FAILED');
    expect(JSON.stringify(result.messages) + result.stderr).not.toContain('secret-value-99');
  });
});

describe('discover', () => {
  test('exactly one DESTINATION_CATALOG: every operation with its schema and matching keys', async () => {
    const sim = await start();
    const result = await runDestination('discover', { config: configFor(sim) });
    expect(result.exitCode).toBe(0);
    expect(result.messages.map((message) => message.type)).toEqual(['DESTINATION_CATALOG']);
    const operations = operationsOf(result);
    expect(operations.map((operation) => `${operation.object_name}/${operation.sync_mode}`)).toEqual([
      'person/append_dedup',
      'person/update',
      'person/soft_delete',
      'person_event/append',
      'person_page_view/append',
      'person_screen_view/append',
      'anonymous_event/append',
      'person_identify/append_dedup',
      'object/append_dedup',
      'object/soft_delete',
      'relationship/append',
      'relationship/soft_delete',
      'person_device/append_dedup',
      'person_device/soft_delete',
      'person_suppression/append',
      'person_suppression/soft_delete',
      'person_merge/append',
      'person_subscription/append_dedup',
      'segment_membership/append',
      'segment_membership/soft_delete',
      'segment_membership/overwrite',
      'collection/overwrite',
      'snippet/append_dedup',
      'snippet/soft_delete',
    ]);
    // Without an App API key, no object types: no object_<type> operations.
    expect(operations.some((operation) => String(operation.object_name).startsWith('object_'))).toBe(false);
    const event = operations.find((operation) => operation.object_name === 'person_event');
    expect(event?.matching_keys).toEqual([
      ['person_id'],
      ['person_email'],
      ['person_cio_id'],
      ['person_phone'],
    ]);
    expect(event?.json_schema).toMatchObject({
      required: ['event_name'],
      properties: { event_id: {}, timestamp: {} },
    });
  });

  test('with an App API key: object_<type> and relationship_<type> for each object type, needing no type id', async () => {
    const sim = await start();
    const result = await runDestination('discover', { config: appConfigFor(sim) });
    expect(result.exitCode).toBe(0);
    const typed = operationsOf(result)
      .map((operation) => `${operation.object_name}/${operation.sync_mode}`)
      .filter((name) => /^(object|relationship)_/.test(name));
    expect(typed).toEqual([
      'object_companies/append_dedup',
      'object_companies/soft_delete',
      'relationship_companies/append',
      'relationship_companies/soft_delete',
      'object_sales_accounts/append_dedup',
      'object_sales_accounts/soft_delete',
      'relationship_sales_accounts/append',
      'relationship_sales_accounts/soft_delete',
    ]);
    const relationship = operationsOf(result).find(
      (operation) => operation.object_name === 'relationship_companies',
    );
    expect(relationship?.json_schema).toMatchObject({ required: ['object_id'] });
    expect(JSON.stringify(result.messages) + result.stderr).not.toContain(sim.appApiKey);
  });

  test('a config the spec refuses is a config_error', async () => {
    const result = await runDestination('discover', { config: { site_id: 's' } });
    expect(result.exitCode).toBe(1);
    expect(errorsOf(result)).toEqual([
      { message: expect.stringMatching(/track_api_key/), failure_type: 'config_error' },
    ]);
  });
});

describe('command line', () => {
  test.each([
    [['bogus'], /Unknown/],
    [[], /Give one command: spec, check, discover or write/],
    [['write', '--config', 'x.json'], /Missing required argument: catalog/],
  ])('%j is a one-line usage error with exit 2', async (args, message) => {
    const [command = '', ...rest] = args;
    const result = await runDestination(command, {}, rest);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(ofType(result.messages, 'TRACE')).toHaveLength(1);
  });
});
