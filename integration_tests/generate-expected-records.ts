/**
 * `npm run expected-records`: writes integration_tests/expected_records.jsonl, a few records of every stream
 * the acceptance tests' basic_read reads (the discovered catalog minus empty_streams), and the incremental
 * configured catalog.
 *
 * Without arguments it reads the bundled simulator's default workspace: that is the checked-in copy, which
 * integration_tests/files.test.ts keeps in step with the connector. With `--config secrets/config.json` (run it
 * directly: `npm run build && npx tsx integration_tests/generate-expected-records.ts --config ...`; the npm
 * script would hand the flag to its last step, the formatter) it reads a real workspace instead, the one the acceptance tests will run against (docs/acceptance-tests.md), and
 * fails when a stream that basic_read expects records from has none.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { JsonObject } from '@cio-connectors/kit/json';
import { EMITTED_AT, emptyStreams, incrementalCatalog, sampleOf } from './acceptance.js';
import { ofType, ROOT, recordsOf, runConnector, simulatorConfig } from './harness.js';
import { startSimulator } from './simulator/index.js';

function fullRefreshCatalog(names: string[]): JsonObject {
  return {
    streams: names.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
      sync_mode: 'full_refresh',
      destination_sync_mode: 'overwrite',
    })),
  };
}

async function writeFiles(config: JsonObject, fromSimulator: boolean): Promise<void> {
  const discovered = await runConnector('discover', { config });
  const streams = ofType(discovered.messages, 'CATALOG')[0]?.catalog.streams ?? [];
  const skipped = emptyStreams();
  const expected = streams.map((stream) => stream.name).filter((name) => !skipped.has(name));
  const read = await runConnector('read', { config, catalog: fullRefreshCatalog(expected) });
  if (read.exitCode !== 0) throw new Error(`the read failed (exit ${read.exitCode}):\n${read.stderr}`);
  const missing = expected.filter((stream) => recordsOf(read.messages, stream).length === 0);
  if (missing.length > 0) {
    throw new Error(
      `no records in ${missing.join(', ')}: add data to the workspace, or list them in basic_read's ` +
        'empty_streams with a bypass_reason',
    );
  }
  const lines = expected.flatMap((stream) =>
    sampleOf(recordsOf(read.messages, stream)).map((data) =>
      JSON.stringify({ stream, data, emitted_at: EMITTED_AT }),
    ),
  );
  writeFileSync(join(ROOT, 'integration_tests', 'expected_records.jsonl'), `${lines.join('\n')}\n`);
  if (fromSimulator) {
    writeFileSync(
      join(ROOT, 'integration_tests', 'configured_catalog_incremental.json'),
      `${JSON.stringify(incrementalCatalog(streams), null, 2)}\n`,
    );
  }
  process.stderr.write(`wrote ${lines.length} expected records of ${expected.length} streams\n`);
}

const { values } = parseArgs({ options: { config: { type: 'string' } }, strict: true });
if (values.config === undefined) {
  const sim = await startSimulator({ requestsPerSecond: null });
  try {
    await writeFiles(simulatorConfig(sim, { requests_per_second: 1000 }), true);
  } finally {
    await sim.close();
  }
} else {
  await writeFiles(JSON.parse(readFileSync(values.config, 'utf8')) as JsonObject, false);
}
