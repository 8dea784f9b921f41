// The write surface beyond people and events, run as the built destination against the simulator of one
// workspace's Track and App APIs: objects, relationships, devices, suppression, merges, subscriptions, manual
// segments (with mirror), collections and snippets.
import { describe, expect, test } from 'vitest';
import {
  appConfigFor,
  configFor,
  configuredStream,
  errorsOf,
  logsOf,
  record,
  runDestination,
  simulatorPerTest,
  statesOf,
  streamState,
  streamStatus,
} from './harness.js';
import type { TrackSimulator } from './simulator/index.js';

const start = simulatorPerTest();
const catalog = (...streams: unknown[]) => ({ streams });
const paths = (sim: TrackSimulator) => sim.requests.map((request) => `${request.method} ${request.path}`);

/** People who exist, so that segment changes (which pass over unknown people) apply. */
async function seedPeople(sim: TrackSimulator, ids: string[]) {
  const result = await runDestination('write', {
    config: configFor(sim),
    catalog: catalog(configuredStream('people', 'person', 'append_dedup')),
    input: ids.map((id) => record('people', { person_id: id, person_email: `${id}@example.com` })),
  });
  expect(result.exitCode, result.stderr).toBe(0);
  sim.requests.length = 0;
}

describe('objects and relationships', () => {
  test('object: create, update (null removes), delete by type and id; by cio_object_id updates only', async () => {
    const sim = await start();
    const config = configFor(sim);
    const first = await runDestination('write', {
      config,
      catalog: catalog(configuredStream('companies', 'object', 'append_dedup')),
      input: [
        record('companies', { object_type_id: 1, object_id: 'acme', name: 'Acme', seats: 50, region: 'EU' }),
        record('companies', { object_type_id: '1', object_id: 'globex', name: 'Globex' }),
        record('companies', { object_type_id: '1', object_id: 'acme', seats: 60, region: null }),
        streamState('companies', { cursor: 3 }),
      ],
    });
    expect(errorsOf(first)).toEqual([]);
    expect(sim.store.findObject({ typeId: '1', id: 'acme' })?.attributes).toEqual({
      name: 'Acme',
      seats: 60,
    });
    expect(statesOf(first)).toEqual([
      expect.objectContaining({ destinationStats: { recordCount: 3, rejectedRecordCount: 0 } }),
    ]);
    const cioId = sim.store.findObject({ typeId: '1', id: 'globex' })?.cio_object_id ?? '';
    const second = await runDestination('write', {
      config,
      catalog: catalog(
        configuredStream('renames', 'object', 'append_dedup'),
        configuredStream('closed', 'object', 'soft_delete'),
      ),
      input: [
        record('renames', { object_type_id: '1', cio_object_id: cioId, name: 'Globex Corp' }),
        record('renames', { object_type_id: '1', cio_object_id: 'obj_unknown', name: 'Nobody' }),
        record('closed', { object_type_id: '1', object_id: 'acme' }),
      ],
    });
    expect(second.exitCode).toBe(0);
    expect(sim.store.findObject({ cio: cioId })?.attributes.name).toBe('Globex Corp');
    expect(sim.store.findObject({ typeId: '1', id: 'acme' })).toBeUndefined();
    expect(sim.store.objects.size).toBe(1);
  });

  test('relationships: added with attributes, removed; object_<type> and relationship_<type> take the type from the name', async () => {
    const sim = await start();
    const result = await runDestination('write', {
      config: appConfigFor(sim),
      catalog: catalog(
        configuredStream('accounts', 'object_sales_accounts', 'append_dedup'),
        configuredStream('seats', 'relationship_sales_accounts', 'append'),
        configuredStream('links', 'relationship', 'append'),
        configuredStream('unlinks', 'relationship', 'soft_delete'),
      ),
      input: [
        record('accounts', { object_id: 'big-co', tier: 'gold' }),
        record('seats', { person_id: 'u1', object_id: 'big-co', role: 'admin' }),
        record('links', {
          person_email: 'b@example.com',
          object_type_id: 1,
          object_id: 'acme',
          role: 'user',
        }),
        record('links', { person_id: 'u1', object_type_id: 1, object_id: 'acme' }),
        record('unlinks', { person_id: 'u1', object_type_id: 1, object_id: 'acme' }),
      ],
    });
    expect(errorsOf(result)).toEqual([]);
    expect(sim.store.findObject({ typeId: '2', id: 'big-co' })?.attributes).toEqual({ tier: 'gold' });
    const u1 = sim.store.personKey('id', 'u1');
    const b = sim.store.personKey('email', 'b@example.com');
    expect(Object.fromEntries(sim.store.relationships)).toEqual({
      [`${u1}|2:big-co`]: { role: 'admin' },
      [`${b}|1:acme`]: { role: 'user' },
    });
    // Requests to the App API: the object types, once.
    expect(paths(sim).filter((path) => path.includes('/v1/'))).toEqual(['GET /v1/object_types']);
  });

  test('object_<type> without an App API key is a config error before anything is sent', async () => {
    const sim = await start();
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: catalog(configuredStream('accounts', 'object_companies', 'append_dedup')),
      input: [record('accounts', { object_id: 'x' })],
    });
    expect(result.exitCode).toBe(1);
    expect(errorsOf(result)).toEqual([
      {
        message: expect.stringMatching(/object_<type>.*needs the App API: set "app_api_key"/),
        failure_type: 'config_error',
      },
    ]);
    expect(sim.requests).toEqual([]);
  });

  test('rows that break a rule are rejected and reported; an unknown object type is refused by Customer.io', async () => {
    const sim = await start();
    const result = await runDestination('write', {
      config: configFor(sim, { max_rejected_share: 1 }),
      catalog: catalog(configuredStream('companies', 'object', 'append_dedup')),
      input: [
        record('companies', { object_type_id: 1, object_id: 'x'.repeat(151) }),
        record('companies', { object_type_id: 'one', object_id: 'a' }),
        record('companies', { object_type_id: 1 }),
        record('companies', { object_type_id: 9, object_id: 'a' }),
        record('companies', { object_type_id: 1, object_id: 'fine' }),
        streamState('companies', {}),
      ],
    });
    expect(result.exitCode).toBe(0);
    const warnings = logsOf(result, 'WARN').join('\n');
    expect(warnings).toMatch(/object_id: the identifier is over 150 bytes/);
    expect(warnings).toMatch(/object_type_id: not an object type id/);
    expect(warnings).toMatch(/object_id \/ cio_object_id: no matching key/);
    expect(warnings).toMatch(/by Customer\.io.*identifiers\.object_type_id/);
    expect(statesOf(result)[0]?.destinationStats).toEqual({ recordCount: 5, rejectedRecordCount: 4 });
    expect([...sim.store.objects.keys()]).toEqual(['1:fine']);
  });
});

describe('people: devices, suppression, merges, subscriptions', () => {
  test('devices are added, updated and removed; platform is checked', async () => {
    const sim = await start();
    const result = await runDestination('write', {
      config: configFor(sim, { max_rejected_share: 1 }),
      catalog: catalog(
        configuredStream('devices', 'person_device', 'append_dedup'),
        configuredStream('old_devices', 'person_device', 'soft_delete'),
      ),
      input: [
        record('devices', {
          person_id: 'u1',
          device_id: 'tok-1',
          platform: 'iOS',
          last_used: 1_700_000_000,
          app_version: '2.1',
        }),
        record('devices', { person_id: 'u1', device_id: 'tok-2', platform: 'android' }),
        record('devices', { person_id: 'u1', device_id: 'tok-3', platform: 'windows' }),
        record('old_devices', { person_id: 'u1', device_id: 'tok-2' }),
      ],
    });
    expect(result.exitCode).toBe(0);
    const devices = sim.store.devices.get(sim.store.personKey('id', 'u1') ?? '');
    expect(Object.fromEntries(devices ?? [])).toEqual({
      'tok-1': {
        token: 'tok-1',
        platform: 'ios',
        last_used: 1_700_000_000,
        attributes: { app_version: '2.1' },
      },
    });
    expect(logsOf(result, 'WARN').join('\n')).toMatch(/platform: not ios or android/);
  });

  test('suppress and unsuppress', async () => {
    const sim = await start();
    await runDestination('write', {
      config: configFor(sim),
      catalog: catalog(
        configuredStream('gdpr', 'person_suppression', 'append'),
        configuredStream('freed', 'person_suppression', 'soft_delete'),
      ),
      input: [
        record('gdpr', { person_email: 'gone@example.com' }),
        record('gdpr', { person_id: 'u2' }),
        record('freed', { person_id: 'u2' }),
      ],
    });
    expect(sim.store.find('email', 'gone@example.com')?.suppressed).toBe(true);
    expect(sim.store.find('id', 'u2')?.suppressed).toBe(false);
  });

  test('a merge waits for the writes about its people in the same sync, then merges the secondary into the primary', async () => {
    const sim = await start();
    const result = await runDestination('write', {
      config: configFor(sim, { max_rejected_share: 1 }),
      // flushMs high and a big batch: the identifies and the merge would share one batch if order allowed it.
      catalog: catalog(
        configuredStream('people', 'person', 'append_dedup'),
        configuredStream('merges', 'person_merge', 'append'),
      ),
      input: [
        record('people', { person_id: 'main', plan: 'pro' }),
        record('people', { person_email: 'dup@example.com', color: 'blue', plan: 'free' }),
        record('merges', { primary_id: 'main', secondary_email: 'dup@example.com' }),
        record('merges', { primary_id: 'main', secondary_id: 'main' }),
        record('merges', { primary_id: 'nobody', secondary_id: 'x' }),
      ],
    });
    expect(result.exitCode).toBe(0);
    expect(sim.store.find('id', 'main')?.attributes).toMatchObject({ plan: 'pro', color: 'blue' });
    expect(sim.store.find('email', 'dup@example.com')?.deleted).toBe(true);
    const warnings = logsOf(result, 'WARN').join('\n');
    expect(warnings).toMatch(/not merged into itself/);
    expect(warnings).toMatch(
      /Rejected by Customer\.io: .*primary: Customer\.io refused it \(not_found: the primary person does not exist\)/,
    );
    // The merge went in a request after the one with both identifies (each person's writes stay in order).
    expect(sim.requests.filter((request) => request.path === '/api/v2/batch').length).toBeGreaterThanOrEqual(
      2,
    );
  });

  test('subscription topics by topic_id and subscribed, or topic_<n> columns; other topics are left as they are', async () => {
    const sim = await start();
    const result = await runDestination('write', {
      config: configFor(sim, { max_rejected_share: 1 }),
      catalog: catalog(configuredStream('prefs', 'person_subscription', 'append_dedup')),
      input: [
        record('prefs', { person_id: 'u1', topic_id: 'topic_1', subscribed: true }),
        record('prefs', { person_id: 'u1', topic_2: 'false', topic_3: 1 }),
        record('prefs', { person_id: 'u1', topic_id: 4, subscribed: 'maybe' }),
        record('prefs', { person_id: 'u1' }),
      ],
    });
    expect(result.exitCode).toBe(0);
    expect(sim.store.find('id', 'u1')?.attributes.cio_subscription_preferences).toEqual({
      topics: { topic_1: true, topic_2: false, topic_3: true },
    });
    const warnings = logsOf(result, 'WARN').join('\n');
    expect(warnings).toMatch(/subscribed: not true or false/);
    expect(warnings).toMatch(/topic_id: no topic/);
  });
});

describe('manual segments', () => {
  test('append adds and soft_delete removes, 1000 ids a request, by the id type of the matching key', async () => {
    const sim = await start();
    const ids = Array.from({ length: 2500 }, (_, index) => `p${index}`);
    await seedPeople(sim, ids);
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: catalog(
        configuredStream('vip', 'segment_membership', 'append'),
        configuredStream('lapsed', 'segment_membership', 'soft_delete'),
      ),
      input: [
        ...ids.map((id) => record('vip', { segment_id: 101, person_id: id })),
        record('vip', { segment_id: '102', person_email: 'P7@Example.com' }),
        streamState('vip', { cursor: 1 }),
        record('lapsed', { segment_id: 101, person_id: 'p0' }),
        streamState('lapsed', { cursor: 1 }),
      ],
    });
    expect(errorsOf(result)).toEqual([]);
    expect(sim.store.segmentMembers(101)).toHaveLength(2499);
    expect(sim.store.segmentMembers(102).map((member) => member.id)).toEqual(['p7']);
    const adds = sim.requests.filter((request) => request.path.endsWith('/add_customers'));
    // Requests of two segments are in flight together: their order of arrival is not fixed.
    expect(adds.map((request) => request.entries).sort((a, b) => b - a)).toEqual([1000, 1000, 500, 1]);
    expect(statesOf(result).map((state) => state.destinationStats)).toEqual([
      { recordCount: 2501, rejectedRecordCount: 0 },
      { recordCount: 1, rejectedRecordCount: 0 },
    ]);
  });

  test('a segment that does not exist fails the sync with what Customer.io said; phone is not a segment key', async () => {
    const sim = await start();
    await seedPeople(sim, ['a']);
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: catalog(configuredStream('vip', 'segment_membership', 'append')),
      input: [record('vip', { segment_id: 999, person_id: 'a' })],
    });
    expect(result.exitCode).toBe(1);
    expect(errorsOf(result)[0]?.message).toMatch(/segments\/999\/add_customers/);
    const schema = await runDestination('discover', { config: configFor(sim) });
    expect(JSON.stringify(schema.messages)).toContain('"object_name":"segment_membership"');
  });

  test('mirror: afterwards the segment holds exactly the synced people; states wait for the removal', async () => {
    const sim = await start();
    const ids = Array.from({ length: 30 }, (_, index) => `m${index}`);
    await seedPeople(sim, ids);
    const members = sim.store.segments.get(103) ?? new Set();
    for (const id of ids.slice(0, 20)) members.add(sim.store.personKey('id', id) ?? '');
    const synced = ids.slice(10, 30);
    const result = await runDestination('write', {
      config: appConfigFor(sim),
      catalog: catalog(configuredStream('vip', 'segment_membership', 'overwrite')),
      input: [
        ...synced.slice(0, 10).map((id) => record('vip', { segment_id: 103, person_id: id })),
        streamState('vip', { page: 1 }),
        ...synced
          .slice(10)
          .map((id) => record('vip', { segment_id: 103, person_email: `${id}@example.com` })),
        streamState('vip', { page: 2 }),
        streamStatus('vip'),
      ],
    });
    expect(errorsOf(result)).toEqual([]);
    expect(
      sim.store
        .segmentMembers(103)
        .map((member) => member.id)
        .sort(),
    ).toEqual([...synced].sort());
    const removals = sim.requests.filter((request) => request.path.endsWith('/remove_customers'));
    expect(removals.map((request) => request.entries)).toEqual([10]);
    // Both states come back, after the removal (the last requests), with their counts.
    expect(statesOf(result).map((state) => state.destinationStats)).toEqual([
      { recordCount: 10, rejectedRecordCount: 0 },
      { recordCount: 10, rejectedRecordCount: 0 },
    ]);
    expect(logsOf(result, 'INFO').join('\n')).toMatch(
      /Segment 103 mirrored from "vip": 10 people no longer in the stream removed/,
    );
  });

  test('mirror: a failed sync removes nobody and echoes no state; an empty input is refused unless allowed', async () => {
    const sim = await start();
    await seedPeople(sim, ['a', 'b']);
    const members = sim.store.segments.get(103) ?? new Set();
    for (const id of ['a', 'b']) members.add(sim.store.personKey('id', id) ?? '');
    sim.addFaults({ kind: 'http_401', path: /add_customers/ });
    const failed = await runDestination('write', {
      config: appConfigFor(sim),
      catalog: catalog(configuredStream('vip', 'segment_membership', 'overwrite')),
      input: [record('vip', { segment_id: 103, person_id: 'a' }), streamState('vip', { page: 1 })],
    });
    expect(failed.exitCode).toBe(1);
    expect(statesOf(failed)).toEqual([]);
    expect(sim.store.segmentMembers(103)).toHaveLength(2);

    const mapped = {
      stream_mappings: [
        { stream: 'vip', object: 'segment_membership', sync_mode: 'overwrite', segment_id: 103 },
      ],
    };
    const empty = await runDestination('write', {
      config: appConfigFor(sim, mapped),
      catalog: catalog(configuredStream('vip')),
      input: [streamState('vip', {})],
    });
    expect(empty.exitCode).toBe(1);
    expect(errorsOf(empty)[0]?.message).toMatch(
      /"vip" brought no rows: nothing was removed.*"allow_empty_mirror"/,
    );
    expect(sim.store.segmentMembers(103)).toHaveLength(2);

    const allowed = await runDestination('write', {
      config: appConfigFor(sim, { ...mapped, allow_empty_mirror: true }),
      catalog: catalog(configuredStream('vip')),
      input: [streamStatus('vip')],
    });
    expect(errorsOf(allowed)).toEqual([]);
    expect(sim.store.segmentMembers(103)).toEqual([]);
  });

  test('mirror: a stream resumed from a state adds but removes nobody, with a WARN', async () => {
    const sim = await start();
    await seedPeople(sim, ['a', 'b']);
    sim.store.segments.get(103)?.add(sim.store.personKey('id', 'a') ?? '');
    const result = await runDestination('write', {
      config: appConfigFor(sim),
      catalog: catalog(configuredStream('vip', 'segment_membership', 'overwrite')),
      input: [streamState('vip', { page: 4 }), record('vip', { segment_id: 103, person_id: 'b' })],
    });
    expect(errorsOf(result)).toEqual([]);
    expect(sim.store.segmentMembers(103).map((member) => member.id)).toEqual(['a', 'b']);
    expect(logsOf(result, 'WARN').join('\n')).toMatch(
      /Segment 103 was not mirrored: the stream "vip" was resumed from a state.*nobody was removed/,
    );
  });

  test("mirror: without the source's COMPLETE, or with a rejected row, nobody is removed (a WARN says why)", async () => {
    const sim = await start();
    await seedPeople(sim, ['a', 'b', 'c']);
    const segment = sim.store.segments.get(103) ?? new Set();
    for (const id of ['a', 'b', 'c']) segment.add(sim.store.personKey('id', id) ?? '');
    const run = (input: unknown[]) =>
      runDestination('write', {
        config: appConfigFor(sim, { max_rejected_share: 1 }),
        catalog: catalog(configuredStream('vip', 'segment_membership', 'overwrite')),
        input,
      });
    const noComplete = await run([record('vip', { segment_id: 103, person_id: 'a' })]);
    expect(errorsOf(noComplete)).toEqual([]);
    expect(logsOf(noComplete, 'WARN').join('\n')).toMatch(
      /Segment 103 was not mirrored: the source did not say the stream "vip" is COMPLETE.*nobody was removed/,
    );
    expect(sim.store.segmentMembers(103)).toHaveLength(3);
    // c's row has no usable key: removing would take c out although the source still lists c.
    const rejected = await run([
      record('vip', { segment_id: 103, person_id: 'a' }),
      record('vip', { segment_id: 103, person_phone: '+15550000001' }),
      streamStatus('vip'),
    ]);
    expect(logsOf(rejected, 'WARN').join('\n')).toMatch(
      /Segment 103 was not mirrored: 1 row\(s\) of the stream "vip" were rejected/,
    );
    expect(sim.store.segmentMembers(103)).toHaveLength(3);
    const whole = await run([record('vip', { segment_id: 103, person_id: 'a' }), streamStatus('vip')]);
    expect(errorsOf(whole)).toEqual([]);
    expect(sim.store.segmentMembers(103).map((member) => member.id)).toEqual(['a']);
  });

  test("two streams mirroring one segment keep both streams' people; an incremental mirror is refused", async () => {
    const sim = await start();
    await seedPeople(sim, ['a', 'b', 'c']);
    const segment = sim.store.segments.get(103) ?? new Set();
    for (const id of ['a', 'b', 'c']) segment.add(sim.store.personKey('id', id) ?? '');
    const result = await runDestination('write', {
      config: appConfigFor(sim),
      catalog: catalog(
        configuredStream('vip_eu', 'segment_membership', 'overwrite'),
        configuredStream('vip_us', 'segment_membership', 'overwrite'),
      ),
      input: [
        record('vip_eu', { segment_id: 103, person_id: 'a' }),
        record('vip_us', { segment_id: 103, person_id: 'b' }),
        streamStatus('vip_eu'),
        streamStatus('vip_us'),
      ],
    });
    expect(errorsOf(result)).toEqual([]);
    expect(sim.store.segmentMembers(103).map((member) => member.id)).toEqual(['a', 'b']);
    const incremental = await runDestination('write', {
      config: appConfigFor(sim),
      catalog: catalog(
        configuredStream('vip', 'segment_membership', 'overwrite', { sync_mode: 'incremental' }),
      ),
      input: [],
    });
    expect(errorsOf(incremental)).toEqual([
      {
        message: expect.stringMatching(
          /^Stream "vip" mirrors segment_membership \(overwrite\) but is read incrementally/,
        ),
        failure_type: 'config_error',
      },
    ]);
  });

  test('an add to a segment waits for the identify of its person read before it, whatever request it is in', async () => {
    const sim = await start();
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: catalog(
        configuredStream('people', 'person', 'append_dedup'),
        configuredStream('vip', 'segment_membership', 'append'),
      ),
      // A big batch and a long flush: without ordering, the full list of 1000 adds would go first.
      env: { CIO_FLUSH_MS: '60000' },
      input: [
        ...Array.from({ length: 1000 }, (_, n) => record('people', { person_id: `n${n}` })),
        ...Array.from({ length: 1000 }, (_, n) => record('vip', { segment_id: 101, person_id: `n${n}` })),
      ],
    });
    expect(errorsOf(result)).toEqual([]);
    expect(sim.store.segmentMembers(101)).toHaveLength(1000);
    const order = sim.requests.map((request) => request.path);
    expect(order.indexOf('/api/v2/batch')).toBeLessThan(order.indexOf('/api/v1/segments/101/add_customers'));
  });

  test('mirror needs the App API key', async () => {
    const sim = await start();
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: catalog(configuredStream('vip', 'segment_membership', 'overwrite')),
      input: [],
    });
    expect(errorsOf(result)).toEqual([
      {
        message: expect.stringMatching(/^Stream "vip" \(segment_membership, overwrite\) needs the App API/),
        failure_type: 'config_error',
      },
    ]);
  });
});

describe('collections and snippets', () => {
  test('collection: created from the rows, replaced by the next whole sync; a sync with a rejected row replaces nothing', async () => {
    const sim = await start();
    const config = appConfigFor(sim, { max_rejected_share: 1 });
    const first = await runDestination('write', {
      config,
      catalog: catalog(configuredStream('stores', 'collection', 'overwrite')),
      input: [
        record('stores', { city: 'Lisbon', open: true, _airbyte_raw_id: 'r1' }),
        record('stores', { city: 'Porto', open: false }),
        streamState('stores', { done: true }),
        streamStatus('stores'),
      ],
    });
    expect(errorsOf(first)).toEqual([]);
    const [stored] = [...sim.store.collections.values()];
    const created = [
      { city: 'Lisbon', open: true },
      { city: 'Porto', open: false },
    ];
    expect(stored).toMatchObject({ name: 'stores', data: created });
    expect(statesOf(first)[0]?.destinationStats).toEqual({ recordCount: 2, rejectedRecordCount: 0 });

    // A row over 10 KB is rejected: the collection would lose it, so it is not replaced, and the sync fails.
    const rejecting = await runDestination('write', {
      config,
      catalog: catalog(configuredStream('stores', 'collection', 'overwrite')),
      input: [
        record('stores', { city: 'Faro', open: true }),
        record('stores', { city: 'Big', notes: 'x'.repeat(10_001) }),
        streamState('stores', { done: true }),
        streamStatus('stores'),
      ],
    });
    expect(rejecting.exitCode).toBe(1);
    expect(logsOf(rejecting, 'WARN').join('\n')).toMatch(
      /\(row\): the row is \d+ bytes, over the 10000 of a collection row/,
    );
    expect(errorsOf(rejecting)[0]?.message).toMatch(
      /^The collection "stores" was not replaced: 1 row\(s\) of the stream "stores" were rejected/,
    );
    expect(statesOf(rejecting)).toEqual([]);
    expect(sim.store.collections.get(stored?.id ?? 0)?.data).toEqual(created);

    const second = await runDestination('write', {
      config,
      catalog: catalog(configuredStream('stores', 'collection', 'overwrite')),
      input: [record('stores', { city: 'Faro', open: true }), streamStatus('stores')],
    });
    expect(errorsOf(second)).toEqual([]);
    expect(sim.store.collections.size).toBe(1);
    expect(sim.store.collections.get(stored?.id ?? 0)?.data).toEqual([{ city: 'Faro', open: true }]);
    expect(paths(sim).slice(-2)).toEqual(['GET /v1/collections', `PUT /v1/collections/${stored?.id}`]);
  });

  test('a collection named in stream_mappings; a failed sync replaces nothing', async () => {
    const sim = await start();
    const config = appConfigFor(sim, {
      stream_mappings: [{ stream: 'shops', object: 'collection', collection_name: 'Shops' }],
    });
    // FAST_RETRIES: 4 retries, so 5 answers fail the request.
    sim.addFaults({ kind: 'http_500', path: /collections/, times: 5 });
    const failed = await runDestination('write', {
      config,
      catalog: catalog(configuredStream('shops')),
      input: [record('shops', { city: 'Lisbon' }), streamState('shops', {}), streamStatus('shops')],
    });
    expect(failed.exitCode).toBe(1);
    expect(statesOf(failed)).toEqual([]);
    expect(sim.store.collections.size).toBe(0);
    const ok = await runDestination('write', {
      config,
      catalog: catalog(configuredStream('shops')),
      input: [record('shops', { city: 'Lisbon' }), streamState('shops', {}), streamStatus('shops')],
    });
    expect(errorsOf(ok)).toEqual([]);
    expect([...sim.store.collections.values()].map((collection) => collection.name)).toEqual(['Shops']);
  });

  test('snippets: upserted and deleted (one already gone is done); a name over 150 characters is rejected', async () => {
    const sim = await start();
    sim.store.snippets.set('footer', 'old');
    const result = await runDestination('write', {
      config: appConfigFor(sim, { max_rejected_share: 1 }),
      catalog: catalog(
        configuredStream('snippets', 'snippet', 'append_dedup'),
        configuredStream('retired', 'snippet', 'soft_delete'),
      ),
      input: [
        record('snippets', { name: 'header', value: '<b>Hi {{customer.first_name}}</b>' }),
        record('snippets', { name: 'n'.repeat(151), value: 'x' }),
        record('retired', { name: 'footer' }),
        record('retired', { name: 'never-existed' }),
        streamState('retired', {}),
      ],
    });
    expect(errorsOf(result)).toEqual([]);
    expect(Object.fromEntries(sim.store.snippets)).toEqual({ header: '<b>Hi {{customer.first_name}}</b>' });
    expect(statesOf(result)[0]?.destinationStats).toEqual({ recordCount: 2, rejectedRecordCount: 0 });
    expect(logsOf(result, 'WARN').join('\n')).toMatch(/name: the name is over 150 characters/);
  });
});

describe('killed and resumed, with faults', () => {
  const OBJECTS = 300;
  const STATE_EVERY = 50;

  /** Three streams interleaved, a state of each after every STATE_EVERY of its records (cursor: how many). */
  function streams(): Record<string, unknown[]> {
    const objects = Array.from({ length: OBJECTS }, (_, n) =>
      record('companies', { object_type_id: 1, object_id: `c${n}`, n }),
    );
    const relationships = Array.from({ length: 2 * OBJECTS }, (_, n) =>
      record('seats', { person_id: `p${n % 120}`, object_type_id: 1, object_id: `c${n % OBJECTS}`, n }),
    );
    const members = Array.from({ length: 120 }, (_, n) =>
      record('vip', { segment_id: 101, person_id: `p${n}` }),
    );
    return { companies: objects, seats: relationships, vip: members };
  }

  /** Each stream from its cursor on, with its states, interleaved record by record. */
  function input(all: Record<string, unknown[]>, from: Record<string, number>): unknown[] {
    const lines: unknown[] = [];
    const longest = Math.max(...Object.values(all).map((records) => records.length));
    for (let n = 0; n < longest; n++)
      for (const [stream, records] of Object.entries(all)) {
        if (n < (from[stream] ?? 0) || n >= records.length) continue;
        lines.push(records[n]);
        if ((n + 1) % STATE_EVERY === 0 || n + 1 === records.length)
          lines.push(streamState(stream, { records: n + 1 }));
      }
    return lines;
  }

  const cursors = (result: { messages: Array<Record<string, unknown>> }) => {
    const found: Record<string, number> = {};
    for (const message of result.messages)
      if (message.type === 'STATE') {
        const stream = (
          message.state as {
            stream: { stream_descriptor: { name: string }; stream_state: { records: number } };
          }
        ).stream;
        found[stream.stream_descriptor.name] = stream.stream_state.records;
      }
    return found;
  };

  test('objects, relationships and memberships: 5xx, lost answers and a kill, then a resume: nothing lost', async () => {
    const sim = await start({ latencyMs: 2 });
    await seedPeople(
      sim,
      Array.from({ length: 120 }, (_, n) => `p${n}`),
    );
    const all = streams();
    const config = configFor(sim);
    const catalogOf = catalog(
      configuredStream('companies', 'object', 'append_dedup'),
      configuredStream('seats', 'relationship', 'append'),
      configuredStream('vip', 'segment_membership', 'append'),
    );
    const env = { CIO_BATCH_BYTES: '4000', CIO_MAX_IN_FLIGHT: '4' };
    sim.addFaults(
      { kind: 'http_503', path: /batch/, times: 2 },
      { kind: 'reset_after', path: /batch/ },
      { kind: 'reset_after', path: /add_customers/ },
      { kind: 'http_500', path: /add_customers/ },
    );
    let states = 0;
    const killed = await runDestination('write', {
      config,
      catalog: catalogOf,
      input: input(all, {}),
      // Open input: the run cannot end before the kill.
      keepInputOpen: true,
      env,
      signalWhen: { line: (line) => line.includes('"type":"STATE"') && ++states === 6, signal: 'SIGKILL' },
    });
    expect(killed.signal).toBe('SIGKILL');
    const from = cursors(killed);
    expect(Object.keys(from).length).toBeGreaterThan(0);

    const resumed = await runDestination('write', {
      config,
      catalog: catalogOf,
      input: input(all, from),
      env,
    });
    expect(errorsOf(resumed)).toEqual([]);
    expect(cursors(resumed)).toMatchObject({ companies: OBJECTS, seats: 2 * OBJECTS, vip: 120 });
    expect(sim.store.objects.size).toBe(OBJECTS);
    for (let n = 0; n < OBJECTS; n++)
      expect(sim.store.findObject({ typeId: '1', id: `c${n}` })?.attributes.n).toBe(n);
    // 600 relationships of 120 people and 300 companies: 600 distinct pairs.
    expect(sim.store.relationships.size).toBe(2 * OBJECTS);
    expect(sim.store.segmentMembers(101)).toHaveLength(120);
  });

  test('a mirror killed midway removed nobody and echoed no state of it; the rerun removes exactly who left', async () => {
    const sim = await start({ latencyMs: 2 });
    const everyone = Array.from({ length: 200 }, (_, n) => `m${n}`);
    await seedPeople(sim, everyone);
    const segment = sim.store.segments.get(103) ?? new Set();
    for (const id of everyone.slice(0, 150)) segment.add(sim.store.personKey('id', id) ?? '');
    // The source now holds m50..m199: m0..m49 left.
    const lines: unknown[] = [];
    everyone.slice(50).forEach((id, n) => {
      lines.push(record('vip', { segment_id: 103, person_id: id }));
      if ((n + 1) % 10 === 0) lines.push(streamState('vip', { records: n + 1 }));
    });
    const catalogOf = catalog(configuredStream('vip', 'segment_membership', 'overwrite'));
    // Killed once 50 adds are acknowledged, the input still open: the run cannot have reached the mirror's end.
    const killed = await runDestination('write', {
      config: appConfigFor(sim),
      catalog: catalogOf,
      input: lines,
      keepInputOpen: true,
      env: { CIO_BATCH_BYTES: '200', CIO_PROGRESS_RECORDS: '50' },
      signalWhen: { line: (line) => line.includes('Progress: '), signal: 'SIGKILL' },
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(statesOf(killed)).toEqual([]);
    // Nobody removed (some of m150.. may have been added).
    expect(sim.store.segmentMembers(103).length).toBeGreaterThanOrEqual(150);
    for (const id of everyone.slice(0, 50))
      expect(sim.store.segments.get(103)?.has(sim.store.personKey('id', id) ?? '')).toBe(true);

    const rerun = await runDestination('write', {
      config: appConfigFor(sim),
      catalog: catalogOf,
      input: [...lines, streamStatus('vip')],
    });
    expect(errorsOf(rerun)).toEqual([]);
    expect(
      sim.store
        .segmentMembers(103)
        .map((member) => member.id)
        .sort(),
    ).toEqual(everyone.slice(50).sort());
    expect(statesOf(rerun)).toHaveLength(15);
  });
});
