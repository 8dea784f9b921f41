// Runs the Track API simulator standalone. Writes only to stderr; stdout stays free.

import { parseArgs } from 'node:util';
import { closeOnSignals } from '../../../integration_tests/loopback.js';
import { startTrackSimulator } from './index.js';

const USAGE = `Usage: tsx destination/integration_tests/simulator/main.ts [options]
  --port N          listen on 127.0.0.1:N (default 8090; 0 = ephemeral)
  --rps N           admitted requests per sliding second (default 0 = unlimited)
  --latency-ms N    added before every answer (default 0)
  --region us|eu    the account's data center (default us)
  --site-id S       Track site id (default sim-site-id-0001)
  --api-key K       Track API key (default sim-track-api-key-0123456789abcdef)
  --help            this text
GET /__simulator/store answers the store's summary and people, GET /__simulator/stats the request counts,
bytes and entries (no auth, not rate limited).
`;

function integerOption(name: string, raw: string): number {
  if (!/^\d+$/.test(raw)) throw new Error(`--${name} must be a non-negative integer, got ${raw}`);
  return Number(raw);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8090' },
      rps: { type: 'string', default: '0' },
      'latency-ms': { type: 'string', default: '0' },
      region: { type: 'string', default: 'us' },
      'site-id': { type: 'string' },
      'api-key': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stderr.write(USAGE);
    return;
  }
  const { region } = values;
  if (region !== 'us' && region !== 'eu') throw new Error(`--region must be us or eu, got ${region}`);
  const rps = integerOption('rps', values.rps);
  const simulator = await startTrackSimulator({
    port: integerOption('port', values.port),
    requestsPerSecond: rps === 0 ? null : rps,
    latencyMs: integerOption('latency-ms', values['latency-ms']),
    region,
    ...(values['site-id'] === undefined ? {} : { siteId: values['site-id'] }),
    ...(values['api-key'] === undefined ? {} : { trackApiKey: values['api-key'] }),
  });
  process.stderr.write(
    `Customer.io Track API simulator on ${simulator.url} (site id: ${simulator.siteId}, ` +
      `api key: ${simulator.trackApiKey}, region: ${region}, rps: ${rps === 0 ? 'unlimited' : rps})\n`,
  );
  closeOnSignals(simulator.close);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.stderr.write(USAGE);
  process.exit(1);
});
