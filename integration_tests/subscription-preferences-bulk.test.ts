/**
 * customer_subscription_preferences read in bulk (per_person_method "bulk", the default): each person's
 * `cio_subscription_preferences` attribute joined with GET /v1/subscription_topics gives the same records as
 * GET /v1/customers/{cio_id}/subscription_preferences, at a cost that follows the people read, never one request a
 * person (counted by path in the simulator's request log, never by time).
 */

import type { JsonObject } from '@cio-connectors/kit/json';
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
  type RequestLogEntry,
  type Simulator,
  startSimulator,
  subscriptionPreferencesOf,
} from './simulator/index.js';
import { STORAGE_PREFIX } from './simulator/routes-exports.js';

const STREAM = 'customer_subscription_preferences';
const PRO = JSON.stringify({ attribute: { field: 'plan', operator: 'eq', value: 'pro' } });
const ENV = { ...FAST_RETRIES, CIO_EXPORT_POLL_MS: '1' };
const EXPORT_POLLS = 2;

const count = (log: readonly RequestLogEntry[], path: RegExp) =>
  log.filter((entry) => path.test(entry.path)).length;
const PER_PERSON = /^\/v1\/customers\/[^/]+\/subscription_preferences$/;
const TOPICS = /^\/v1\/subscription_topics$/;
const SEARCH = /^\/v1\/customers$/;
const LOOKUPS = /^\/v1\/customers\/attributes$/;

async function readOwn(
  sim: Simulator,
  config: JsonObject = {},
  extra: Parameters<typeof runConnector>[1] = {},
) {
  sim.resetStats();
  const result = await runConnector('read', {
    config: simulatorConfig(sim, { requests_per_second: 1000, ...config }),
    catalog: configuredCatalog([STREAM]),
    env: ENV,
    ...extra,
  });
  return { ...result, log: [...sim.stats.log] };
}

/** The records by cio_id, as text: the same keys in the same order and the same values. */
function byCioId(records: readonly JsonObject[]): Map<unknown, string> {
  return new Map(records.map((record) => [record.cio_id, JSON.stringify(record)]));
}

function warnings(messages: Parameters<typeof ofType>[0]): string[] {
  return ofType(messages, 'LOG')
    .filter((message) => message.log.level === 'WARN')
    .map((message) => message.log.message);
}

describe('bulk and per_person give the same records', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      requestsPerSecond: null,
      workspace: { people: 1250 },
      exports: { pollsUntilDone: EXPORT_POLLS },
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  describe.each([
    ['everyone', {}],
    ['customers_filter', { customers_filter: PRO }],
    ['customers_method export', { customers_method: 'export' }],
    ['customers_method export and customers_filter', { customers_method: 'export', customers_filter: PRO }],
  ])('%s', (_name, config: JsonObject) => {
    let bulk: Awaited<ReturnType<typeof readOwn>>;
    let perPerson: Awaited<ReturnType<typeof readOwn>>;
    beforeAll(async () => {
      bulk = await readOwn(sim, config);
      perPerson = await readOwn(sim, { ...config, per_person_method: 'per_person' });
    }, 300_000);

    test('the same primary keys, keys, key order and values; no warning', () => {
      expect(bulk.exitCode, bulk.stderr).toBe(0);
      expect(perPerson.exitCode, perPerson.stderr).toBe(0);
      const records = recordsOf(bulk.messages, STREAM);
      const expected = recordsOf(perPerson.messages, STREAM);
      expect(records.length).toBeGreaterThan(100);
      expect(new Set(records.map((record) => record.cio_id)).size).toBe(records.length);
      expect(byCioId(records)).toEqual(byCioId(expected));
      expect(warnings(bulk.messages).filter((text) => text.startsWith(STREAM))).toEqual([]);
    });

    test('the per-person answers are those of the simulator: the attribute joined with the topics', () => {
      const people = new Map(allPeople(sim.workspace).map((person) => [person.cio_id, person]));
      const records = recordsOf(perPerson.messages, STREAM);
      for (const record of records) {
        const person = people.get(String(record.cio_id));
        if (person === undefined) throw new Error(`no person ${record.cio_id}`);
        expect(record).toEqual({
          ...JSON.parse(JSON.stringify(subscriptionPreferencesOf(sim.workspace, person))),
          cio_id: person.cio_id,
        });
      }
      // The topics are every topic of the workspace, in the list's order, with choices and defaults both seen.
      const chosen = records.filter((record) =>
        people.get(String(record.cio_id))?.attributes.cio_subscription_preferences?.includes('topic_'),
      );
      expect(chosen.length).toBeGreaterThan(0);
      expect(chosen.length).toBeLessThan(records.length);
    });

    test('bulk asks one person (for the header) and the topics once; per_person asks every person', () => {
      const people = recordsOf(perPerson.messages, STREAM).length;
      expect(count(bulk.log, PER_PERSON)).toBe(1);
      expect(count(bulk.log, TOPICS)).toBe(1);
      expect(count(perPerson.log, PER_PERSON)).toBe(people);
      expect(count(perPerson.log, TOPICS)).toBe(0);
    });
  });
});

describe('requests follow the cost formulas', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      requestsPerSecond: null,
      workspace: { people: 2600 },
      exports: { pollsUntilDone: EXPORT_POLLS },
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  test('by search: 1 topics list + 1 person + ⌈P ÷ 1000⌉ search pages + Σ pages ⌈people ÷ 100⌉ lookups', async () => {
    const { exitCode, stderr, messages, log } = await readOwn(sim);
    expect(exitCode, stderr).toBe(0);
    const people = allPeople(sim.workspace).length;
    expect(people).toBeGreaterThan(2000);
    expect(recordsOf(messages, STREAM)).toHaveLength(people);
    expect(count(log, TOPICS)).toBe(1);
    expect(count(log, PER_PERSON)).toBe(1);
    expect(count(log, SEARCH)).toBe(Math.ceil(people / 1000));
    // Search pages of 1000: each page's lookups are ⌈its people ÷ 100⌉, which sums to ⌈P ÷ 100⌉.
    expect(count(log, LOOKUPS)).toBe(Math.ceil(people / 100));
    expect(log).toHaveLength(2 + Math.ceil(people / 1000) + Math.ceil(people / 100));
    for (const entry of log.filter((e) => LOOKUPS.test(e.path))) {
      expect(entry.query.id_type).toBe('cio_id');
    }
  }, 120_000);

  test('with customers_filter: the same, for the people it matches', async () => {
    const { exitCode, stderr, messages, log } = await readOwn(sim, { customers_filter: PRO });
    expect(exitCode, stderr).toBe(0);
    const people = allPeople(sim.workspace).filter((person) => person.attributes.plan === 'pro').length;
    expect(recordsOf(messages, STREAM)).toHaveLength(people);
    expect(count(log, PER_PERSON)).toBe(1);
    expect(log).toHaveLength(2 + Math.ceil(people / 1000) + Math.ceil(people / 100));
  }, 120_000);

  test('by export: 1 topics list + 1 person + the export (create, polls, download link), whatever P', async () => {
    const { exitCode, stderr, messages, log } = await readOwn(sim, { customers_method: 'export' });
    expect(exitCode, stderr).toBe(0);
    const people = allPeople(sim.workspace).length;
    expect(recordsOf(messages, STREAM)).toHaveLength(people);
    const api = log.filter((entry) => !entry.path.startsWith(STORAGE_PREFIX));
    expect(count(api, TOPICS)).toBe(1);
    expect(count(api, PER_PERSON)).toBe(1);
    expect(count(api, SEARCH) + count(api, LOOKUPS)).toBe(0);
    expect(count(api, /^\/v1\/exports\/customers$/)).toBe(1);
    expect(count(api, /^\/v1\/exports\/\d+$/)).toBe(EXPORT_POLLS);
    expect(count(api, /^\/v1\/exports\/\d+\/download$/)).toBe(1);
    expect(api).toHaveLength(2 + 1 + EXPORT_POLLS + 1);
  }, 120_000);

  test('a killed full refresh resumes at the search page it reached, and misses nobody', async () => {
    const killed = await readOwn(
      sim,
      {},
      {
        env: { ...ENV, CIO_CHECKPOINT_RECORDS: '1' },
        killWhen: (line) => line.includes('"type":"STATE"') && line.includes('"next"'),
      },
    );
    const states = finalStates(killed.messages);
    const resume = states[0]?.stream.stream_state?.resume as JsonObject | undefined;
    expect(resume?.next).toBeDefined();
    const resumed = await readOwn(sim, {}, { state: states });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const people = allPeople(sim.workspace).length;
    const seen = new Set(
      [...recordsOf(killed.messages, STREAM), ...recordsOf(resumed.messages, STREAM)].map((r) => r.cio_id),
    );
    expect(seen.size).toBe(people);
    // The resumed read starts at the saved page: fewer search pages and lookups than a whole read.
    expect(count(resumed.log, SEARCH)).toBeLessThan(Math.ceil(people / 1000));
    expect(count(resumed.log, LOOKUPS)).toBeLessThan(Math.ceil(people / 100));
    expect(count(resumed.log, PER_PERSON)).toBe(1);
  }, 120_000);

  test('states cross between the methods: each starts over from the other’s resume point, missing nobody', async () => {
    const people = allPeople(sim.workspace).length;
    const perPerson = { per_person_method: 'per_person' };
    const checkpointEvery = { env: { ...ENV, CIO_CHECKPOINT_RECORDS: '1' } };
    const sweep = await readOwn(sim, perPerson, {
      ...checkpointEvery,
      killWhen: (line) => line.includes('"type":"STATE"') && line.includes('"people"'),
    });
    const sweepState = finalStates(sweep.messages);
    expect((sweepState[0]?.stream.stream_state?.resume as JsonObject | undefined)?.people).toBeDefined();
    const bulk = await readOwn(sim, {}, { state: sweepState });
    expect(bulk.exitCode, bulk.stderr).toBe(0);
    expect(recordsOf(bulk.messages, STREAM)).toHaveLength(people);
    expect(count(bulk.log, LOOKUPS)).toBe(Math.ceil(people / 100));

    const pages = await readOwn(
      sim,
      {},
      {
        ...checkpointEvery,
        killWhen: (line) => line.includes('"type":"STATE"') && line.includes('"next"'),
      },
    );
    const pageState = finalStates(pages.messages);
    expect((pageState[0]?.stream.stream_state?.resume as JsonObject | undefined)?.next).toBeDefined();
    const swept = await readOwn(sim, perPerson, { state: pageState });
    expect(swept.exitCode, swept.stderr).toBe(0);
    expect(recordsOf(swept.messages, STREAM)).toHaveLength(people);
    expect(count(swept.log, PER_PERSON)).toBe(people);
  }, 120_000);
});

describe('topics a person chose that the topics list lacks (deleted topics)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ requestsPerSecond: null, workspace: { people: 120 } });
    // Some people chose a topic that no longer exists, next to the topics that do.
    let changed = 0;
    for (const person of allPeople(sim.workspace)) {
      const raw = person.attributes.cio_subscription_preferences;
      if (raw === undefined || changed === 7) continue;
      const { topics } = JSON.parse(raw) as { topics: Record<string, boolean> };
      person.attributes.cio_subscription_preferences = JSON.stringify({
        topics: { ...topics, topic_99: true, topic_98: false },
      });
      changed += 1;
    }
  });
  afterAll(async () => {
    await sim.close();
  });

  test('are left out, as the per-person endpoint leaves them out, with one warning that counts them', async () => {
    const bulk = await readOwn(sim);
    const perPerson = await readOwn(sim, { per_person_method: 'per_person' });
    expect(bulk.exitCode, bulk.stderr).toBe(0);
    expect(byCioId(recordsOf(bulk.messages, STREAM))).toEqual(byCioId(recordsOf(perPerson.messages, STREAM)));
    const ids = new Set(sim.workspace.subscriptionTopics.map((topic) => topic.id));
    for (const record of recordsOf(bulk.messages, STREAM)) {
      for (const topic of record.topics as JsonObject[]) expect(ids.has(topic.id as number)).toBe(true);
    }
    const warned = warnings(bulk.messages).filter((text) => text.includes('does not list'));
    expect(warned).toEqual([
      `${STREAM}: 7 people chose topics that GET /v1/subscription_topics does not list (topic_99, topic_98: deleted topics); their records leave them out, as the per-person endpoint lists only the workspace's topics.`,
    ]);
  }, 120_000);
});
