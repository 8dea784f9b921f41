/**
 * What the Airbyte CDK's standard tests (airbyte_cdk.test.standard_tests, see docs/acceptance-tests.md) check,
 * run here against the simulator: one SPEC, exactly one CONNECTION_STATUS from check, discover, a full-refresh
 * `append_dedup` read of every discovered stream with records in each, and a bad catalog refused with errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { AirbyteStream } from '@cio-connectors/kit/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  errorsOf,
  ofType,
  ROOT,
  type RunResult,
  recordsOf,
  runConnector,
  simulatorConfig,
  statusesOf,
} from './harness.js';
import { generateWorkspace, type Simulator, startSimulator } from './simulator/index.js';

let sim: Simulator;
let discovered: AirbyteStream[];

beforeAll(async () => {
  // A small workspace that still has data in every stream: this suite is about the commands, not volume.
  const workspace = generateWorkspace({
    campaigns: 3,
    maxActionsPerCampaign: 3,
    broadcasts: 2,
    newsletters: 3,
    segments: 3,
    people: 30,
    deliveries: 80,
    activities: 30,
  });
  sim = await startSimulator({ requestsPerSecond: null, workspace });
  const result = await runConnector('discover', { config: simulatorConfig(sim) });
  discovered = ofType(result.messages, 'CATALOG')[0]?.catalog.streams ?? [];
});
afterAll(async () => {
  await sim.close();
});

const connectionStatuses = (result: RunResult) =>
  ofType(result.messages, 'CONNECTION_STATUS').map((message) => message.connectionStatus);

test('spec: exactly one message, a SPEC', async () => {
  const result = await runConnector('spec');
  expect(result.exitCode).toBe(0);
  expect(result.messages.map((message) => message.type)).toEqual(['SPEC']);
});

describe('check: exactly one CONNECTION_STATUS, exit 0, whatever the config', () => {
  test('a working config succeeds', async () => {
    const result = await runConnector('check', { config: simulatorConfig(sim) });
    expect(result.exitCode).toBe(0);
    expect(connectionStatuses(result)).toEqual([{ status: 'SUCCEEDED' }]);
  });

  test('integration_tests/invalid_config.json fails', async () => {
    const config = readFileSync(join(ROOT, 'integration_tests', 'invalid_config.json'), 'utf8');
    const result = await runConnector('check', { config });
    expect(result.exitCode).toBe(0);
    expect(connectionStatuses(result)).toEqual([{ status: 'FAILED', message: expect.any(String) }]);
  });

  test('a config file that does not exist fails', async () => {
    const result = await runConnector('check', {}, ['--config', '/nonexistent/secrets/config.json']);
    expect(result.exitCode).toBe(0);
    expect(connectionStatuses(result)).toEqual([{ status: 'FAILED', message: expect.any(String) }]);
  });
});

test('discover: one CATALOG with every stream offering full_refresh', () => {
  expect(discovered.length).toBeGreaterThan(0);
  for (const stream of discovered) expect(stream.supported_sync_modes, stream.name).toContain('full_refresh');
});

describe('basic read: full_refresh + append_dedup of every discovered stream', () => {
  let result: RunResult;
  beforeAll(async () => {
    const catalog = {
      streams: discovered.map((stream) => ({
        stream,
        sync_mode: 'full_refresh',
        destination_sync_mode: 'append_dedup',
        // What today's platform adds to each entry; a source must accept and ignore it.
        generation_id: 3,
        minimum_generation_id: 3,
        sync_id: 42,
        include_files: false,
        destination_object_name: `customer_io_${stream.name}`,
      })),
    };
    result = await runConnector('read', {
      config: simulatorConfig(sim, { requests_per_second: 1000 }),
      catalog,
    });
  }, 180_000);

  test('exits 0 with no error', () => {
    expect(errorsOf(result.messages)).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  test('every stream completes with at least one record', () => {
    const empty = discovered
      .map((stream) => stream.name)
      .filter((name) => recordsOf(result.messages, name).length === 0);
    expect(empty).toEqual([]);
    for (const { name } of discovered)
      expect(statusesOf(result.messages, name).at(-1), name).toBe('COMPLETE');
  });
});

describe('a bad catalog is refused with ERROR traces and a non-zero exit', () => {
  const read = (catalog: JsonObject) => runConnector('read', { config: simulatorConfig(sim), catalog });

  test("the CDK's own: an unknown stream with an INVALID sync_mode", async () => {
    const result = await read({
      streams: [
        {
          stream: {
            name: '__AIRBYTE__stream_that_does_not_exist',
            json_schema: { type: 'object', properties: { f1: { type: 'string' } } },
            supported_sync_modes: ['full_refresh'],
          },
          sync_mode: 'INVALID',
          destination_sync_mode: 'INVALID',
        },
      ],
    });
    expect(result.exitCode).not.toBe(0);
    expect(errorsOf(result.messages)).toEqual([
      expect.objectContaining({
        failure_type: 'config_error',
        message: expect.stringContaining('__AIRBYTE__stream_that_does_not_exist'),
      }),
    ]);
    expect(recordsOf(result.messages, '__AIRBYTE__stream_that_does_not_exist')).toEqual([]);
  });

  test('a real stream with an INVALID sync_mode: the error names the stream and the value', async () => {
    const result = await read({
      streams: [
        {
          stream: { name: 'campaigns', json_schema: {}, supported_sync_modes: ['full_refresh'] },
          sync_mode: 'INVALID',
          destination_sync_mode: 'append_dedup',
        },
      ],
    });
    expect(result.exitCode).toBe(1);
    expect(errorsOf(result.messages)).toEqual([
      expect.objectContaining({
        failure_type: 'config_error',
        message: expect.stringMatching(/stream "campaigns" the sync_mode "INVALID"/),
      }),
    ]);
    expect(ofType(result.messages, 'RECORD')).toEqual([]);
  });
});

describe('integration_tests/standard_tests (the CDK harness, run with Docker: docs/acceptance-tests.md)', () => {
  const dir = join(ROOT, 'integration_tests', 'standard_tests');
  type Scenario = { config_path?: string; status?: string; empty_streams?: unknown };
  const scenarios = (
    parseYaml(readFileSync(join(dir, 'scenarios.yml'), 'utf8')) as {
      acceptance_tests: Record<string, { tests: Scenario[] }>;
    }
  ).acceptance_tests;

  test('scenarios: the workspace config must pass check, invalid_config.json must not, no empty_streams', () => {
    const tests = Object.values(scenarios).flatMap((section) => section.tests);
    expect(tests.map(({ config_path, status }) => [config_path, status])).toEqual([
      ['secrets/config.json', 'succeed'],
      ['integration_tests/invalid_config.json', 'failed'],
    ]);
    // airbyte-cdk 7.28.2's image read test crashes on a scenario with empty_streams.
    expect(tests.filter((entry) => entry.empty_streams !== undefined)).toEqual([]);
    for (const { config_path: path = '' } of tests)
      if (!path.startsWith('secrets/')) expect(existsSync(join(ROOT, path)), path).toBe(true);
  });

  test('the pytest module subclasses the CDK image suite and reads scenarios.yml', () => {
    const module = readFileSync(join(dir, 'test_image.py'), 'utf8');
    expect(module).toContain(
      'from airbyte_cdk.test.standard_tests.docker_base import DockerConnectorTestSuite',
    );
    expect(module).toMatch(/class Test\w+\(DockerConnectorTestSuite\):/);
    expect(module).toContain('"scenarios.yml"');
    expect(readFileSync(join(dir, 'conftest.py'), 'utf8')).toContain(
      'airbyte_cdk.test.standard_tests.pytest_hooks',
    );
  });
});
