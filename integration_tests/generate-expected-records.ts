/**
 * `npm run expected-records`: writes integration_tests/expected_records.jsonl (the acceptance tests' expected
 * records) and the incremental configured catalog from the bundled simulator's default workspace, so the
 * acceptance tests can run against the simulator (see README). integration_tests/files.test.ts checks both
 * stay in step with the connector and the simulator.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configuredCatalog, ofType, ROOT, recordsOf, runConnector, simulatorConfig } from './harness.js';
import { startSimulator } from './simulator/index.js';

export const EXPECTED_STREAMS = [
  'campaigns',
  'broadcasts',
  'newsletters',
  'segments',
  'transactional_messages',
  'snippets',
];

const sim = await startSimulator({ requestsPerSecond: null });
try {
  const config = simulatorConfig(sim, { requests_per_second: 1000 });
  const read = await runConnector('read', { config, catalog: configuredCatalog(EXPECTED_STREAMS) });
  const lines = EXPECTED_STREAMS.flatMap((stream) =>
    recordsOf(read.messages, stream).map((data) =>
      JSON.stringify({ stream, data, emitted_at: 1_790_000_000_000 }),
    ),
  );
  writeFileSync(join(ROOT, 'integration_tests', 'expected_records.jsonl'), `${lines.join('\n')}\n`);
  const discovered = await runConnector('discover', { config });
  const incremental = (ofType(discovered.messages, 'CATALOG')[0]?.catalog.streams ?? []).filter((stream) =>
    stream.supported_sync_modes.includes('incremental'),
  );
  const catalog = configuredCatalog(
    incremental.map((stream) => stream.name),
    'incremental',
  );
  writeFileSync(
    join(ROOT, 'integration_tests', 'configured_catalog_incremental.json'),
    `${JSON.stringify(catalog, null, 2)}\n`,
  );
  process.stderr.write(
    `wrote ${lines.length} expected records and ${incremental.length} incremental streams\n`,
  );
} finally {
  await sim.close();
}
