// The files the acceptance tests and a new user start from: each must say what the connector really does.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { AirbyteStream, ConfiguredAirbyteCatalog } from '@cio-connectors/kit/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { incrementalCatalog } from './acceptance.js';
import {
  configuredCatalog,
  ofType,
  PROTOCOL_YAML,
  ROOT,
  recordsOf,
  runConnector,
  simulatorConfig,
} from './harness.js';
import { startSimulatorProcess } from './loopback.js';
import { DEFAULT_API_KEY, type Simulator, startSimulator } from './simulator/index.js';

const file = (name: string) => readFileSync(join(ROOT, 'integration_tests', name), 'utf8');
const json = <T>(name: string) => JSON.parse(file(name)) as T;

interface EmptyStream {
  name?: unknown;
  bypass_reason?: unknown;
}
interface SuiteTest {
  config_path?: string;
  configured_catalog_path?: string;
  empty_streams?: EmptyStream[];
  expect_records?: { path?: string };
  future_state?: { future_state_path?: string };
}
type Suites = Record<string, { tests?: SuiteTest[] }>;

const acceptance = parseYaml(file('acceptance-test-config.yml')) as { acceptance_tests: Suites };
const suites = acceptance.acceptance_tests;
const testsOf = (suite: string): SuiteTest[] => suites[suite]?.tests ?? [];
const expectedRecords = file('expected_records.jsonl')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { stream: string; data: JsonObject; emitted_at: unknown });

let sim: Simulator;
let discovered: AirbyteStream[];

beforeAll(async () => {
  sim = await startSimulator({ requestsPerSecond: null });
  const result = await runConnector('discover', { config: simulatorConfig(sim) });
  discovered = ofType(result.messages, 'CATALOG')[0]?.catalog.streams ?? [];
});
afterAll(async () => {
  await sim.close();
});

describe('acceptance-test-config.yml at high strictness', () => {
  test('basic_read: every discovered stream has expected records or an empty_streams bypass_reason', () => {
    const [basicRead, ...others] = testsOf('basic_read');
    expect(others).toEqual([]);
    expect(
      basicRead?.configured_catalog_path,
      'high strictness reads the discovered catalog',
    ).toBeUndefined();
    expect(basicRead?.expect_records?.path).toBe('integration_tests/expected_records.jsonl');
    const empty = basicRead?.empty_streams ?? [];
    const names = discovered.map((stream) => stream.name);
    for (const entry of empty) {
      expect(names, 'empty_streams names a discovered stream').toContain(entry.name);
      expect(
        typeof entry.bypass_reason === 'string' && entry.bypass_reason.trim() !== '',
        String(entry.name),
      ).toBe(true);
    }
    const bypassed = new Set(empty.map((entry) => entry.name));
    const withRecords = new Set(expectedRecords.map((record) => record.stream));
    const uncovered = names.filter((name) => !bypassed.has(name) && !withRecords.has(name));
    expect(uncovered, 'streams basic_read reads with neither records nor a bypass reason').toEqual([]);
    const expectedButBypassed = [...withRecords].filter(
      (name) => bypassed.has(name) || !names.includes(name),
    );
    expect(expectedButBypassed, 'expected records of streams basic_read does not read').toEqual([]);
  });

  test('incremental: append_dedup on every incremental stream, a far-future state for each, no lookback', () => {
    const incremental = json<ConfiguredAirbyteCatalog>('configured_catalog_incremental.json');
    expect(incremental).toEqual(incrementalCatalog(discovered));
    const [suite, ...others] = testsOf('incremental');
    expect(others).toEqual([]);
    expect(suite?.configured_catalog_path).toBe('integration_tests/configured_catalog_incremental.json');
    expect(suite?.future_state?.future_state_path).toBe('integration_tests/abnormal_state.json');
    const future = json<Array<{ stream: { stream_descriptor: { name: string } } }>>('abnormal_state.json');
    expect(future.map((state) => state.stream.stream_descriptor.name).sort()).toEqual(
      incremental.streams.map((entry) => entry.stream.name).sort(),
    );
    expect(suite?.config_path).toBe('secrets/incremental_config.json');
    expect(json<JsonObject>('sample_incremental_config.json').messages_lookback_days).toBe(0);
  });

  test('every config is checked in, or is a secret with a checked-in sample of the same shape', () => {
    const spec = json<{ connectionSpecification: { properties: JsonObject } }>('spec.json');
    const fields = Object.keys(spec.connectionSpecification.properties);
    const paths = Object.values(suites).flatMap((suite) =>
      (suite.tests ?? []).flatMap((t) => t.config_path ?? []),
    );
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) {
      const secret = /^secrets\/(.+)$/.exec(path)?.[1];
      const local = secret === undefined ? path : `integration_tests/sample_${secret}`;
      expect(existsSync(join(ROOT, local)), local).toBe(true);
      const config = JSON.parse(readFileSync(join(ROOT, local), 'utf8')) as JsonObject;
      for (const key of Object.keys(config)) expect(fields, `${local}: ${key}`).toContain(key);
    }
  });

  test('the catalogs name discovered streams in modes they support', () => {
    const modes = new Map(discovered.map((stream) => [stream.name, stream.supported_sync_modes]));
    for (const name of ['configured_catalog.json', 'configured_catalog_incremental.json']) {
      for (const entry of json<ConfiguredAirbyteCatalog>(name).streams)
        expect(modes.get(entry.stream.name), name).toContain(entry.sync_mode);
    }
  });
});

test('expected_records.jsonl holds records the connector reads from the bundled simulator', async () => {
  const streams = [...new Set(expectedRecords.map((record) => record.stream))];
  const read = await runConnector('read', {
    config: simulatorConfig(sim, { requests_per_second: 1000 }),
    catalog: configuredCatalog(streams),
  });
  expect(read.exitCode).toBe(0);
  for (const { stream, data, emitted_at } of expectedRecords) {
    expect(Number.isInteger(emitted_at)).toBe(true);
    expect(recordsOf(read.messages, stream), stream).toContainEqual(data);
  }
  // One read of the 39 streams basic_read expects records from.
}, 120_000);

test('sample_state.json is a state the connector reads from', async () => {
  const state = json<Array<{ stream: { stream_descriptor: { name: string } } }>>('sample_state.json');
  const names = state.map((entry) => entry.stream.stream_descriptor.name);
  const result = await runConnector('read', {
    config: simulatorConfig(sim, { requests_per_second: 1000 }),
    catalog: configuredCatalog(names, 'incremental'),
    state,
  });
  expect(result.exitCode).toBe(0);
  const campaigns = recordsOf(result.messages, 'campaigns');
  expect(campaigns.every((record) => (record.updated as number) >= 1_789_000_000 - 3600)).toBe(true);
});

test('simulator_config.json reaches `npm run simulator` with its default port and key', async () => {
  const config = json<{ app_api_key: string; base_url: string }>('simulator_config.json');
  expect(config.app_api_key).toBe(DEFAULT_API_KEY);
  const simulatorMain = readFileSync(join(ROOT, 'integration_tests', 'simulator', 'main.ts'), 'utf8');
  const defaultPort = /port: \{ type: 'string', default: '(\d+)' \}/.exec(simulatorMain)?.[1];
  expect(new URL(config.base_url).port).toBe(defaultPort);
  const check = await runConnector('check', { config: { ...config, base_url: sim.url } });
  expect(ofType(check.messages, 'CONNECTION_STATUS')[0]?.connectionStatus.status).toBe('SUCCEEDED');
});

test('the in-repo protocol schema is the upstream file unchanged below its licence header', () => {
  const text = readFileSync(PROTOCOL_YAML, 'utf8');
  expect(text).toMatch(/MIT License/);
  expect(text).toMatch(/github\.com\/airbytehq\/airbyte-protocol/);
  const upstream = text.slice(text.indexOf('\n---\n') + 1);
  expect(createHash('sha256').update(upstream).digest('hex')).toBe(
    'ccc7c10a4711f2597ff26d0a15830a3a1c173cb504c1b566c44ec9d196d27381',
  );
});

test('`npm run simulator -- --help` lists its options; --wrong-datacenter answers as the other region does', async () => {
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  const script = join(ROOT, 'integration_tests', 'simulator', 'main.ts');
  const help = spawnSync(tsx, [script, '--help'], { encoding: 'utf8', timeout: 60_000 });
  expect(help.status).toBe(0);
  expect(help.stderr).toMatch(/--rps N .*default 0 = unlimited/);
  expect(help.stderr).toMatch(/--wrong-datacenter/);
  const wrong = await startSimulatorProcess(tsx, [script, '--port', '0', '--wrong-datacenter']);
  try {
    const config = json<{ app_api_key: string }>('simulator_config.json');
    const check = await runConnector('check', { config: { ...config, base_url: wrong.url } });
    expect(ofType(check.messages, 'CONNECTION_STATUS')[0]?.connectionStatus).toEqual({
      status: 'FAILED',
      message: expect.stringMatching(/wrong datacenter/),
    });
  } finally {
    wrong.stop();
  }
});
