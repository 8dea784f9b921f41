/**
 * The destination's part of `npm run demo`: starts the Track API simulator and writes into it, with the built
 * destination, the people the source just read (its `customers` records, mapped by stream_mappings as a user
 * would), an event for each, a manual segment mirrored from those with an id, and a collection, then prints what
 * the simulator holds.
 */
import type { JsonObject } from '@cio-connectors/kit/json';
import {
  appConfigFor,
  errorsOf,
  logsOf,
  operationsOf,
  record,
  runDestination,
  statesOf,
  streamState,
  streamStatus,
} from './harness.js';
import { startTrackSimulator } from './simulator/index.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

export async function demoWrite(customers: readonly JsonObject[]): Promise<boolean> {
  const sim = await startTrackSimulator({ latencyMs: 5 });
  try {
    out(`\nCustomer.io Track API simulator on ${sim.url}`);
    const config = appConfigFor(sim, {
      stream_mappings: [
        { stream: 'customers', object: 'person', fields: { person_id: 'id', person_email: 'email' } },
        {
          stream: 'signups',
          object: 'person_event',
          fields: { person_id: 'id', person_email: 'email', event_name: 'event' },
        },
        { stream: 'vip', object: 'segment_membership', sync_mode: 'overwrite', segment_id: 101 },
        { stream: 'plans', object: 'collection', collection_name: 'plans' },
      ],
    });
    const check = await runDestination('check', { config });
    out(`check     → ${JSON.stringify(check.messages[0]?.connectionStatus)}`);
    const discover = await runDestination('discover', { config });
    const operations = operationsOf(discover);
    out(
      `discover  → ${operations.map((operation) => `${operation.object_name}/${operation.sync_mode}`).join(', ')}`,
    );
    const input = [
      ...customers.map((customer) => record('customers', customer)),
      streamState('customers', { demo: 'customers written' }),
      ...customers.map((customer) =>
        record('signups', { id: customer.id, email: customer.email, event: 'demo_signed_up', plan: 'trial' }),
      ),
      streamState('signups', { demo: 'signups written' }),
      ...customers
        .filter((customer) => typeof customer.id === 'string' && customer.id !== '')
        .map((customer) => record('vip', { person_id: customer.id })),
      streamState('vip', { demo: 'segment 101 mirrored' }),
      streamStatus('vip'),
      ...['trial', 'pro', 'enterprise'].map((plan, index) => record('plans', { plan, seats: 10 ** index })),
      streamState('plans', { demo: 'collection written' }),
      streamStatus('plans'),
    ];
    const stream = (name: string) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
      sync_mode: 'full_refresh',
      destination_sync_mode: 'append',
    });
    const started = Date.now();
    const write = await runDestination('write', {
      config,
      catalog: { streams: ['customers', 'signups', 'vip', 'plans'].map(stream) },
      input,
    });
    const seconds = (Date.now() - started) / 1000;
    const batches = sim.requests.filter((request) => request.path === '/api/v2/batch');
    out(
      `write     → exit ${write.exitCode} in ${seconds.toFixed(1)} s: ${input.length} input lines, ${batches.length} batch request(s) (${batches.reduce((sum, request) => sum + request.bytes, 0)} bytes)`,
    );
    for (const state of statesOf(write)) out(`  STATE echoed: ${JSON.stringify(state)}`);
    for (const line of logsOf(write)) out(`  LOG: ${line}`);
    for (const error of errorsOf(write)) out(`ERROR (${error.failure_type}): ${error.message}`);
    const summary = sim.store.summary();
    out(
      `\nThe simulator holds ${summary.people} people and ${summary.events} events (${summary.duplicateEvents} duplicates ignored), ${sim.store.segmentMembers(101).length} members of manual segment 101, and the collection "plans" with ${[...sim.store.collections.values()][0]?.data.length ?? 0} rows.`,
    );
    const first = [...sim.store.people.values()][0];
    if (first !== undefined)
      out(
        `  e.g. ${JSON.stringify({ id: first.id, email: first.email, attributes: first.attributes }).slice(0, 200)}…`,
      );
    const event = sim.store.events[0];
    if (event !== undefined) out(`  e.g. ${JSON.stringify(event)}`);
    return write.exitCode === 0 && check.exitCode === 0;
  } finally {
    await sim.close();
  }
}
