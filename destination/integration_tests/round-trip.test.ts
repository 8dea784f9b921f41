// A workspace moved with the two connectors (the US-to-EU move users do by hand): the source reads people,
// objects and relationships from the App API simulator, a warehouse step picks columns and joins each
// relationship to its person's id, and the destination writes them into the Track simulator. Every record arrives.
import type { JsonObject } from '@cio-connectors/kit/json';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  configuredCatalog,
  recordsOf,
  runConnector,
  simulatorConfig,
} from '../../integration_tests/harness.js';
import { type Simulator, startSimulator } from '../../integration_tests/simulator/index.js';
import {
  configFor,
  configuredStream,
  errorsOf,
  logsOf,
  record,
  runDestination,
  statesOf,
  streamState,
} from './harness.js';
import { startTrackSimulator, type TrackSimulator } from './simulator/index.js';

let source: Simulator;
let target: TrackSimulator;
beforeAll(async () => {
  source = await startSimulator({ requestsPerSecond: null, workspace: { people: 80 } });
  target = await startTrackSimulator({
    region: 'eu',
    objectTypes: source.workspace.objectTypes.map(({ id, name }) => ({ id, name })),
  });
});
afterAll(async () => {
  await Promise.all([source.close(), target.close()]);
});

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
/** What a destination writes of attributes: null and empty values are no attribute. */
const present = (attributes: unknown) =>
  Object.fromEntries(
    Object.entries((attributes ?? {}) as JsonObject).filter(([, value]) => value !== null && value !== ''),
  );

test('people, objects and relationships copied from one workspace into another: every record arrives', async () => {
  const read = await runConnector('read', {
    config: simulatorConfig(source, { requests_per_second: 1000 }),
    catalog: configuredCatalog(['customers', 'objects', 'customer_relationships']),
  });
  expect(read.exitCode, read.stderr).toBe(0);
  const people = recordsOf(read.messages, 'customers');
  const objects = recordsOf(read.messages, 'objects');
  const relationships = recordsOf(read.messages, 'customer_relationships');
  expect(people.length).toBeGreaterThan(0);
  expect(objects.length).toBeGreaterThan(0);
  expect(relationships.length).toBeGreaterThan(0);

  // The warehouse step: the columns each operation takes, and each relationship's person by id or email
  // (cio_id is the old workspace's own, unknown to the new one).
  const byCioId = new Map(people.map((person) => [String(person.cio_id), person]));
  const personKeys = (person: JsonObject | undefined) => ({
    ...(text(person?.id) === undefined ? {} : { person_id: text(person?.id) as string }),
    ...(text(person?.email) === undefined ? {} : { person_email: text(person?.email) as string }),
  });
  const movable = people.filter((person) => Object.keys(personKeys(person)).length > 0);
  const input = [
    ...people.map((person) =>
      record('people', {
        ...personKeys(person),
        attributes: person.attributes ?? {},
        unsubscribed: person.unsubscribed ?? null,
      }),
    ),
    streamState('people', { done: true }),
    ...objects.map((object) =>
      record('objects', {
        object_type_id: object.object_type_id,
        object_id: object.object_id,
        attributes: object.attributes ?? {},
      }),
    ),
    streamState('objects', { done: true }),
    ...relationships.map((relationship) =>
      record('relationships', {
        ...personKeys(byCioId.get(String(relationship.cio_id))),
        object_type_id: relationship.object_type_id,
        object_id: relationship.object_id,
        attributes: relationship.attributes ?? {},
      }),
    ),
    streamState('relationships', { done: true }),
  ];
  const written = await runDestination('write', {
    config: configFor(target, { region: 'EU', max_rejected_share: 1 }),
    catalog: {
      streams: [
        configuredStream('people', 'person', 'append_dedup'),
        configuredStream('objects', 'object', 'append_dedup'),
        configuredStream('relationships', 'relationship', 'append'),
      ],
    },
    input,
  });
  expect(errorsOf(written)).toEqual([]);
  // People with neither an id nor an email cannot be addressed in another workspace: rejected, and said so.
  expect(statesOf(written).map((state) => state.destinationStats)).toEqual([
    { recordCount: people.length, rejectedRecordCount: people.length - movable.length },
    { recordCount: objects.length, rejectedRecordCount: 0 },
    {
      recordCount: relationships.length,
      rejectedRecordCount: relationships.filter(
        (relationship) => Object.keys(personKeys(byCioId.get(String(relationship.cio_id)))).length === 0,
      ).length,
    },
  ]);
  if (movable.length < people.length) expect(logsOf(written, 'WARN').join('\n')).toMatch(/no matching key/);

  for (const person of movable) {
    const id = text(person.id);
    const stored =
      id === undefined ? target.store.find('email', text(person.email) ?? '') : target.store.find('id', id);
    expect(stored, JSON.stringify(personKeys(person))).toBeDefined();
    // cio_id is the old workspace's: the new one gives its own, so it is never sent.
    const { cio_id: _oldCioId, ...attributes } = present(person.attributes);
    expect(stored?.attributes).toMatchObject(attributes);
  }
  for (const object of objects) {
    const stored = target.store.findObject({
      typeId: String(object.object_type_id),
      id: String(object.object_id),
    });
    expect(stored?.attributes).toEqual(present(object.attributes));
  }
  for (const relationship of relationships) {
    const person = byCioId.get(String(relationship.cio_id));
    const keys = personKeys(person);
    if (Object.keys(keys).length === 0) continue;
    const key =
      keys.person_id === undefined
        ? target.store.personKey('email', keys.person_email ?? '')
        : target.store.personKey('id', keys.person_id);
    expect(
      target.store.relationships.get(`${key}|${relationship.object_type_id}:${relationship.object_id}`),
    ).toEqual(relationship.attributes ?? {});
  }
});
