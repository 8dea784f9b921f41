/**
 * `npm run demo`: starts the bundled Customer.io simulator, runs the built connector's spec, check, discover
 * and read against it, and prints what was read. The connector's raw output goes to .demo/read-output.jsonl.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../src/protocol.js';
import {
  configuredCatalog,
  errorsOf,
  ofType,
  ROOT,
  recordsOf,
  runConnector,
  simulatorConfig,
  statesOf,
  statusesOf,
} from './harness.js';
import { startSimulator } from './simulator/index.js';

const out = (line = '') => process.stdout.write(`${line}\n`);
const SAMPLE_FIELDS: Record<string, string[]> = {
  campaigns: ['id', 'name', 'type', 'state', 'updated'],
  campaign_actions: ['campaign_id', 'id', 'type', 'name', 'subject'],
  broadcasts: ['id', 'name', 'state', 'updated'],
  newsletters: ['id', 'name', 'type', 'sent_at'],
  segments: ['id', 'name', 'type', 'state'],
};

function cell(value: unknown, width: number): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return (text.length > width ? `${text.slice(0, width - 1)}…` : text).padEnd(width);
}

function printSample(stream: string, records: JsonObject[]): void {
  const fields = SAMPLE_FIELDS[stream] ?? Object.keys(records[0] ?? {}).slice(0, 5);
  out(`  ${fields.map((field) => cell(field, 22)).join(' ')}`);
  for (const record of records.slice(0, 3))
    out(`  ${fields.map((field) => cell(record[field], 22)).join(' ')}`);
  if (records.length > 3) out(`  … ${records.length - 3} more`);
}

const sim = await startSimulator({ latencyMs: 40 });
try {
  out(`Customer.io simulator on ${sim.url} (10 requests/second, 40 ms latency)\n`);
  const config = simulatorConfig(sim);

  const spec = await runConnector('spec');
  const properties = Object.keys(
    (ofType(spec.messages, 'SPEC')[0]?.spec.connectionSpecification.properties ?? {}) as JsonObject,
  );
  out(`spec      → config fields: ${properties.join(', ')}`);

  const check = await runConnector('check', { config });
  out(`check     → ${ofType(check.messages, 'CONNECTION_STATUS')[0]?.connectionStatus.status}`);
  const badCheck = await runConnector('check', { config: { ...config, app_api_key: 'not-the-key' } });
  out(
    `check (wrong key) → ${JSON.stringify(ofType(badCheck.messages, 'CONNECTION_STATUS')[0]?.connectionStatus)}`,
  );

  const discover = await runConnector('discover', { config });
  const streams = ofType(discover.messages, 'CATALOG')[0]?.catalog.streams ?? [];
  out(`discover  → ${streams.length} streams: ${streams.map((stream) => stream.name).join(', ')}\n`);

  const started = Date.now();
  const read = await runConnector('read', {
    config,
    catalog: configuredCatalog(streams.map((stream) => stream.name)),
  });
  const seconds = (Date.now() - started) / 1000;
  out(
    `read      → exit ${read.exitCode} in ${seconds.toFixed(1)} s, ${sim.stats.requests} requests to the simulator`,
  );
  for (const { name } of streams) {
    const records = recordsOf(read.messages, name);
    const state = statesOf(read.messages, name).at(-1)?.state;
    out(
      `\n${name}: ${records.length} records, statuses ${[...new Set(statusesOf(read.messages, name))].join(' → ')}, state recordCount ${state?.sourceStats?.recordCount}`,
    );
    printSample(name, records);
  }
  for (const error of errorsOf(read.messages)) out(`ERROR (${error.failure_type}): ${error.message}`);

  const dir = join(ROOT, '.demo');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'read-output.jsonl'), `${read.lines.join('\n')}\n`);
  out(`\nAll ${read.lines.length} Airbyte messages of the read are in .demo/read-output.jsonl`);
  if (read.exitCode !== 0) process.exitCode = 1;
} finally {
  await sim.close();
}
