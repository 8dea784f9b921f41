import { afterEach, expect, test } from 'vitest';
import {
  configuredCatalog,
  FAST_RETRIES,
  recordsOf,
  runConnector,
  simulatorConfig,
  statusesOf,
} from './harness.js';
import { allPeople, personDeliveries, type Simulator, startSimulator } from './simulator/index.js';

const WINDOW = 180 * 86_400;
const nowSeconds = () => Math.floor(Date.now() / 1000);

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** When a person first existed, as their attributes say (created_at and the times their attributes were set). */
function firstSeen(person: { attributes: Record<string, string>; timestamps: Record<string, number> }) {
  const times = [Number(person.attributes.created_at), ...Object.values(person.timestamps)];
  return Math.min(...times.filter((time) => Number.isFinite(time) && time > 0));
}

test('customer_messages reads each person from when they first existed: one request per 180-day window since', async () => {
  sim = await startSimulator({ requestsPerSecond: null, workspace: { people: 12, deliveries: 200 } });
  const people = allPeople(sim.workspace);
  // One person created in 2024, whatever the generator chose.
  const created2024 = Date.UTC(2024, 2, 1) / 1000;
  const [first] = people;
  if (first === undefined) throw new Error('the workspace has no people');
  first.attributes.created_at = String(created2024);
  for (const name of Object.keys(first.timestamps)) {
    if (first.timestamps[name] !== 0) first.timestamps[name] = created2024 + 86_400;
  }
  const before = nowSeconds();
  const result = await runConnector('read', {
    config: simulatorConfig(sim, { requests_per_second: 1000, per_person_method: 'per_person' }),
    catalog: configuredCatalog(['customer_messages']),
    env: FAST_RETRIES,
  });
  const after = nowSeconds();
  expect(result.exitCode).toBe(0);
  expect(statusesOf(result.messages, 'customer_messages').at(-1)).toBe('COMPLETE');

  const requestsOf = (cioId: string) =>
    sim?.stats.log.filter((entry) => entry.path === `/v1/customers/${cioId}/messages`).length ?? 0;
  // 2024-03-01 to the sync's start (late 2026 or later): about six windows, not the 31 since 2012.
  const windowsSince = (from: number, until: number) => Math.ceil((until - from) / WINDOW);
  expect(requestsOf(first.cio_id)).toBeGreaterThanOrEqual(windowsSince(created2024, before));
  expect(requestsOf(first.cio_id)).toBeLessThanOrEqual(windowsSince(created2024, after));
  for (const person of people) {
    // No window holds more than one page of this person's deliveries: one request per window.
    expect(requestsOf(person.cio_id), person.cio_id).toBeLessThanOrEqual(
      windowsSince(firstSeen(person), after),
    );
  }
  // Nothing the person received since they first existed is left out.
  const expected = people
    .flatMap((person) => personDeliveries((sim as Simulator).workspace, person, firstSeen(person), after))
    .map((delivery) => delivery.id)
    .sort();
  const read = recordsOf(result.messages, 'customer_messages')
    .map((record) => String(record.id))
    .sort();
  expect(read).toEqual(expected);
});
