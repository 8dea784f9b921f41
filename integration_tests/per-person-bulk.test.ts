/**
 * The per-person streams read in bulk (per_person_method "bulk", the default) against the same streams read
 * person by person: the same records, and request counts that follow the cost formulas of docs/design.md
 * (counted by path in the simulator's request log, never by time).
 */

import type { JsonObject } from '@cio-connectors/kit/json';
import type { StreamStateMessage } from '@cio-connectors/kit/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  configuredCatalog,
  FAST_RETRIES,
  finalStates,
  ofType,
  recordsOf,
  runConnector,
  simulatorConfig,
} from './harness.js';
import {
  allPeople,
  deliveriesBetween,
  type RequestLogEntry,
  type Simulator,
  segmentMembers,
  startSimulator,
  WORKSPACE_NOW,
} from './simulator/index.js';

const DAY = 86_400;
const PER_PERSON_STREAMS = [
  'customer_segments',
  'customer_activities',
  'customer_messages',
  'customer_relationships',
] as const;
// Deliveries span the last 400 days: a start_date there keeps the per-person reads to three windows a person.
const START_DATE = new Date((WORKSPACE_NOW - 420 * DAY) * 1000).toISOString().replace('.000', '');

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    requestsPerSecond: null,
    // 9 objects for 144 people: the relationships look through the objects (at most one per ten people).
    workspace: { people: 150, segments: 6, deliveries: 3000, activities: 900, objects: 6 },
  });
});
afterAll(async () => {
  await sim.close();
});

async function read(
  streams: readonly string[],
  mode: string,
  extra: JsonObject = {},
  state?: StreamStateMessage[],
) {
  sim.resetStats();
  const result = await runConnector('read', {
    config: simulatorConfig(sim, { requests_per_second: 1000, start_date: START_DATE, ...extra }),
    catalog: configuredCatalog(streams, mode),
    env: FAST_RETRIES,
    ...(state === undefined ? {} : { state }),
  });
  expect(result.exitCode, result.stderr).toBe(0);
  return { ...result, log: [...sim.stats.log] };
}

/** Records as comparable text, whatever their order or key order. */
function canonical(records: readonly JsonObject[]): string[] {
  const sortKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, inner]) => [key, sortKeys(inner)]),
    );
  };
  return records.map((record) => JSON.stringify(sortKeys(record))).sort();
}

const count = (log: readonly RequestLogEntry[], path: RegExp) =>
  log.filter((entry) => path.test(entry.path)).length;
const PER_PERSON_PATHS = /^\/v1\/customers\/[^/]+\/(segments|messages|activities)$/;

/** Deliveries whose person the list names neither by identifiers nor by customer_id. */
function unnamedDeliveryIds(): Set<string> {
  return new Set(
    deliveriesBetween(sim.workspace, 0, WORKSPACE_NOW + DAY)
      .filter((delivery) => delivery.customer_identifiers === null && delivery.customer_id === null)
      .map((delivery) => delivery.id),
  );
}

/** The pages of the delivery list a bulk read asks for: per window, ⌈deliveries ÷ 1000⌉, at least one. */
function deliveryPages(messages: readonly RequestLogEntry[]): number {
  const windows = [...new Set(messages.map((entry) => `${entry.query.start_ts}:${entry.query.end_ts}`))];
  return windows.reduce((total, window) => {
    const [start = 0, end = 0] = window.split(':').map(Number);
    return total + Math.max(1, Math.ceil(deliveriesBetween(sim.workspace, start, end).length / 1000));
  }, 0);
}

/**
 * The id lookups a bulk customer_messages read makes: per window, ⌈ids ÷ 100⌉ for the customer_ids of deliveries
 * without identifiers that no earlier window looked up (whole batches of 100 while the window is read, the
 * rest before its checkpoint).
 */
function idLookups(messages: readonly RequestLogEntry[]): number {
  const windows = [...new Set(messages.map((entry) => `${entry.query.start_ts}:${entry.query.end_ts}`))];
  const lookedUp = new Set<string>();
  let lookups = 0;
  for (const window of windows) {
    const [start = 0, end = 0] = window.split(':').map(Number);
    const fresh = new Set<string>();
    for (const delivery of deliveriesBetween(sim.workspace, start, end)) {
      const id = delivery.customer_id;
      if (delivery.customer_identifiers === null && id !== null && !lookedUp.has(id)) fresh.add(id);
    }
    lookups += Math.ceil(fresh.size / 100);
    for (const id of fresh) lookedUp.add(id);
  }
  return lookups;
}

describe.each([
  ['everyone', {}],
  [
    'customers_filter',
    { customers_filter: JSON.stringify({ attribute: { field: 'plan', operator: 'eq', value: 'pro' } }) },
  ],
])('bulk and per_person give the same records (%s)', (_name, filter: JsonObject) => {
  let bulk: Awaited<ReturnType<typeof read>>;
  let perPerson: Awaited<ReturnType<typeof read>>;
  beforeAll(async () => {
    bulk = await read(PER_PERSON_STREAMS, 'full_refresh', filter);
    perPerson = await read(PER_PERSON_STREAMS, 'full_refresh', {
      ...filter,
      per_person_method: 'per_person',
    });
  }, 300_000);

  test('customer_segments', () => {
    const records = recordsOf(bulk.messages, 'customer_segments');
    expect(records.length).toBeGreaterThan(0);
    expect(canonical(records)).toEqual(canonical(recordsOf(perPerson.messages, 'customer_segments')));
  });

  test('customer_activities', () => {
    const records = recordsOf(bulk.messages, 'customer_activities');
    expect(records.length).toBeGreaterThan(0);
    expect(canonical(records)).toEqual(canonical(recordsOf(perPerson.messages, 'customer_activities')));
  });

  test('customer_messages: the same, but for deliveries that name no person (left out, with a warning)', () => {
    const unnamed = unnamedDeliveryIds();
    const expected = recordsOf(perPerson.messages, 'customer_messages');
    const left = expected.filter((record) => unnamed.has(String(record.id)));
    expect(left.length).toBeGreaterThan(0);
    const records = recordsOf(bulk.messages, 'customer_messages');
    expect(canonical(records)).toEqual(
      canonical(expected.filter((record) => !unnamed.has(String(record.id)))),
    );
    const warnings = ofType(bulk.messages, 'LOG').map((message) => message.log.message);
    expect(warnings.some((text) => /customer_messages: \d+ deliveries name no person/.test(text))).toBe(true);
  });

  test('customer_relationships: read for the people the objects name (everyone when objects are many)', () => {
    const records = recordsOf(bulk.messages, 'customer_relationships');
    expect(records.length).toBeGreaterThan(0);
    expect(canonical(records)).toEqual(canonical(recordsOf(perPerson.messages, 'customer_relationships')));
    const asked = count(bulk.log, /^\/v1\/customers\/[^/]+\/relationships$/);
    const everyone = count(perPerson.log, /^\/v1\/customers\/[^/]+\/relationships$/);
    const audience = everyone;
    if (sim.workspace.objects.length <= audience / 10) {
      expect(asked).toBe(new Set(records.map((record) => record.cio_id)).size);
      expect(asked).toBeLessThan(everyone);
    } else {
      expect(asked).toBe(everyone);
      const notes = ofType(bulk.messages, 'LOG').map((message) => message.log.message);
      expect(notes).toContain(
        'customer_relationships: more than 10% as many objects as people; every person is read.',
      );
    }
  });

  test('bulk makes no per-person request', () => {
    expect(count(bulk.log, PER_PERSON_PATHS)).toBe(0);
    expect(count(perPerson.log, PER_PERSON_PATHS)).toBeGreaterThan(0);
  });
});

describe('requests follow the cost formulas', () => {
  const people = () => allPeople(sim.workspace).length;

  test('customer_segments: 1 + Σ max(1, ⌈members ÷ 10,000⌉), no people search without customers_filter', async () => {
    const { log } = await read(['customer_segments'], 'full_refresh');
    const segments = sim.workspace.segments;
    const membershipPages = segments.reduce(
      (total, segment) =>
        total + Math.max(1, Math.ceil(segmentMembers(sim.workspace, segment.id).length / 10_000)),
      0,
    );
    expect(count(log, /^\/v1\/segments$/)).toBe(1);
    expect(count(log, /^\/v1\/segments\/\d+\/membership$/)).toBe(membershipPages);
    // 10,000 a page, not the 30,000 allowed: pages that large took a million people's read past 300 MB RSS.
    const limits = log
      .filter((entry) => entry.path.endsWith('/membership'))
      .map((entry) => entry.query.limit);
    expect(new Set(limits)).toEqual(new Set(['10000']));
    expect(log).toHaveLength(1 + membershipPages);
  });

  test('segment_membership pages memberships 10,000 at a time too: Σ max(1, ⌈members ÷ 10,000⌉)', async () => {
    const { log } = await read(['segment_membership'], 'full_refresh');
    const membership = log.filter((entry) => entry.path.endsWith('/membership'));
    expect(new Set(membership.map((entry) => entry.query.limit))).toEqual(new Set(['10000']));
    const pages = sim.workspace.segments.reduce(
      (total, segment) =>
        total + Math.max(1, Math.ceil(segmentMembers(sim.workspace, segment.id).length / 10_000)),
      0,
    );
    expect(membership).toHaveLength(pages);
  });

  test('customer_segments with customers_filter adds one people search (⌈P ÷ 1000⌉)', async () => {
    const filter = JSON.stringify({ segment: { id: sim.workspace.segments[0]?.id } });
    const { log } = await read(['customer_segments'], 'full_refresh', { customers_filter: filter });
    expect(count(log, /^\/v1\/customers$/)).toBe(1);
    expect(log).toHaveLength(1 + 1 + sim.workspace.segments.length);
  });

  test('customer_activities: K × ⌈activities ÷ 100⌉ (+ the last empty page of each type)', async () => {
    const types = ['event', 'page'];
    const { log } = await read(['customer_activities'], 'full_refresh', { activity_types: types });
    const activitiesOf = (type: string) => sim.workspace.activities.filter((a) => a.type === type).length;
    const expected = types.reduce((total, type) => total + Math.ceil(activitiesOf(type) / 100), 0);
    expect(count(log, /^\/v1\/activities$/)).toBe(expected);
    expect(log.every((entry) => entry.path === '/v1/activities')).toBe(true);
  });

  test('customer_relationships: 1 + ⌈O ÷ 1000⌉ per type + ⌈related ÷ 100⌉ per object + ⌈P ÷ 1000⌉ (one people search) + related people', async () => {
    const { log } = await read(['customer_relationships'], 'full_refresh');
    const ws = sim.workspace;
    const related = allPeople(ws).filter((person) => person.relationships.length > 0);
    const perObject = ws.objects.reduce((total, object) => {
      const members = related.filter((person) =>
        person.relationships.some(
          (r) =>
            r.object_id === object.identifiers.object_id &&
            String(r.object_type_id) === object.object_type_id,
        ),
      ).length;
      return total + Math.max(1, Math.ceil(members / 100));
    }, 0);
    const types = ws.objectTypes.length;
    expect(count(log, /^\/v1\/object_types$/)).toBe(1);
    expect(count(log, /^\/v1\/objects$/)).toBe(types);
    expect(count(log, /^\/v1\/objects\/[^/]+\/[^/]+\/relationships$/)).toBe(perObject);
    expect(count(log, /^\/v1\/customers$/)).toBe(Math.ceil(people() / 1000));
    expect(count(log, /^\/v1\/customers\/[^/]+\/relationships$/)).toBe(related.length);
    expect(log).toHaveLength(1 + types + perObject + Math.ceil(people() / 1000) + related.length);
  });

  test('customer_messages: W × K + ⌈deliveries ÷ 1000⌉ + ⌈P ÷ 1000⌉ + Σ windows ⌈new ids without identifiers ÷ 100⌉, both bounds on every window', async () => {
    const { log } = await read(['customer_messages'], 'full_refresh');
    const messages = log.filter((entry) => entry.path === '/v1/messages');
    expect(
      messages.every((entry) => entry.query.start_ts !== undefined && entry.query.end_ts !== undefined),
    ).toBe(true);
    const windows = new Set(messages.map((entry) => entry.query.start_ts)).size;
    const startDate = Date.parse(START_DATE) / 1000;
    expect(windows).toBe(Math.ceil((Math.floor(Date.now() / 1000) + 1 - startDate) / (180 * DAY)));
    const deliveries = deliveriesBetween(sim.workspace, 0, WORKSPACE_NOW + DAY).length;
    expect(messages.length).toBeLessThanOrEqual(windows + Math.ceil(deliveries / 1000));
    expect(messages.length).toBe(deliveryPages(messages));
    expect(count(log, /^\/v1\/customers$/)).toBe(Math.ceil(people() / 1000));
    const lookups = count(log, /^\/v1\/customers\/attributes$/);
    expect(lookups).toBe(idLookups(messages));
    expect(log).toHaveLength(messages.length + Math.ceil(people() / 1000) + lookups);
  });
});

describe('incremental bulk reads cost the change, and states cross between the methods', () => {
  let own: Simulator;
  let extra = 0;
  beforeAll(async () => {
    own = await startSimulator({
      requestsPerSecond: null,
      workspace: { people: 100, segments: 4, deliveries: 1000, activities: 300 },
    });
  });
  afterAll(async () => {
    await own.close();
  });

  async function readOwn(
    streams: readonly string[],
    mode: string,
    config: JsonObject,
    state?: StreamStateMessage[],
  ) {
    own.resetStats();
    const result = await runConnector('read', {
      config: simulatorConfig(own, { requests_per_second: 1000, start_date: START_DATE, ...config }),
      catalog: configuredCatalog(streams, mode),
      env: { ...FAST_RETRIES, CIO_CHECKPOINT_RECORDS: '1' },
      ...(state === undefined ? {} : { state }),
    });
    return { ...result, log: [...own.stats.log] };
  }

  /** A new delivery and a new activity of a person in the audience, dated now: what the next sync must bring. */
  function somethingNew(): { delivery: string; activity: string } {
    extra += 1;
    const ws = own.workspace;
    const person = allPeople(ws).find((candidate) => candidate.id !== null && candidate.email !== null);
    if (person === undefined) throw new Error('no person with an id and an email');
    const identifiers = { cio_id: person.cio_id, email: person.email, id: person.id };
    const now = Math.floor(Date.now() / 1000);
    const newest = ws.deliveries.at(0);
    const delivery = `${newest.id}NEW${extra}`;
    ws.deliveries.append({
      ...newest,
      id: delivery,
      deduplicate_id: `${delivery}:${now}`,
      created: Math.max(now, newest.created),
      customer_id: person.id,
      customer_identifiers: identifiers,
    });
    const activity = `01NEWACTIVITY${extra}`;
    ws.activities.unshift({
      id: activity,
      type: 'event',
      name: 'purchase',
      timestamp: now,
      customer_id: person.id,
      customer_identifiers: identifiers,
      data: { total: 10 },
    });
    return { delivery, activity };
  }

  const STREAMS = ['customer_activities', 'customer_messages'];
  const idsOf = (messages: Parameters<typeof recordsOf>[0], stream: string) =>
    recordsOf(messages, stream).map((record) => String(record.id));

  test('a daily bulk sync reads the new pages only: no per-person request, a few requests in all', async () => {
    const first = await readOwn(STREAMS, 'incremental', {});
    expect(first.exitCode, first.stderr).toBe(0);
    const added = somethingNew();
    const daily = await readOwn(STREAMS, 'incremental', {}, finalStates(first.messages));
    expect(daily.exitCode, daily.stderr).toBe(0);
    expect(idsOf(daily.messages, 'customer_activities')).toContain(added.activity);
    expect(idsOf(daily.messages, 'customer_messages')).toContain(added.delivery);
    expect(count(daily.log, PER_PERSON_PATHS)).toBe(0);
    // Activities: the page with the new one, then one older than the cursor. Deliveries: one window (the
    // lookback) and the people search.
    expect(count(daily.log, /^\/v1\/activities$/)).toBe(2);
    expect(count(daily.log, /^\/v1\/messages$/)).toBe(1);
    expect(count(daily.log, /^\/v1\/customers$/)).toBe(1);
    expect(daily.log).toHaveLength(4);
  }, 300_000);

  test('a per-person state (finished, or killed halfway) given to a bulk read skips nothing', async () => {
    const perPerson = { per_person_method: 'per_person' };
    const finished = await readOwn(STREAMS, 'incremental', perPerson);
    expect(finished.exitCode, finished.stderr).toBe(0);
    const added = somethingNew();
    const fromFinished = await readOwn(STREAMS, 'incremental', {}, finalStates(finished.messages));
    expect(idsOf(fromFinished.messages, 'customer_activities')).toContain(added.activity);
    expect(idsOf(fromFinished.messages, 'customer_messages')).toContain(added.delivery);

    // A first per-person read killed at its first checkpoint: its state holds only the progress of the people
    // done by then. (How many checkpoints a sweep emits depends on how its concurrent reads interleave, so the
    // kill is keyed to the state's content, not to a count.)
    const halfway = await runConnector('read', {
      config: simulatorConfig(own, { requests_per_second: 1000, start_date: START_DATE, ...perPerson }),
      catalog: configuredCatalog(['customer_messages'], 'incremental'),
      env: { ...FAST_RETRIES, CIO_CHECKPOINT_RECORDS: '1' },
      killWhen: (line) => line.includes('"type":"STATE"') && line.includes('"people"'),
    });
    const progress = finalStates(halfway.messages);
    expect(progress[0]?.stream.stream_state?.people).toBeDefined();
    const clean = await readOwn(['customer_messages'], 'incremental', {});
    const resumed = await readOwn(['customer_messages'], 'incremental', {}, progress);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(idsOf(resumed.messages, 'customer_messages').sort()).toEqual(
      idsOf(clean.messages, 'customer_messages').sort(),
    );
  }, 300_000);

  test('a bulk state given to a per-person read skips nothing; a bulk full-refresh resume point is not taken for a person’s', async () => {
    const bulk = await readOwn(STREAMS, 'incremental', {});
    const added = somethingNew();
    const perPerson = { per_person_method: 'per_person' };
    const next = await readOwn(STREAMS, 'incremental', perPerson, finalStates(bulk.messages));
    expect(next.exitCode, next.stderr).toBe(0);
    expect(idsOf(next.messages, 'customer_activities')).toContain(added.activity);
    expect(idsOf(next.messages, 'customer_messages')).toContain(added.delivery);

    // A bulk full refresh killed after some windows checkpoints {resume: {created}}; per person starts over.
    const windowsDone = await runConnector('read', {
      config: simulatorConfig(own, { requests_per_second: 1000, start_date: START_DATE }),
      catalog: configuredCatalog(['customer_messages']),
      env: { ...FAST_RETRIES, CIO_CHECKPOINT_RECORDS: '1' },
      killWhen: (line) => line.includes('"type":"STATE"') && line.includes('"resume"'),
    });
    const resumePoint = finalStates(windowsDone.messages);
    expect((resumePoint[0]?.stream.stream_state?.resume as JsonObject | undefined)?.created).toBeDefined();
    const clean = await readOwn(['customer_messages'], 'full_refresh', perPerson);
    const resumed = await readOwn(['customer_messages'], 'full_refresh', perPerson, resumePoint);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(idsOf(resumed.messages, 'customer_messages').sort()).toEqual(
      idsOf(clean.messages, 'customer_messages').sort(),
    );
  }, 300_000);
});
