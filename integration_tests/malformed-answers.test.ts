// Answers in the documented shape but missing what the records or the next requests are keyed on: the stream
// fails loudly instead of emitting keyless records or asking for "undefined".

import { afterEach, describe, expect, test } from 'vitest';
import {
  configuredCatalog,
  errorsOf,
  FAST_RETRIES,
  ofType,
  recordsOf,
  runConnector,
  simulatorConfig,
  statusesOf,
} from './harness.js';
import { allPeople, type FaultKind, type Simulator, startSimulator } from './simulator/index.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function readWithFault(
  streams: string[],
  kind: FaultKind,
  path: RegExp,
  count = 1,
  perPersonMethod = 'per_person',
) {
  sim = await startSimulator({ requestsPerSecond: null, workspace: { people: 30, deliveries: 200 } });
  sim.injectFaults(kind, count, path);
  const result = await runConnector('read', {
    // The per-person path by default: people from the search, then one request per person.
    config: simulatorConfig(sim, { requests_per_second: 1000, per_person_method: perPersonMethod }),
    catalog: configuredCatalog(streams),
    env: FAST_RETRIES,
  });
  return { result, log: sim.stats.log };
}

const messageOf = (result: Awaited<ReturnType<typeof readWithFault>>['result'], stream: string) =>
  errorsOf(result.messages).find((error) => error.stream_descriptor?.name === stream)?.message;

describe('a record without its primary key fails its stream, naming the field', () => {
  test.each([
    ['campaigns', /^\/v1\/campaigns$/, 'id', 'id'],
    ['messages', /^\/v1\/messages$/, 'id', 'id'],
    ['customers', /^\/v1\/customers\/attributes$/, 'cio_id', 'cio_id'],
    ['segment_membership', /^\/v1\/segments\/\d+\/membership$/, 'cio_id', 'segment_id, cio_id'],
  ] as const)('%s', async (stream, path, field, key) => {
    const kind = field === 'id' ? 'no_id' : 'no_cio_id';
    const { result } = await readWithFault([stream, 'snippets'], kind, path, 1000);
    expect(result.exitCode).toBe(1);
    expect(statusesOf(result.messages, stream).at(-1)).toBe('INCOMPLETE');
    expect(statusesOf(result.messages, 'snippets').at(-1)).toBe('COMPLETE');
    expect(messageOf(result, stream)).toBe(
      `${stream}: Customer.io sent a record without "${field}", part of the stream's primary key (${key}): a deduplicating destination would merge such records into one, so the stream stops. Retry later; report it if it persists.`,
    );
    for (const record of recordsOf(result.messages, stream)) expect(record[field]).toBeDefined();
  });

  test('esp_suppressions keeps its one nullable key part: domain null without esp_suppression_domains', async () => {
    const { result } = await readWithFault(['esp_suppressions'], 'no_id', /^$/, 0);
    expect(result.exitCode).toBe(0);
    const records = recordsOf(result.messages, 'esp_suppressions');
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(record.domain).toBeNull();
  });
});

describe('an identifier missing from an answer is never sent back as "undefined"', () => {
  const SEARCH = /^\/v1\/customers$/;
  const searchMessage = (stream: string) =>
    `${stream}: Customer.io answered a person in the people search (POST /v1/customers) without "cio_id", which the next requests are addressed by: the answer is malformed, so the stream stops. Retry later; report it if it persists.`;
  const undefinedRequests = (log: readonly { path: string }[]) =>
    log.filter((entry) => entry.path.includes('undefined'));

  test('customers (search): people without cio_id fail the stream before any attributes lookup', async () => {
    const { result, log } = await readWithFault(['customers'], 'no_cio_id', SEARCH);
    expect(result.exitCode).toBe(1);
    expect(statusesOf(result.messages, 'customers').at(-1)).toBe('INCOMPLETE');
    expect(messageOf(result, 'customers')).toBe(searchMessage('customers'));
    expect(log.filter((entry) => entry.path === '/v1/customers/attributes')).toEqual([]);
    expect(recordsOf(result.messages, 'customers')).toEqual([]);
  });

  test.each([
    'customer_segments',
    'customer_messages',
    'customer_activities',
    'customer_relationships',
    'customer_subscription_preferences',
  ])('%s: people without cio_id fail the stream; no /v1/customers/undefined/... request', async (stream) => {
    const { result, log } = await readWithFault([stream], 'no_cio_id', SEARCH);
    expect(result.exitCode).toBe(1);
    expect(statusesOf(result.messages, stream).at(-1)).toBe('INCOMPLETE');
    expect(messageOf(result, stream)).toBe(searchMessage(stream));
    expect(undefinedRequests(log)).toEqual([]);
  });

  test('customer_messages: an attributes answer without cio_id fails the stream', async () => {
    const { result } = await readWithFault(
      ['customer_messages'],
      'no_cio_id',
      /^\/v1\/customers\/attributes$/,
    );
    expect(result.exitCode).toBe(1);
    expect(messageOf(result, 'customer_messages')).toBe(
      'customer_messages: Customer.io answered a person in the attributes lookup (POST /v1/customers/attributes) without "cio_id", which the next requests are addressed by: the answer is malformed, so the stream stops. Retry later; report it if it persists.',
    );
  });

  test('customer_subscription_preferences in bulk: people without cio_id fail the stream, searched or looked up', async () => {
    const stream = 'customer_subscription_preferences';
    const searched = await readWithFault([stream], 'no_cio_id', SEARCH, 1, 'bulk');
    expect(searched.result.exitCode).toBe(1);
    expect(messageOf(searched.result, stream)).toBe(searchMessage(stream));
    expect(undefinedRequests(searched.log)).toEqual([]);
    await sim?.close();
    const { result, log } = await readWithFault(
      [stream],
      'no_cio_id',
      /^\/v1\/customers\/attributes$/,
      1,
      'bulk',
    );
    expect(result.exitCode).toBe(1);
    expect(statusesOf(result.messages, stream).at(-1)).toBe('INCOMPLETE');
    expect(messageOf(result, stream)).toBe(
      `${stream}: Customer.io answered a person in the attributes lookup (POST /v1/customers/attributes) without "cio_id", which the next requests are addressed by: the answer is malformed, so the stream stops. Retry later; report it if it persists.`,
    );
    expect(undefinedRequests(log)).toEqual([]);
    expect(recordsOf(result.messages, stream)).toEqual([]);
  });

  test('campaign_actions: campaigns listed without id fail the stream; no /v1/campaigns/undefined/actions', async () => {
    const { result, log } = await readWithFault(['campaign_actions'], 'no_id', /^\/v1\/campaigns$/);
    expect(result.exitCode).toBe(1);
    expect(messageOf(result, 'campaign_actions')).toBe(
      'campaign_actions: Customer.io answered a campaigns record without "id", which the next requests are addressed by: the answer is malformed, so the stream stops. Retry later; report it if it persists.',
    );
    expect(undefinedRequests(log)).toEqual([]);
  });

  test('objects: object types without id, and objects without object_id, fail the stream', async () => {
    const types = await readWithFault(['objects'], 'no_id', /^\/v1\/object_types$/);
    expect(types.result.exitCode).toBe(1);
    expect(messageOf(types.result, 'objects')).toMatch(
      /^objects: Customer.io answered an object type \(GET \/v1\/object_types\) without "id"/,
    );
    expect(undefinedRequests(types.log)).toEqual([]);
    await sim?.close();
    const objects = await readWithFault(['objects'], 'no_object_id', /^\/v1\/objects$/);
    expect(objects.result.exitCode).toBe(1);
    expect(messageOf(objects.result, 'objects')).toMatch(
      /^objects: Customer.io answered an object in the object search \(POST \/v1\/objects\) without "object_id"/,
    );
    expect(undefinedRequests(objects.log)).toEqual([]);
  });
});

describe('customers (search) compares the people the attributes lookup answered with those the search found', () => {
  async function readDeletingAtLookup(deleteCount: (people: number) => number) {
    let deleted = false;
    sim = await startSimulator({
      requestsPerSecond: null,
      workspace: { people: 40 },
      onRequest: ({ path }) => {
        if (deleted || path !== '/v1/customers/attributes' || sim === undefined) return;
        deleted = true;
        const people = allPeople(sim.workspace);
        for (const person of people.slice(0, deleteCount(people.length))) person.deleted = true;
      },
    });
    return runConnector('read', {
      config: simulatorConfig(sim, { requests_per_second: 1000 }),
      catalog: configuredCatalog(['customers']),
      env: FAST_RETRIES,
    });
  }

  test('most people missing from the answers fails the stream instead of completing without them', async () => {
    const result = await readDeletingAtLookup((people) => people);
    expect(result.exitCode).toBe(1);
    expect(statusesOf(result.messages, 'customers').at(-1)).toBe('INCOMPLETE');
    expect(errorsOf(result.messages)[0]?.message).toMatch(
      /^customers: the attributes lookup \(POST \/v1\/customers\/attributes\) answered for only 0 of the \d+ people the search found: not people deleted during the sync but a lookup that fails, so the stream stops rather than complete without them\. Retry later; report it if it persists\.$/,
    );
  });

  test('a few people deleted between the search and the lookup: a warning with both numbers, and COMPLETE', async () => {
    const result = await readDeletingAtLookup(() => 2);
    expect(result.exitCode).toBe(0);
    expect(statusesOf(result.messages, 'customers').at(-1)).toBe('COMPLETE');
    const searched = recordsOf(result.messages, 'customers').length + 2;
    expect(ofType(result.messages, 'LOG').map((message) => message.log.message)).toContain(
      `customers: the attributes lookup answered for ${searched - 2} of the ${searched} people the search found; the 2 others were presumably deleted during the sync (Customer.io leaves unknown people out) and are not emitted.`,
    );
  });
});
