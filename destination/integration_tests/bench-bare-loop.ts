/**
 * The destination benchmark's baselines: the CPU time of reading the input and parsing each line (what any
 * destination of Airbyte messages spends at least), then, having built the same batches as the connector (with
 * its own entry builder and byte limit), of posting them 8 at a time with the same HTTP client and nothing else.
 * Prints `{requests, ms, cpuMs, parseCpuMs}` on stderr.
 *   tsx destination/integration_tests/bench-bare-loop.ts <track_base_url> <input.jsonl>
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { HttpClient } from '@cio-connectors/kit/http-client';
import type { JsonObject } from '@cio-connectors/kit/json';
import { buildEntry } from '../src/entries.js';
import { OPERATIONS } from '../src/operations.js';
import type { StreamPlan } from '../src/plans.js';
import { TRACK_API_WORDING } from '../src/track-client.js';
import { DEFAULT_SITE_ID, DEFAULT_TRACK_API_KEY } from './simulator/index.js';

const BATCH_BYTES = 480_000;
const IN_FLIGHT = 8;
const [baseUrl = '', inputPath = ''] = process.argv.slice(2);

const plan = (stream: string, object: string): StreamPlan => {
  const operation = OPERATIONS.find((candidate) => candidate.object === object);
  if (operation === undefined) throw new Error(object);
  return {
    stream,
    operation,
    fields: {},
    matchingKey: undefined,
    collectionName: stream,
    segmentId: undefined,
  };
};
const plans = new Map([
  ['users', plan('users', 'person')],
  ['events', plan('events', 'person_event')],
]);

const parseStart = process.cpuUsage();
let parsed = 0;
for (const line of readFileSync(inputPath, 'utf8').split('\n'))
  if (line !== '') parsed += JSON.parse(line) ? 1 : 0;
const parseUsed = process.cpuUsage(parseStart);
const parseCpuMs = (parseUsed.user + parseUsed.system) / 1000;

const bodies: string[] = [];
let batch: string[] = [];
let bytes = 12;
for (const line of readFileSync(inputPath, 'utf8').split('\n')) {
  if (!line.startsWith('{"type":"RECORD"')) continue;
  const { stream, data } = (JSON.parse(line) as { record: { stream: string; data: JsonObject } }).record;
  const built = buildEntry(plans.get(stream) as StreamPlan, data, 1_790_000_000);
  if (built.kind !== 'entry') continue;
  if (batch.length > 0 && bytes + 1 + built.bytes > BATCH_BYTES) {
    bodies.push(`{"batch":[${batch.join(',')}]}`);
    batch = [];
    bytes = 12;
  }
  batch.push(built.text);
  bytes += built.bytes + 1;
}
if (batch.length > 0) bodies.push(`{"batch":[${batch.join(',')}]}`);

const client = new HttpClient({
  baseUrl,
  authorization: `Basic ${Buffer.from(`${DEFAULT_SITE_ID}:${DEFAULT_TRACK_API_KEY}`).toString('base64')}`,
  wording: TRACK_API_WORDING,
  requestsPerSecond: 1000,
});
const cpu = process.cpuUsage();
const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++] as string;
      await client.send('/api/v2/batch', { method: 'POST', body });
    }
  }),
);
const used = process.cpuUsage(cpu);
process.stderr.write(
  `${JSON.stringify({ requests: bodies.length, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, parseCpuMs, parsed })}\n`,
);
