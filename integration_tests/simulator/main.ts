// Runs the App API simulator standalone (`npm run simulator -- --help`). Writes only to stderr; stdout stays free.

import { parseArgs } from 'node:util';
import { closeOnSignals } from '../loopback.js';
import { startSimulator } from './server.js';
import { scaledWorkspaceOptions } from './workspace.js';

const USAGE = `Usage: npm run simulator -- [options]   (or: tsx integration_tests/simulator/main.ts [options])
  --port N              listen on 127.0.0.1:N (default 8080; 0 = ephemeral)
  --rps N               admitted requests per sliding second, as Customer.io's 10/s (default 0 = unlimited)
  --latency-ms N        added before every answer (default 0)
  --wrong-datacenter    answer every request 301 "wrong datacenter", as the other region's host does
  --seed N              the generated workspace's seed
  --api-key K           the App API key it takes (default: the one in integration_tests/simulator_config.json)
  --scale N             every count of the default workspace (campaigns, people, deliveries...) times N
  --campaigns N --max-actions N --people N --deliveries N --delivery-days N --segments N --activities N
                        the generated workspace's sizes
  --help                this text
GET /__simulator/stats answers the request counters (no auth, not rate limited).
`;

function integerOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new Error(`--${name} must be a non-negative integer, got ${raw}`);
  return Number(raw);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      rps: { type: 'string', default: '0' },
      'wrong-datacenter': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      'latency-ms': { type: 'string', default: '0' },
      seed: { type: 'string' },
      'api-key': { type: 'string' },
      campaigns: { type: 'string' },
      'max-actions': { type: 'string' },
      people: { type: 'string' },
      deliveries: { type: 'string' },
      'delivery-days': { type: 'string' },
      segments: { type: 'string' },
      activities: { type: 'string' },
      scale: { type: 'string' },
    },
    strict: true,
  });
  if (values.help) {
    process.stderr.write(USAGE);
    return;
  }
  const rps = integerOption('rps', values.rps) ?? 0;
  const sizes = {
    seed: integerOption('seed', values.seed),
    campaigns: integerOption('campaigns', values.campaigns),
    maxActionsPerCampaign: integerOption('max-actions', values['max-actions']),
    people: integerOption('people', values.people),
    deliveries: integerOption('deliveries', values.deliveries),
    deliveryDays: integerOption('delivery-days', values['delivery-days']),
    segments: integerOption('segments', values.segments),
    activities: integerOption('activities', values.activities),
  };
  const scale = integerOption('scale', values.scale);
  const workspace = {
    ...(scale === undefined ? {} : scaledWorkspaceOptions(scale)),
    ...Object.fromEntries(Object.entries(sizes).filter(([, value]) => value !== undefined)),
  };
  const simulator = await startSimulator({
    port: integerOption('port', values.port) ?? 8080,
    requestsPerSecond: rps === 0 ? null : rps,
    latencyMs: integerOption('latency-ms', values['latency-ms']) ?? 0,
    workspace,
    wrongDatacenter: values['wrong-datacenter'],
    ...(values['api-key'] === undefined ? {} : { apiKey: values['api-key'] }),
  });
  process.stderr.write(
    `Customer.io App API simulator on ${simulator.url} (api key: ${simulator.apiKey}, ` +
      `rps: ${rps === 0 ? 'unlimited' : rps}, seed: ${simulator.workspace.seed}` +
      `${values['wrong-datacenter'] ? ', answering "wrong datacenter" to everything' : ''})\n`,
  );
  if (values.port === '8080' && values['api-key'] === undefined) {
    process.stderr.write(
      'Config for this simulator: integration_tests/simulator_config.json, e.g.\n' +
        '  node dist/main.js check --config integration_tests/simulator_config.json\n',
    );
  }
  closeOnSignals(simulator.close);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.stderr.write(USAGE);
  process.exit(1);
});
