// write, run as the built destination against the Track simulator: every operation, the mapping paths, states.
import { describe, expect, test } from 'vitest';
import {
  configFor,
  configuredStream,
  errorsOf,
  logsOf,
  record,
  runDestination,
  simulatorPerTest,
  statesOf,
  streamState,
} from './harness.js';

const start = simulatorPerTest();

const catalog = (...streams: unknown[]) => ({ streams });

describe('people', () => {
  test('identify by each matching key; other identifiers, attributes, the attributes object, created_at and timestamp', async () => {
    const sim = await start();
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: catalog(configuredStream('users', 'person', 'append_dedup')),
      input: [
        record('users', {
          person_id: 'u1',
          person_email: 'Ada@Example.com',
          plan: 'pro',
          attributes: { seats: 3, tier: 'gold' },
          created_at: '2024-01-01T00:00:00Z',
          timestamp: 1_700_000_000_000,
        }),
        record('users', { person_email: 'bob@example.com', plan: 'free' }),
        record('users', { person_cio_id: 'cio_abc', plan: 'team' }),
        record('users', { person_phone: '+15551234567', plan: 'sms', _airbyte_raw_id: 'x' }),
        streamState('users', { cursor: 4 }),
      ],
    });
    expect(errorsOf(result)).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(sim.store.find('id', 'u1')?.attributes).toEqual({
      id: 'u1',
      email: 'Ada@Example.com',
      plan: 'pro',
      seats: 3,
      tier: 'gold',
      created_at: 1_704_067_200,
    });
    expect(sim.store.find('id', 'u1')?.attributeTimes.plan).toBe(1_700_000_000);
    expect(sim.store.find('email', 'bob@example.com')?.attributes.plan).toBe('free');
    expect(sim.store.find('cio_id', 'cio_abc')?.attributes.plan).toBe('team');
    expect(sim.store.find('phone', '+15551234567')?.attributes).toEqual({
      phone: '+15551234567',
      plan: 'sms',
    });
    expect(statesOf(result)).toEqual([
      expect.objectContaining({ destinationStats: { recordCount: 4, rejectedRecordCount: 0 } }),
    ]);
  });

  test("the stream's primary key picks the matching key; null removes an attribute; update never creates; soft_delete deletes", async () => {
    const sim = await start();
    const config = configFor(sim);
    await runDestination('write', {
      config,
      catalog: catalog(
        configuredStream('users', 'person', 'append_dedup', { primary_key: [['person_email']] }),
      ),
      input: [record('users', { person_id: 'u1', person_email: 'a@example.com', plan: 'pro', color: 'red' })],
    });
    const person = sim.store.find('email', 'a@example.com');
    expect(person?.attributes).toMatchObject({ id: 'u1', plan: 'pro', color: 'red' });
    const result = await runDestination('write', {
      config,
      catalog: catalog(
        configuredStream('changes', 'person', 'update'),
        configuredStream('gone', 'person', 'soft_delete'),
      ),
      input: [
        record('changes', { person_email: 'a@example.com', color: null }),
        record('changes', { person_email: 'nobody@example.com', plan: 'x' }),
        record('gone', { person_id: 'u2' }),
      ],
    });
    expect(result.exitCode).toBe(0);
    expect(sim.store.find('email', 'a@example.com')?.attributes).not.toHaveProperty('color');
    expect(sim.store.find('email', 'nobody@example.com')).toBeUndefined();
    // Deleting someone unknown is a no-op for Customer.io, and accepted.
    expect(logsOf(result, 'WARN')).toEqual([]);
  });

  test("Airbyte's own destination's person_identify with person_email moves over unchanged", async () => {
    const sim = await start();
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: catalog(configuredStream('contacts', 'person_identify', 'append_dedup')),
      input: [record('contacts', { person_email: 'old@example.com', first_name: 'Old' })],
    });
    expect(result.exitCode).toBe(0);
    expect(sim.store.find('email', 'old@example.com')?.attributes.first_name).toBe('Old');
  });
});

describe('events', () => {
  test('events, page views, screen views and anonymous events, each with a ULID that the same record repeats', async () => {
    const sim = await start();
    const input = [
      record('purchases', {
        person_id: 'u1',
        event_name: 'purchase',
        price: 9.5,
        timestamp: '2026-12-01 10:00:00',
      }),
      record('pages', {
        person_email: 'a@example.com',
        url: '/pricing',
        title: 'Pricing',
        timestamp: 1_764_583_200,
      }),
      record('screens', { person_id: 'u1', screen_name: 'Dashboard' }),
      record('visits', { anonymous_id: 'anon-1', event_name: 'visit', event_id: 'v-1' }),
      record('purchases', { person_id: 'u2', event_name: 'refund', event_id: '01JF0000000000000000000000' }),
    ];
    const streams = catalog(
      configuredStream('purchases', 'person_event'),
      configuredStream('pages', 'person_page_view'),
      configuredStream('screens', 'person_screen_view'),
      configuredStream('visits', 'anonymous_event'),
    );
    const first = await runDestination('write', { config: configFor(sim), catalog: streams, input });
    expect(errorsOf(first)).toEqual([]);
    // Different people's events are not ordered among themselves (anonymous events go by their own requests).
    const byName = new Map(sim.store.events.map((event) => [event.name, event]));
    expect(sim.store.events).toHaveLength(5);
    expect(byName.get('purchase')).toMatchObject({
      type: 'event',
      key: 'id:u1',
      timestamp: 1_796_119_200,
      data: { price: 9.5 },
    });
    expect(byName.get('/pricing')).toMatchObject({
      type: 'page',
      key: 'email:a@example.com',
      data: { title: 'Pricing' },
    });
    expect(byName.get('Dashboard')).toMatchObject({ type: 'screen', key: 'id:u1', data: {} });
    expect(byName.get('visit')).toMatchObject({ type: 'anonymous', key: 'anonymous:anon-1' });
    expect(byName.get('refund')).toMatchObject({
      type: 'event',
      key: 'id:u2',
      id: '01JF0000000000000000000000',
    });
    for (const id of sim.store.eventIds()) expect(id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    // The same records again (a replay): every id repeats, so Customer.io stores none twice.
    const second = await runDestination('write', { config: configFor(sim), catalog: streams, input });
    expect(second.exitCode).toBe(0);
    expect(sim.store.summary()).toMatchObject({ events: 5, duplicateEvents: 5 });
  });

  test('without destination_object_name, stream_mappings names the object and the columns', async () => {
    const sim = await start();
    const result = await runDestination('write', {
      config: configFor(sim, {
        stream_mappings: [
          {
            stream: 'orders',
            object: 'person_event',
            fields: {
              person_id: 'customer',
              event_name: 'kind',
              event_id: 'order_id',
              timestamp: 'placed_at',
            },
          },
          { stream: 'customers', object: 'person', fields: { person_id: 'id', person_email: 'email' } },
        ],
      }),
      catalog: catalog(configuredStream('orders'), configuredStream('customers', undefined, 'overwrite')),
      input: [
        // A customers record as this project's source reads it: identifiers and cio_id are not attributes.
        record('customers', {
          id: 'c1',
          email: 'c1@example.com',
          cio_id: 'x',
          identifiers: { id: 'c1', email: 'c1@example.com', cio_id: 'x' },
          attributes: { city: 'Oslo', cio_id: 'x' },
        }),
        record('orders', {
          customer: 'c1',
          kind: 'order_placed',
          order_id: 'o-1',
          placed_at: 1_764_583_200,
          total: 12,
        }),
      ],
    });
    expect(errorsOf(result)).toEqual([]);
    expect(sim.store.find('id', 'c1')?.attributes).toEqual({
      id: 'c1',
      email: 'c1@example.com',
      city: 'Oslo',
    });
    expect(sim.store.events).toEqual([
      expect.objectContaining({
        key: 'id:c1',
        name: 'order_placed',
        timestamp: 1_764_583_200,
        data: { total: 12 },
      }),
    ]);
  });
});

describe('states', () => {
  test("each state comes back after the records before it, in order, with the records and rejections since its stream's last one", async () => {
    const sim = await start();
    const input: unknown[] = [];
    for (let n = 0; n < 30; n++) {
      input.push(
        record('users', { person_id: `u${n}`, n, ...(n % 10 === 9 ? { person_phone: 'not-a-phone' } : {}) }),
      );
      if (n % 10 === 9) input.push(streamState('users', { n }));
    }
    input.push(record('events', { person_id: 'u1', event_name: 'e' }));
    input.push({ type: 'STATE', state: { type: 'GLOBAL', global: { stream_states: [] } } });
    const result = await runDestination('write', {
      config: configFor(sim, { max_rejected_share: 0.5 }),
      catalog: catalog(
        configuredStream('users', 'person', 'append_dedup'),
        configuredStream('events', 'person_event'),
      ),
      input,
      env: { CIO_BATCH_BYTES: '2000' },
    });
    expect(result.exitCode).toBe(0);
    expect(statesOf(result).map((state) => state.destinationStats)).toEqual([
      { recordCount: 10, rejectedRecordCount: 1 },
      { recordCount: 10, rejectedRecordCount: 1 },
      { recordCount: 10, rejectedRecordCount: 1 },
      { recordCount: 31, rejectedRecordCount: 3 },
    ]);
    expect(statesOf(result)[2]).toMatchObject({ stream: { stream_state: { n: 29 } } });
    // u9, u19 and u29 were rejected (their phone is not E.164).
    expect(sim.store.summary().people).toBe(27);
    expect(logsOf(result, 'WARN')[0]).toBe(
      'Rejected before sending: a record of users (person_id "u9"): person_phone: the phone number is not E.164 (a + and up to 15 digits, e.g. +15551234567).',
    );
  });
});

describe('batches', () => {
  test('packed by bytes: every body within the limit, requests in proportion to the bytes', async () => {
    const sim = await start();
    const input = Array.from({ length: 400 }, (_, n) =>
      record('users', { person_id: `user-${n}`, note: 'x'.repeat(200) }),
    );
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: catalog(configuredStream('users', 'person', 'append_dedup')),
      input,
      env: { CIO_BATCH_BYTES: '20000' },
    });
    expect(result.exitCode).toBe(0);
    const batches = sim.requests.filter((request) => request.path === '/api/v2/batch');
    const bytes = batches.reduce((sum, request) => sum + request.bytes, 0);
    for (const request of batches) expect(request.bytes).toBeLessThanOrEqual(20_000);
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(bytes / 19_000));
    expect(batches.reduce((sum, request) => sum + request.entries, 0)).toBe(400);
    expect(sim.store.summary().people).toBe(400);
  });

  test("a person's operations arrive in the order they were read, across batches sent at once", async () => {
    const sim = await start();
    const input = Array.from({ length: 200 }, (_, n) =>
      record('users', { person_id: `p${n % 5}`, version: n }),
    );
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: catalog(configuredStream('users', 'person', 'append_dedup')),
      input,
      env: { CIO_BATCH_BYTES: '300', CIO_MAX_IN_FLIGHT: '8' },
    });
    expect(result.exitCode).toBe(0);
    expect(sim.requests.filter((request) => request.path === '/api/v2/batch').length).toBeGreaterThan(40);
    for (let p = 0; p < 5; p++) expect(sim.store.find('id', `p${p}`)?.attributes.version).toBe(195 + p);
  });
});

describe('progress', () => {
  test('a LOG line each time another CIO_PROGRESS_RECORDS records are settled, rejected ones included', async () => {
    const sim = await start();
    const input = Array.from({ length: 30 }, (_, n) =>
      record('users', n === 4 ? { plan: 'no key' } : { person_id: `u${n}` }),
    );
    const result = await runDestination('write', {
      config: configFor(sim, { max_rejected_share: 0.5 }),
      catalog: { streams: [configuredStream('users', 'person', 'append_dedup')] },
      input,
      // One entry a batch: records settle one at a time, so each threshold is met exactly.
      env: { CIO_PROGRESS_RECORDS: '10', CIO_BATCH_BYTES: '60' },
    });
    expect(result.exitCode).toBe(0);
    expect(logsOf(result, 'INFO').filter((line) => line.startsWith('Progress:'))).toEqual([
      expect.stringMatching(
        /^Progress: 10 records settled \(9 written, 1 rejected\) of \d+ read, in \d+ requests; \d+ records\/second\.$/,
      ),
      expect.stringMatching(/^Progress: 20 records settled \(19 written, 1 rejected\)/),
      expect.stringMatching(
        /^Progress: 30 records settled \(29 written, 1 rejected\) of 30 read, in 29 requests;/,
      ),
    ]);
  });
});
