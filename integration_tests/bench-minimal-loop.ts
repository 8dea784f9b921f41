/**
 * The benchmark's baseline: fetch and parse the same /v1/messages pages as the connector, with the same HTTP
 * client, and do nothing else (no records, no state, no stdout). Prints `{records, requests, ms, cpuMs}` on
 * stderr; cpuMs is this process's CPU time (user + system) from its start, as the bench counts the connector's.
 *   tsx integration_tests/bench-minimal-loop.ts <base_url> <api_key>
 */
import { performance } from 'node:perf_hooks';
import { timeWindows } from '../src/cursors.js';
import { CustomerIoClient } from '../src/http-client.js';
import { CUSTOMER_IO_EPOCH, DELIVERY_WINDOW_SECONDS } from '../src/streams/windows.js';

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const [baseUrl = '', apiKey = ''] = process.argv.slice(2);
const client = new CustomerIoClient({ baseUrl, apiKey, requestsPerSecond: 1000 });
const started = performance.now();
let records = 0;
const now = Math.floor(Date.now() / 1000);
// The same windows as the connector's first read: from 2012 (no start_date) to now.
for (const { start, end } of timeWindows(CUSTOMER_IO_EPOCH, now, DELIVERY_WINDOW_SECONDS)) {
  const request = {
    path: '/v1/messages',
    envelopeKey: 'messages',
    pageSize: 1000,
    params: { start_ts: start, end_ts: end },
  };
  for await (const page of client.pages(request)) records += page.records.length;
}
process.stderr.write(
  `${JSON.stringify({ records, requests: client.requestCount, ms: performance.now() - started, cpuMs: cpuMs() })}\n`,
);
