/** The bulk join of customer_subscription_preferences: people's chosen topics with the workspace's topics. */
import type { JsonObject } from '@cio-connectors/kit/json';
import { describe, expect, test } from 'vitest';
import {
  chosenTopics,
  PreferencesJoin,
  type Topic,
} from '../src/streams/customer-subscription-preferences.js';

const TOPICS: Topic[] = [
  { id: 1, identifier: 'topic_1', name: 'News', description: 'Weekly', subscribedByDefault: true },
  { id: 2, identifier: 'topic_2', name: 'Offers', description: '', subscribedByDefault: false },
];
const HEADER = { title: 'Manage your subscriptions', subtitle: 'Choose' };

function person(cioId: string, preferences?: string, extra: JsonObject = {}): JsonObject {
  return {
    id: cioId,
    identifiers: { cio_id: cioId, email: `${cioId}@mail.example`, id: `id-${cioId}` },
    attributes: {
      cio_id: cioId,
      ...(preferences === undefined ? {} : { cio_subscription_preferences: preferences }),
    },
    unsubscribed: false,
    ...extra,
  };
}

/** What the per-person endpoint answers for `who` (with the connector's cio_id added). */
function answer(who: JsonObject, subscribed: boolean[], header: unknown = HEADER): JsonObject {
  const identifiers = who.identifiers as JsonObject;
  return {
    id: identifiers.id,
    identifiers,
    unsubscribed: who.unsubscribed,
    header,
    topics: TOPICS.map((topic, index) => ({
      id: topic.id,
      name: topic.name,
      description: topic.description,
      subscribed: subscribed[index],
    })),
    cio_id: identifiers.cio_id,
  };
}

async function collect(join: PreferencesJoin, people: JsonObject[]): Promise<JsonObject[]> {
  const records: JsonObject[] = [];
  for await (const record of join.recordsOf(people)) records.push(record);
  return records;
}

describe('chosenTopics', () => {
  test('the JSON text of the attribute; none without it; undefined when it is not {"topics": {...}}', () => {
    expect(chosenTopics(undefined)).toEqual(new Map());
    expect(chosenTopics('')).toEqual(new Map());
    expect(chosenTopics('{"topics":{"topic_1":false,"topic_2":true}}')).toEqual(
      new Map([
        ['topic_1', false],
        ['topic_2', true],
      ]),
    );
    expect(chosenTopics('{}')).toEqual(new Map());
    expect(chosenTopics({ topics: { topic_3: true } })).toEqual(new Map([['topic_3', true]]));
    expect(chosenTopics('{"topics":{"topic_1":"yes","topic_2":true}}')).toEqual(new Map([['topic_2', true]]));
    expect(chosenTopics('not json')).toBeUndefined();
    expect(chosenTopics('{"topics":[1]}')).toBeUndefined();
    expect(chosenTopics('[]')).toBeUndefined();
  });
});

describe('PreferencesJoin', () => {
  test('each topic is the choice, else the default, in the list order; the header comes from the one person asked', async () => {
    const asked: string[] = [];
    const first = person('a1', '{"topics":{"topic_2":true}}');
    const join = new PreferencesJoin(TOPICS, async (cioId) => {
      asked.push(cioId);
      return answer(first, [true, true]);
    });
    const people = [
      first,
      person('b2'),
      person('c3', '{"topics":{"topic_1":false}}', { unsubscribed: true }),
    ];
    const records = await collect(join, people);
    expect(asked).toEqual(['a1']);
    expect(records).toEqual([
      answer(people[0] as JsonObject, [true, true]),
      answer(people[1] as JsonObject, [true, false]),
      answer(people[2] as JsonObject, [false, false]),
    ]);
    // The same keys in the same order as the endpoint's answer with the cio_id added.
    expect(records.map((record) => Object.keys(record))).toEqual(
      records.map(() => ['id', 'identifiers', 'unsubscribed', 'header', 'topics', 'cio_id']),
    );
    expect(join.warnings('s')).toEqual([]);
  });

  test('batches read at once ask one person between them', async () => {
    let asks = 0;
    const join = new PreferencesJoin(TOPICS, async (cioId) => {
      asks += 1;
      await new Promise((resolve) => setImmediate(resolve));
      return answer(person(cioId), [true, false]);
    });
    const batches = await Promise.all([
      collect(join, [person('a1'), person('a2')]),
      collect(join, [person('b1'), person('b2')]),
    ]);
    expect(asks).toBe(1);
    expect(batches.flat()).toHaveLength(4);
    for (const record of batches.flat()) expect(record.header).toEqual(HEADER);
  });

  test('people gone (404) are skipped for the header, at most three; then the header is null, with a warning', async () => {
    const asked: string[] = [];
    const gone = new PreferencesJoin(TOPICS, async (cioId) => {
      asked.push(cioId);
      return undefined;
    });
    const people = ['a', 'b', 'c', 'd', 'e'].map((id) => person(id));
    const records = await collect(gone, people);
    expect(asked).toEqual(['a', 'b', 'c']);
    expect(records.map((record) => record.header)).toEqual([null, null, null, null, null]);
    expect(gone.warnings('s')).toEqual([
      "s: none of the 3 people asked for the subscription center's header (GET /v1/customers/{cio_id}/subscription_preferences) still existed (404); header is null in every record.",
    ]);

    const second = new PreferencesJoin(TOPICS, async (cioId) =>
      cioId === 'a' ? undefined : answer(person(cioId), [true, false]),
    );
    expect((await collect(second, people)).map((record) => record.header)).toEqual(people.map(() => HEADER));
    expect(second.warnings('s')).toEqual([]);
  });

  test('an answer that differs from the join is emitted as answered, and a warning names what differs', async () => {
    const join = new PreferencesJoin(TOPICS, async (cioId) => {
      const translated = answer(person(cioId), [true, false]);
      const topics = translated.topics as JsonObject[];
      return { ...translated, topics: [{ ...topics[0], name: 'Nachrichten' }, topics[1]] };
    });
    const records = await collect(join, [person('a'), person('b')]);
    const firstNames = records.map((record) => (record.topics as JsonObject[])[0]?.name);
    expect(firstNames).toEqual(['Nachrichten', 'News']);
    expect(join.warnings('s')).toEqual([
      's: the record joined from the cio_subscription_preferences attribute and GET /v1/subscription_topics differs from the one GET /v1/customers/{cio_id}/subscription_preferences answers for the person it was checked on (in topics); the other people\'s records are joined the same way. Set per_person_method to "per_person" to read every person\'s own answer.',
    ]);
  });

  test('ids of 16 digits or more (parsed as BigInt) are compared, not a failure of the check', async () => {
    const big = (cioId: string) =>
      person(cioId, undefined, { identifiers: { cio_id: cioId, email: null, id: 12345678901234567n } });
    const join = new PreferencesJoin(TOPICS, async (cioId) => answer(big(cioId), [true, false]));
    const records = await collect(join, [big('a'), big('b')]);
    expect(records.map((record) => record.id)).toEqual([12345678901234567n, 12345678901234567n]);
    expect(join.warnings('s')).toEqual([]);
  });

  test('topics the list lacks are left out and counted; a malformed attribute gives the defaults', async () => {
    const join = new PreferencesJoin(TOPICS, async (cioId) => answer(person(cioId), [true, false]));
    const records = await collect(join, [
      person('a'),
      person('b', '{"topics":{"topic_9":true,"topic_2":true}}'),
      person('c', '{"topics":{"topic_9":false}}'),
      person('d', '{"topics":'),
    ]);
    expect(records.map((record) => (record.topics as JsonObject[]).map((topic) => topic.subscribed))).toEqual(
      [
        [true, false],
        [true, true],
        [true, false],
        [true, false],
      ],
    );
    expect(join.warnings('s')).toEqual([
      "s: 2 people chose topics that GET /v1/subscription_topics does not list (topic_9: deleted topics); their records leave them out, as the per-person endpoint lists only the workspace's topics.",
      's: 1 person with a cio_subscription_preferences attribute that is not {"topics": {...}}; their records give each topic\'s default.',
    ]);
  });
});
