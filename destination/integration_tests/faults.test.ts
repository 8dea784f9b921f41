// What Customer.io refuses, what fails on the way, and bad input: nothing accepted is lost, nothing is silent.
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
import type { FaultKind } from './simulator/index.js';

const start = simulatorPerTest();

const peopleAndEvents = {
  streams: [configuredStream('users', 'person', 'append_dedup'), configuredStream('events', 'person_event')],
};

/** Ten people and ten events, a state after each half. */
function input(): unknown[] {
  const lines: unknown[] = [];
  for (let n = 0; n < 10; n++) lines.push(record('users', { person_id: `u${n}`, n }));
  lines.push(streamState('users', { done: 'users' }));
  for (let n = 0; n < 10; n++)
    lines.push(record('events', { person_id: `u${n}`, event_name: 'signed_up', n }));
  lines.push(streamState('events', { done: 'events' }));
  return lines;
}

describe('rows Customer.io refuses', () => {
  test("a 207's entries are rejected rows: reported with stream, key, field and reason, never their values; the rest is written", async () => {
    const sim = await start({ refusedIdentifiers: ['u3'] });
    const lines = input();
    lines.splice(3, 1, record('users', { person_id: 'u3', ssn: 'private-value-42' }));
    const result = await runDestination('write', {
      config: configFor(sim, { max_rejected_share: 0.2 }),
      catalog: peopleAndEvents,
      input: lines,
    });
    expect(result.exitCode).toBe(0);
    expect(sim.store.summary()).toMatchObject({ people: 9, events: 9 });
    const warnings = logsOf(result, 'WARN');
    expect(warnings[0]).toMatch(
      /^Rejected by Customer\.io: a record of users \(person_id "u3"\): identifiers: Customer\.io refused it/,
    );
    expect(JSON.stringify(result.messages)).not.toContain('private-value-42');
    expect(statesOf(result).map((state) => state.destinationStats)).toEqual([
      { recordCount: 10, rejectedRecordCount: 1 },
      { recordCount: 10, rejectedRecordCount: 1 },
    ]);
  });

  test('a whole batch answered 400 is split until the refused entries are found; the others are written', async () => {
    const sim = await start();
    sim.addFaults({ kind: 'http_400_whole', path: /batch/, times: 1 });
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: peopleAndEvents,
      input: input(),
    });
    expect(result.exitCode).toBe(0);
    expect(sim.store.summary()).toMatchObject({ people: 10, events: 10 });
    expect(sim.requests.filter((request) => request.status === 400)).toHaveLength(1);
    expect(logsOf(result, 'WARN')).toEqual([]);

    const again = await start();
    again.addFaults({ kind: 'http_400_whole', path: /batch/, times: 3 });
    const refused = await runDestination('write', {
      config: configFor(again, { max_rejected_share: 1 }),
      catalog: peopleAndEvents,
      input: [
        record('users', { person_id: 'a' }),
        record('users', { person_id: 'b' }),
        streamState('users', {}),
      ],
    });
    expect(refused.exitCode).toBe(0);
    expect(logsOf(refused, 'WARN').slice(0, 2)).toEqual([
      expect.stringMatching(
        /a record of users \(person_id "a"\): \(entry\): Customer\.io refused it \(HTTP 400: invalid: batch/,
      ),
      expect.stringMatching(/a record of users \(person_id "b"\)/),
    ]);
    expect(statesOf(refused)[0]?.destinationStats).toEqual({ recordCount: 2, rejectedRecordCount: 2 });
  });

  test('rows over the documented limits are rejected before sending; past max_rejected_share the sync fails naming the commonest reason', async () => {
    const sim = await start();
    const lines = [
      record('users', { person_id: 'x'.repeat(151) }),
      record('users', { person_id: 'ok-1', bio: 'b'.repeat(1001) }),
      record('users', { person_id: 'ok-2', ['n'.repeat(151)]: 1 }),
      record('users', {
        person_id: 'ok-3',
        ...Object.fromEntries(Array.from({ length: 301 }, (_, n) => [`a${n}`, n])),
      }),
      record('events', { person_id: 'ok-4', event_name: 'e'.repeat(101) }),
      record('events', { person_id: 'ok-5' }),
      record('events', { person_id: 'ok-6', event_name: 'e', timestamp: 'yesterday' }),
      record('users', { person_phone: '0044 20 1234' }),
      record('users', { plan: 'no key' }),
      record('users', { person_id: 'fine' }),
      streamState('users', {}),
    ];
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: peopleAndEvents,
      input: lines,
    });
    expect(result.exitCode).toBe(1);
    expect(sim.store.summary().people).toBe(1);
    expect(
      logsOf(result, 'WARN')
        .slice(0, 9)
        .map((line) => line.replace(/^.*?: a record of /, '')),
    ).toEqual([
      expect.stringMatching(/person_id: the identifier is over 150 bytes/),
      expect.stringMatching(/attributes\.bio: attribute value over 1000 bytes/),
      expect.stringMatching(/attribute name over 150 bytes/),
      expect.stringMatching(/attributes: 301 attributes, over the 300/),
      expect.stringMatching(/event_name: event name over 100 bytes/),
      expect.stringMatching(/event_name: no event_name/),
      expect.stringMatching(/timestamp: not a time/),
      expect.stringMatching(/person_phone: the phone number is not E\.164/),
      expect.stringMatching(/person_id \/ person_email \/ person_cio_id \/ person_phone: no matching key/),
    ]);
    expect(errorsOf(result)).toEqual([
      {
        message: expect.stringMatching(
          /^9 of 10 records \(90\.0%\) were rejected, more than "max_rejected_share" allows \(10\.0%\)\. The commonest reason/,
        ),
        failure_type: 'config_error',
      },
    ]);
    // The state still comes back: every record before it was settled.
    expect(statesOf(result)).toHaveLength(1);
  });
});

describe('failures on the way', () => {
  test.each<FaultKind>([
    'http_429',
    'http_429_date',
    'http_500',
    'http_502_html',
    'http_503',
    'reset_before',
    'reset_after',
    'truncated_body',
  ])('%s is retried: everything written once, no event twice', async (kind) => {
    const sim = await start();
    sim.addFaults({ kind, path: /batch/, times: 2 });
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: peopleAndEvents,
      input: input(),
    });
    expect(errorsOf(result)).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(sim.store.summary()).toMatchObject({ people: 10, events: 10 });
    expect(new Set(sim.store.eventIds()).size).toBe(10);
    expect(statesOf(result)).toHaveLength(2);
    expect(logsOf(result, 'WARN').some((line) => /retry|pauses/.test(line))).toBe(true);
  });

  test('a request past its deadline is retried', async () => {
    const sim = await start({ slowMs: 3000 });
    sim.addFaults({ kind: 'slow', path: /batch/, times: 1 });
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: peopleAndEvents,
      input: input(),
      env: { CIO_TIMEOUT_MS: '300' },
    });
    expect(result.exitCode).toBe(0);
    expect(sim.store.summary()).toMatchObject({ people: 10, events: 10 });
  });

  test('retries spent: a transient_error, and no state for what was not written', async () => {
    const sim = await start();
    sim.addFaults({ kind: 'http_503', path: /batch/, times: 50 });
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: peopleAndEvents,
      input: input(),
      env: { CIO_MAX_RETRIES: '2' },
    });
    expect(result.exitCode).toBe(1);
    expect(errorsOf(result)).toEqual([
      {
        message: expect.stringMatching(/kept failing \(HTTP 503\) on POST \/api\/v2\/batch after 2 retries/),
        failure_type: 'transient_error',
      },
    ]);
    expect(statesOf(result)).toEqual([]);
  });

  test.each<[FaultKind, RegExp]>([
    [
      'http_401',
      /rejected the API key \(401 on POST \/api\/v2\/batch\)\. Check "site_id" and "track_api_key"/,
    ],
    ['http_403', /refused POST \/api\/v2\/batch \(403\)/],
  ])('%s fails at once as a config_error, the key never printed', async (kind, message) => {
    const sim = await start();
    sim.addFaults({ kind, path: /batch/, times: 1 });
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: peopleAndEvents,
      input: input(),
    });
    expect(result.exitCode).toBe(1);
    expect(errorsOf(result)).toEqual([
      { message: expect.stringMatching(message), failure_type: 'config_error' },
    ]);
    expect(sim.requests.filter((request) => request.path === '/api/v2/batch')).toHaveLength(1);
    expect(JSON.stringify(result.messages) + result.stderr).not.toContain(sim.trackApiKey);
  });
});

describe('bad input', () => {
  test('a line that is not a message: what came before is written and its state echoed, then a config_error naming the line', async () => {
    const sim = await start();
    const lines = input();
    lines.splice(11, 0, '{"type":"RECORD","record":{"stream":"events","data":');
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: peopleAndEvents,
      input: lines,
    });
    expect(result.exitCode).toBe(1);
    expect(errorsOf(result)).toEqual([
      {
        message: expect.stringMatching(/^Input line 12 is not an Airbyte message \(not JSON, or cut short\)/),
        failure_type: 'config_error',
      },
    ]);
    expect(sim.store.summary().people).toBe(10);
    expect(statesOf(result)).toEqual([
      expect.objectContaining({ stream: expect.objectContaining({ stream_state: { done: 'users' } }) }),
    ]);
  });

  test('a record of a stream the catalog does not list: a config_error, after writing what came before', async () => {
    const sim = await start();
    const result = await runDestination('write', {
      config: configFor(sim),
      catalog: peopleAndEvents,
      input: [record('users', { person_id: 'u1' }), record('orders', { id: 1 })],
    });
    expect(result.exitCode).toBe(1);
    expect(errorsOf(result)[0]?.message).toMatch(
      /Input line 2 is a record of the stream "orders", which the catalog does not list/,
    );
    expect(sim.store.find('id', 'u1')).toBeDefined();
  });

  test.each<[unknown, RegExp]>([
    [
      { streams: [configuredStream('users')] },
      /Stream "users" names no destination object: set its "destination_object_name"/,
    ],
    [
      { streams: [configuredStream('users', 'company')] },
      /"company", which is not an object of this destination: use person/,
    ],
    [
      { streams: [configuredStream('users', 'person', 'append')] },
      /person in mode append, which person does not take: use append_dedup, update or soft_delete/,
    ],
    [{ nope: [] }, /a "streams" list/],
  ])('a catalog %j: a config_error before anything is written', async (catalog, message) => {
    const sim = await start();
    const result = await runDestination('write', { config: configFor(sim), catalog, input: input() });
    expect(result.exitCode).toBe(1);
    expect(errorsOf(result)).toEqual([
      { message: expect.stringMatching(message), failure_type: 'config_error' },
    ]);
    expect(sim.requests).toEqual([]);
  });
});
