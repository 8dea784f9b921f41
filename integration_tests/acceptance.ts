// What the acceptance-test files are made of, shared by `npm run expected-records` and files.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { AirbyteStream } from '@cio-connectors/kit/protocol';
import { parse as parseYaml } from 'yaml';
import { ROOT } from './harness.js';

/** Records kept per stream: enough to show the shape, few enough to stay true while a workspace changes. */
const RECORDS_PER_STREAM = 3;
export const EMITTED_AT = 1_790_000_000_000;

interface AcceptanceConfig {
  acceptance_tests: { basic_read: { tests: Array<{ empty_streams?: Array<{ name: string }> }> } };
}

/** Streams the acceptance tests' basic_read may find empty (their bypass reasons are in the config). */
export function emptyStreams(): Set<string> {
  const config = parseYaml(
    readFileSync(join(ROOT, 'integration_tests', 'acceptance-test-config.yml'), 'utf8'),
  ) as AcceptanceConfig;
  return new Set(
    config.acceptance_tests.basic_read.tests.flatMap((test) => (test.empty_streams ?? []).map((s) => s.name)),
  );
}

/** A stable pick: the records that sort first by their JSON text, whatever order the read emitted them in. */
export function sampleOf(records: JsonObject[]): JsonObject[] {
  return records
    .map((data) => ({ data, text: JSON.stringify(data) }))
    .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .slice(0, RECORDS_PER_STREAM)
    .map(({ data }) => data);
}

/** The acceptance tests' incremental catalog: every incremental stream, deduplicated on its primary key. */
export function incrementalCatalog(streams: AirbyteStream[]): JsonObject {
  return {
    streams: streams
      .filter((stream) => stream.supported_sync_modes.includes('incremental'))
      .map((stream) => ({
        stream: { ...stream, json_schema: {} },
        sync_mode: 'incremental',
        cursor_field: stream.default_cursor_field ?? [],
        destination_sync_mode: 'append_dedup',
        primary_key: stream.source_defined_primary_key ?? [],
      })),
  } as unknown as JsonObject;
}
