/**
 * `npm run demo`: starts the bundled Customer.io simulator, runs the built source's spec, check, discover
 * and read against it, and prints what was read (the raw output goes to .demo/read-output.jsonl); then writes
 * the people it read, and an event for each, into the Track API simulator with the built destination.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '@cio-connectors/kit/json';
import { demoWrite } from '../destination/integration_tests/demo.js';
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
/** A record on one line, its primary key first (a child stream's parent keys are part of it). */
function sample(
  record: JsonObject | undefined,
  primaryKey: readonly (readonly string[])[],
  width = 110,
): string {
  if (record === undefined) return '';
  const first = primaryKey.map((path) => path[0] ?? '').filter((field) => field in record);
  const ordered = Object.fromEntries([
    ...first.map((field) => [field, record[field]]),
    ...Object.entries(record).filter(([field]) => !first.includes(field)),
  ]);
  const text = JSON.stringify(ordered);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/**
 * The demo lets the connector send 250 requests/second to a simulator without a limit, so it takes seconds;
 * Customer.io allows 10 per workspace (the tests and the benchmark exercise that limit).
 */
const DEMO_REQUESTS_PER_SECOND = 250;
const REAL_LIMIT_PER_SECOND = 10;

/** "42.0 s", or "7.5 min" from two minutes on. */
function duration(seconds: number): string {
  return seconds < 120 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`;
}

const sim = await startSimulator({ requestsPerSecond: null, latencyMs: 5 });
try {
  out(`Customer.io simulator on ${sim.url} (no rate limit, 5 ms latency)\n`);
  const config = simulatorConfig(sim, { requests_per_second: DEMO_REQUESTS_PER_SECOND });

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

  const requestsBefore = sim.stats.requests;
  const started = Date.now();
  const read = await runConnector('read', {
    config,
    catalog: configuredCatalog(streams.map((stream) => stream.name)),
    // A progress line every 0.2 s instead of every 30 s, so this quick read shows some.
    env: { CIO_PROGRESS_LOG_MS: '200' },
  });
  const seconds = (Date.now() - started) / 1000;
  const requests = sim.stats.requests - requestsBefore;
  out(
    `read      → exit ${read.exitCode} in ${duration(seconds)}, ${requests} requests to the simulator, at up to ${DEMO_REQUESTS_PER_SECOND} requests/second (the simulator has no rate limit)`,
  );
  out(
    `            at Customer.io's real limit of ${REAL_LIMIT_PER_SECOND} requests/second per workspace, the same read takes at least ${duration(requests / REAL_LIMIT_PER_SECOND)} (${requests} requests ÷ ${REAL_LIMIT_PER_SECOND})`,
  );
  out(
    `\n${'stream'.padEnd(34)}${'records'.padStart(8)}  statuses; STATE messages and the records they count`,
  );
  const estimates = new Map<string, string>();
  for (const message of ofType(read.messages, 'TRACE')) {
    const estimate = (message.trace as { type: string; estimate?: { name: string; row_estimate?: number } })
      .estimate;
    if (estimate !== undefined && !estimates.has(estimate.name) && estimate.row_estimate !== undefined)
      estimates.set(estimate.name, `ESTIMATE ${estimate.row_estimate} records`);
  }
  for (const { name, source_defined_primary_key: primaryKey } of streams) {
    const records = recordsOf(read.messages, name);
    const states = statesOf(read.messages, name);
    const counted = states.reduce((sum, message) => sum + (message.state.sourceStats?.recordCount ?? 0), 0);
    const statuses = [...new Set(statusesOf(read.messages, name))].join(' → ');
    out(
      `${name.padEnd(34)}${String(records.length).padStart(8)}  ${statuses}; ${states.length} states counting ${counted}${estimates.has(name) ? `; ${estimates.get(name)} first` : ''}`,
    );
    out(`  e.g. ${sample(records[0], primaryKey ?? [])}`);
  }
  const progress = ofType(read.messages, 'LOG')
    .map((message) => message.log.message)
    .filter((message) => message.includes(' so far'));
  out(
    `\n${progress.length} progress lines (the demo asks for one every 0.2 s; a real read logs one per running stream every 30 s, with the time left)${progress.length === 0 ? ': this read was too quick for one.' : ', e.g.:'}`,
  );
  for (const line of progress.slice(0, 3)) out(`  ${line}`);
  for (const error of errorsOf(read.messages)) out(`ERROR (${error.failure_type}): ${error.message}`);

  const dir = join(ROOT, '.demo');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'read-output.jsonl'), `${read.lines.join('\n')}\n`);
  out(`\nAll ${read.lines.length} Airbyte messages of the read are in .demo/read-output.jsonl`);
  if (read.exitCode !== 0) process.exitCode = 1;
  const written = await demoWrite(recordsOf(read.messages, 'customers'));
  if (!written) process.exitCode = 1;
} finally {
  await sim.close();
}
