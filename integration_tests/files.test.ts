import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ConfiguredAirbyteCatalog, JsonObject } from '../src/protocol.js';
import { configuredCatalog, ofType, ROOT, recordsOf, runConnector, simulatorConfig } from './harness.js';
import { type Simulator, startSimulator } from './simulator/index.js';

const file = (name: string) => readFileSync(join(ROOT, 'integration_tests', name), 'utf8');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ requestsPerSecond: null });
});
afterAll(async () => {
  await sim.close();
});

test('expected_records.jsonl holds records the connector reads from the bundled simulator', async () => {
  const expected = file('expected_records.jsonl')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { stream: string; data: JsonObject });
  const streams = [...new Set(expected.map((record) => record.stream))];
  const read = await runConnector('read', {
    config: simulatorConfig(sim, { requests_per_second: 1000 }),
    catalog: configuredCatalog(streams),
  });
  for (const stream of streams) {
    const actual = recordsOf(read.messages, stream);
    expect(actual, stream).toEqual(
      expected.filter((record) => record.stream === stream).map((record) => record.data),
    );
  }
});

test('the acceptance-test catalogs name discovered streams in modes they support', async () => {
  const discovered = await runConnector('discover', { config: simulatorConfig(sim) });
  const streams = ofType(discovered.messages, 'CATALOG')[0]?.catalog.streams ?? [];
  const modes = new Map(streams.map((stream) => [stream.name, stream.supported_sync_modes]));
  const incremental = JSON.parse(file('configured_catalog_incremental.json')) as ConfiguredAirbyteCatalog;
  expect(incremental.streams.map((entry) => entry.stream.name).sort()).toEqual(
    streams
      .filter((stream) => stream.supported_sync_modes.includes('incremental'))
      .map((s) => s.name)
      .sort(),
  );
  for (const name of ['configured_catalog.json', 'configured_catalog_incremental.json']) {
    const catalog = JSON.parse(file(name)) as ConfiguredAirbyteCatalog;
    for (const entry of catalog.streams)
      expect(modes.get(entry.stream.name), name).toContain(entry.sync_mode);
  }
});

test('sample_state.json is a state the connector reads from', async () => {
  const state = JSON.parse(file('sample_state.json')) as Array<{
    stream: { stream_descriptor: { name: string } };
  }>;
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
