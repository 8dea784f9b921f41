import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { AirbyteStream } from '@cio-connectors/kit/protocol';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  errorsOf,
  FAST_RETRIES,
  ofType,
  protocolProblems,
  ROOT,
  type RunResult,
  runConnector,
  simulatorConfig,
} from './harness.js';
import { type Simulator, startSimulator } from './simulator/index.js';

const STREAMS = ['campaigns', 'campaign_actions', 'broadcasts', 'newsletters', 'segments'];
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ requestsPerSecond: null, forbiddenPaths: [/^\/v1\/workspaces$/] });
});
afterAll(async () => {
  await sim.close();
});

function connectionStatuses(result: RunResult) {
  return ofType(result.messages, 'CONNECTION_STATUS').map((message) => message.connectionStatus);
}

describe('spec', () => {
  test('prints one SPEC message equal to integration_tests/spec.json', async () => {
    const result = await runConnector('spec');
    expect(result.exitCode).toBe(0);
    expect(protocolProblems(result)).toEqual([]);
    expect(result.messages).toHaveLength(1);
    const spec = ofType(result.messages, 'SPEC')[0]?.spec;
    const expected = JSON.parse(
      readFileSync(join(ROOT, 'integration_tests', 'spec.json'), 'utf8'),
    ) as JsonObject;
    expect(spec).toEqual(expected);
  });

  test('follows the acceptance-test spec rules', async () => {
    const spec = ofType((await runConnector('spec')).messages, 'SPEC')[0]?.spec;
    const schema = spec?.connectionSpecification as JsonObject;
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(schema)).toBe(true);
    const text = JSON.stringify(schema);
    for (const keyword of [
      '"not"',
      '"anyOf"',
      '"allOf"',
      '"patternProperties"',
      '"$ref"',
      '"if"',
      '"prefixItems"',
    ]) {
      expect(text).not.toContain(`${keyword}:`);
    }
    expect(text).not.toContain('"additionalProperties":false');
    const properties = schema.properties as Record<string, JsonObject>;
    const orders = Object.values(properties).map((property) => property.order);
    expect(new Set(orders).size).toBe(orders.length);
    expect(properties.app_api_key?.airbyte_secret).toBe(true);
    expect(schema.required).toEqual(['app_api_key']);
    expect(Object.keys(properties).sort()).toEqual(
      [
        'activity_types',
        'app_api_key',
        'base_url',
        'customer_attributes',
        'customers_filter',
        'customers_method',
        'esp_suppression_domains',
        'include_deleted_people_activities',
        'messages_lookback_days',
        'message_types',
        'per_person_method',
        'region',
        'requests_per_second',
        'start_date',
      ].sort(),
    );
  });
});

describe('check', () => {
  test('succeeds against the simulator', async () => {
    const open = await startSimulator({ requestsPerSecond: null });
    try {
      const result = await runConnector('check', { config: simulatorConfig(open) });
      expect(result.exitCode).toBe(0);
      expect(protocolProblems(result)).toEqual([]);
      expect(connectionStatuses(result)).toEqual([{ status: 'SUCCEEDED' }]);
    } finally {
      await open.close();
    }
  });

  test.each([
    [
      'a wrong key (or a Track key, or the wrong region)',
      { app_api_key: 'wrong-key-abcdef' },
      /Track API key.*region/,
    ],
    ['a key without scope', {}, /scope/],
    ['an unknown region', { region: 'MARS' }, /"region" must be one of "" \(empty\), US, EU/],
    ['plain http to a remote host', { base_url: 'http://api.customer.io' }, /in clear/],
    ['a start_date that is not a date', { start_date: 'last tuesday' }, /"start_date"/],
  ])('fails with one actionable CONNECTION_STATUS and exit 0 for %s', async (_name, overrides, message) => {
    const config: JsonObject = { ...simulatorConfig(sim), ...overrides };
    const result = await runConnector('check', { config, env: FAST_RETRIES });
    expect(result.exitCode).toBe(0);
    expect(protocolProblems(result)).toEqual([]);
    const statuses = connectionStatuses(result);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]?.status).toBe('FAILED');
    expect(statuses[0]?.message).toMatch(message);
    expect(result.lines.join('\n') + result.stderr).not.toContain(String(config.app_api_key));
  });

  test('succeeds with a warning naming the streams a narrow key cannot read', async () => {
    const narrow = await startSimulator({
      requestsPerSecond: null,
      forbiddenPaths: [/^\/v1\/messages$/, /^\/v1\/customers$/],
    });
    try {
      const result = await runConnector('check', { config: simulatorConfig(narrow) });
      expect(result.exitCode).toBe(0);
      const [status] = connectionStatuses(result);
      expect(status?.status).toBe('SUCCEEDED');
      expect(status?.message).toMatch(
        /scope does not cover these streams \(403\): messages, customers, customer_segments/,
      );
      expect(status?.message).not.toMatch(/campaigns/);
      const warnings = ofType(result.messages, 'LOG').filter((message) => message.log.level === 'WARN');
      expect(warnings).toHaveLength(1);
    } finally {
      await narrow.close();
    }
  });

  test('a config file that is not JSON fails the check, exit 0, and never echoes the key', async () => {
    const result = await runConnector('check', { config: '{"app_api_key": "leaky-key-123456", ' });
    expect(result.exitCode).toBe(0);
    expect(connectionStatuses(result)).toEqual([
      { status: 'FAILED', message: expect.stringMatching(/not valid JSON/) },
    ]);
    expect(result.lines.join('\n') + result.stderr).not.toContain('leaky-key-123456');
  });

  test('an unreachable host fails fast with a transient message', async () => {
    const result = await runConnector('check', {
      config: { app_api_key: 'k-123456', base_url: 'http://127.0.0.1:9' },
      env: FAST_RETRIES,
    });
    expect(result.exitCode).toBe(0);
    expect(connectionStatuses(result)[0]).toMatchObject({
      status: 'FAILED',
      message: expect.stringMatching(/temporary/),
    });
  });
});

describe('discover', () => {
  test('lists every stream with valid schemas, primary keys and sync modes', async () => {
    const result = await runConnector('discover', { config: simulatorConfig(sim) });
    expect(result.exitCode).toBe(0);
    expect(protocolProblems(result)).toEqual([]);
    const catalogs = ofType(result.messages, 'CATALOG');
    expect(catalogs).toHaveLength(1);
    const streams = catalogs[0]?.catalog.streams ?? [];
    expect(streams).toHaveLength(57);
    expect(streams.map((stream) => stream.name)).toEqual(expect.arrayContaining(STREAMS));
    expect(new Set(streams.map((stream) => stream.name)).size).toBe(streams.length);
    const ajv = new Ajv({ strict: false });
    for (const stream of streams as AirbyteStream[]) {
      expect(ajv.validateSchema(stream.json_schema), stream.name).toBe(true);
      expect(stream.supported_sync_modes).toContain('full_refresh');
      const properties = stream.json_schema.properties as Record<string, { type?: unknown }>;
      for (const [field] of stream.source_defined_primary_key ?? []) {
        const type = properties[field ?? '']?.type;
        expect(type, `${stream.name}.${field}`).toBeDefined();
        expect([type].flat()).not.toContain('object');
        expect([type].flat()).not.toContain('array');
        // The one nullable key part: esp_suppressions.domain is null without esp_suppression_domains (issue 13).
        if (stream.name === 'esp_suppressions' && field === 'domain')
          expect(type).toEqual(['null', 'string']);
        else expect([type].flat()).not.toContain('null');
      }
      for (const field of stream.default_cursor_field ?? []) expect(properties[field]).toBeDefined();
      expect(JSON.stringify(stream.json_schema)).not.toContain('"additionalProperties":false');
    }
    expect(streams.find((stream) => stream.name === 'campaign_actions')?.source_defined_primary_key).toEqual([
      ['campaign_id'],
      ['id'],
    ]);
  });

  test('refuses an invalid config with a config_error trace and a non-zero exit', async () => {
    const result = await runConnector('discover', { config: { region: 'US' } });
    expect(result.exitCode).not.toBe(0);
    expect(protocolProblems(result)).toEqual([]);
    expect(errorsOf(result.messages)).toEqual([
      expect.objectContaining({
        failure_type: 'config_error',
        message: expect.stringMatching(/app_api_key/),
      }),
    ]);
  });
});

describe('command line', () => {
  test.each([
    [['bogus'], /Unknown/],
    [[], /Give one command/],
    [['check'], /Missing required argument: config/],
  ])('%j is a one-line usage error with a non-zero exit', async (args, message) => {
    const [command = '', ...rest] = args;
    const result = await runConnector(command, {}, rest);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(protocolProblems(result)).toEqual([]);
  });

  test('a missing --config file is named in the error', async () => {
    const result = await runConnector('discover', {}, ['--config', '/nonexistent/config.json']);
    expect(result.exitCode).toBe(2);
    expect(errorsOf(result.messages)[0]?.message).toBe('--config file not found: /nonexistent/config.json');
  });
});
