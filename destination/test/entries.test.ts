import type { JsonObject } from '@cio-connectors/kit/json';
import { describe, expect, test } from 'vitest';
import { type Built, buildEntry, LIMITS, recordLabel } from '../src/entries.js';
import { eventId } from '../src/event-ids.js';
import { OPERATIONS, snakeCase, typedOperations } from '../src/operations.js';
import type { StreamPlan } from '../src/plans.js';

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
/** 2026-12-01T10:00:00Z. */
const SECONDS = 1_796_119_200;
const READ_AT = 1_800_000_000;
const ALL_PERSON_KEYS = 'person_id / person_email / person_cio_id / person_phone';

function plan(
  object: string,
  mode: string,
  options: { stream?: string; fields?: Record<string, string>; matchingKey?: string } = {},
): StreamPlan {
  const operation = OPERATIONS.find((candidate) => candidate.object === object && candidate.mode === mode);
  if (operation === undefined) throw new Error(`no operation ${object} ${mode}`);
  return {
    stream: options.stream ?? 'stream',
    operation,
    fields: options.fields ?? {},
    matchingKey: options.matchingKey,
    collectionName: options.stream ?? 'stream',
    segmentId: undefined,
  };
}

const PERSON = plan('person', 'append_dedup', { stream: 'people' });
const UPDATE = plan('person', 'update', { stream: 'people' });
const DELETE = plan('person', 'soft_delete', { stream: 'people' });
const EVENT = plan('person_event', 'append', { stream: 'events' });
const PAGE = plan('person_page_view', 'append', { stream: 'pages' });
const SCREEN = plan('person_screen_view', 'append', { stream: 'screens' });
const ANONYMOUS = plan('anonymous_event', 'append', { stream: 'visits' });

type Written = Extract<Built, { kind: 'entry' | 'anonymous' | 'member' }>;
type Refused = Extract<Built, { kind: 'rejected' }>;

function written(built: Built): Written & { body: JsonObject } {
  if (built.kind === 'rejected')
    throw new Error(`rejected: ${built.rejection.field}: ${built.rejection.reason}`);
  if (built.kind === 'app' || built.kind === 'row') throw new Error(`not an entry: ${built.kind}`);
  expect(built.bytes).toBe(Buffer.byteLength(built.text, 'utf8'));
  return { ...built, body: JSON.parse(built.text) as JsonObject };
}

function refused(built: Built): Refused {
  if (built.kind !== 'rejected') throw new Error(`not rejected: ${JSON.stringify(built)}`);
  return built;
}

const build = (streamPlan: StreamPlan, data: JsonObject) => buildEntry(streamPlan, data, READ_AT);
/** How reports name the record: its stream and matching key. */
const labelOf = (built: Built, stream: string) => recordLabel(stream, built.key);

describe('buildEntry: people', () => {
  test('identify: the matching key, the other identifiers, the attributes, created_at and timestamp', () => {
    const entry = written(
      build(PERSON, {
        person_id: ' u1 ',
        person_email: 'Ana@Example.com',
        plan: 'pro',
        seats: 3,
        trial: null,
        created_at: '2026-12-01T10:00:00Z',
        timestamp: SECONDS * 1000,
      }),
    );
    expect(entry.kind).toBe('entry');
    expect(entry.body).toEqual({
      type: 'person',
      identifiers: { id: 'u1' },
      action: 'identify',
      attributes: { email: 'Ana@Example.com', plan: 'pro', seats: 3, trial: null, created_at: SECONDS },
      timestamp: SECONDS,
    });
    expect(entry.subjects).toEqual(['id:u1']);
    expect(labelOf(entry, 'people')).toBe('people (person_id "u1")');
  });

  test('identify without times has neither created_at nor timestamp; a number id becomes text', () => {
    const entry = written(build(PERSON, { person_id: 42, plan: 'free' }));
    expect(entry.body).toEqual({
      type: 'person',
      identifiers: { id: '42' },
      action: 'identify',
      attributes: { plan: 'free' },
    });
    expect(entry.subjects).toEqual(['id:42']);
  });

  test('a person_cio_id is a matching key, never an attribute', () => {
    expect(written(build(PERSON, { person_cio_id: 'cio_1', person_phone: '+15551234567' })).body).toEqual({
      type: 'person',
      identifiers: { cio_id: 'cio_1' },
      action: 'identify',
      attributes: { phone: '+15551234567' },
    });
    expect(written(build(PERSON, { person_id: 'u1', person_cio_id: 'cio_1' })).body.attributes).toEqual({});
  });

  test('an "attributes" object is spread into the attributes; a column of the same name wins', () => {
    const entry = written(
      build(PERSON, { person_id: 'u1', attributes: { plan: 'pro', seats: 2 }, seats: 5, region: 'eu' }),
    );
    expect(entry.body.attributes).toEqual({ plan: 'pro', seats: 5, region: 'eu' });
  });

  test('an "attributes" value that is not an object is an attribute of that name', () => {
    expect(written(build(PERSON, { person_id: 'u1', attributes: 'vip' })).body.attributes).toEqual({
      attributes: 'vip',
    });
  });

  test('update is an identify with _update: true', () => {
    const entry = written(build(UPDATE, { person_email: 'a@b.co', plan: 'pro' }));
    expect(entry.body).toEqual({
      type: 'person',
      identifiers: { email: 'a@b.co' },
      action: 'identify',
      attributes: { plan: 'pro', _update: true },
    });
    expect(written(build(PERSON, { person_email: 'a@b.co' })).body.attributes).not.toHaveProperty('_update');
  });

  test('person_identify writes as person (append_dedup) does', () => {
    const data = { person_id: 'u1', plan: 'pro', timestamp: SECONDS };
    const legacy = plan('person_identify', 'append_dedup', { stream: 'people' });
    expect(written(build(legacy, data)).text).toBe(written(build(PERSON, data)).text);
  });

  test('delete names only the person: every other column is left out', () => {
    const entry = written(build(DELETE, { person_email: 'A@B.co', person_id: 'u1', plan: 'pro' }));
    expect(entry.text).toBe('{"type":"person","identifiers":{"id":"u1"},"action":"delete"}');
    expect(written(build(DELETE, { person_email: 'A@B.co', plan: 'pro' })).text).toBe(
      '{"type":"person","identifiers":{"email":"A@B.co"},"action":"delete"}',
    );
  });

  test('_airbyte_ columns are never attributes', () => {
    const entry = written(
      build(PERSON, {
        person_id: 'u1',
        _airbyte_raw_id: 'r1',
        _airbyte_extracted_at: 1,
        _airbyte_meta: { changes: [] },
        airbyte_note: 'kept',
      }),
    );
    expect(entry.body.attributes).toEqual({ airbyte_note: 'kept' });
  });

  test('integers past 2^53 keep their digits', () => {
    const entry = written(
      build(PERSON, { person_id: 9_007_199_254_740_993n, visits: 9_007_199_254_740_995n }),
    );
    expect(entry.text).toContain('"identifiers":{"id":"9007199254740993"}');
    expect(entry.text).toContain('"visits":9007199254740995');
    expect(entry.subjects).toEqual(['id:9007199254740993']);
  });
});

describe('buildEntry: matching keys', () => {
  test('without a primary key, the first present key in the order id, email, cio_id, phone', () => {
    const data = { person_email: 'a@b.co', person_phone: '+15551234567', person_cio_id: 'c1' };
    expect(written(build(PERSON, data)).body.identifiers).toEqual({ email: 'a@b.co' });
    expect(written(build(PERSON, { ...data, person_id: 'u1' })).body.identifiers).toEqual({ id: 'u1' });
    expect(
      written(build(PERSON, { person_phone: '+15551234567', person_cio_id: 'c1' })).body.identifiers,
    ).toEqual({ cio_id: 'c1' });
  });

  test('empty and blank keys are passed over', () => {
    const entry = written(
      build(PERSON, { person_id: '  ', person_email: '', person_phone: '+447700900123' }),
    );
    expect(entry.body.identifiers).toEqual({ phone: '+447700900123' });
    expect(entry.body.attributes).toEqual({});
    expect(entry.subjects).toEqual(['phone:+447700900123']);
  });

  test("the stream's matching key is taken even when another comes first", () => {
    const byEmail = plan('person', 'append_dedup', { stream: 'people', matchingKey: 'person_email' });
    const entry = written(build(byEmail, { person_id: 'u1', person_email: 'a@b.co' }));
    expect(entry.body.identifiers).toEqual({ email: 'a@b.co' });
    expect(entry.body.attributes).toEqual({ id: 'u1' });
    expect(labelOf(entry, 'people')).toBe('people (person_email "a@b.co")');
  });

  test("a record without the stream's matching key is rejected, whatever other key it holds", () => {
    const byEmail = plan('person', 'append_dedup', { stream: 'people', matchingKey: 'person_email' });
    const rejected = refused(build(byEmail, { person_id: 'u1' }));
    expect(rejected.rejection.field).toBe('person_email');
    expect(rejected.rejection.reason).toMatch(/^no matching key/);
    expect(labelOf(rejected, 'people')).toBe('people');
  });

  test('a record without any matching key is rejected', () => {
    const rejected = refused(build(PERSON, { plan: 'pro', person_id: null }));
    expect(rejected.rejection).toEqual({
      field: ALL_PERSON_KEYS,
      reason: 'no matching key: the record holds none of these, or only empty ones',
    });
    expect(labelOf(rejected, 'people')).toBe('people');
    expect(refused(build(ANONYMOUS, { event_name: 'visit' })).rejection.field).toBe('anonymous_id');
  });

  test('a matching key that is neither text nor a number is rejected', () => {
    for (const value of [true, { id: 1 }, ['u1']]) {
      expect(refused(build(PERSON, { person_id: value })).rejection).toEqual({
        field: 'person_id',
        reason: 'the matching key is not text or a number',
      });
    }
  });

  test('the subject lower-cases emails only; the identifier is sent as it is', () => {
    const entry = written(build(PERSON, { person_email: ' Ana@Example.COM ' }));
    expect(entry.subjects).toEqual(['email:ana@example.com']);
    expect(entry.body.identifiers).toEqual({ email: 'Ana@Example.COM' });
    expect(written(build(PERSON, { person_id: 'AbC' })).subjects).toEqual(['id:AbC']);
    expect(written(build(EVENT, { person_email: 'X@Y.co', event_name: 'e' })).subjects).toEqual([
      'email:x@y.co',
    ]);
    expect(written(build(ANONYMOUS, { anonymous_id: 'Anon-1', event_name: 'e' })).subjects).toEqual([
      'anonymous_id:Anon-1',
    ]);
  });
});

describe('buildEntry: field mapping', () => {
  test('operation fields are read from the mapped columns, which are then not attributes', () => {
    const mapped = plan('person', 'append_dedup', {
      stream: 'users',
      fields: {
        person_id: 'user_id',
        person_email: 'mail',
        created_at: 'signed_up',
        timestamp: 'updated_at',
      },
    });
    const entry = written(
      build(mapped, {
        user_id: 'u1',
        mail: 'a@b.co',
        signed_up: SECONDS,
        updated_at: '2026-12-01T10:00:00Z',
        person_id: 'not-the-key',
        plan: 'pro',
      }),
    );
    expect(entry.body).toEqual({
      type: 'person',
      identifiers: { id: 'u1' },
      action: 'identify',
      attributes: { email: 'a@b.co', person_id: 'not-the-key', plan: 'pro', created_at: SECONDS },
      timestamp: SECONDS,
    });
    expect(labelOf(entry, 'users')).toBe('users (person_id "u1")');
  });

  test('a mapped event: its name, id and time from other columns', () => {
    const mapped = plan('person_event', 'append', {
      stream: 'actions',
      fields: { person_id: 'uid', event_name: 'action', event_id: 'action_id', timestamp: 'at' },
    });
    const entry = written(
      build(mapped, { uid: 'u1', action: 'signup', action_id: 'a-1', at: SECONDS, source: 'web' }),
    );
    expect(entry.body).toEqual({
      type: 'person',
      identifiers: { id: 'u1' },
      action: 'event',
      name: 'signup',
      id: eventId('actions', '', 'a-1', SECONDS),
      timestamp: SECONDS,
      attributes: { source: 'web' },
    });
  });

  test("a rejection names the operation field, and a missing name names the record's column", () => {
    const mapped = plan('person_event', 'append', {
      fields: { person_id: 'uid', event_name: 'action', timestamp: 'at' },
    });
    expect(refused(build(mapped, { uid: 'u1', action: 'x', at: 'soon' })).rejection.field).toBe('timestamp');
    expect(refused(build(mapped, { uid: 'u1' })).rejection).toEqual({
      field: 'event_name',
      reason: "no event_name: the record's action is missing or empty",
    });
  });

  test("a primary key on a mapped column makes that key the stream's matching key", () => {
    const mapped = plan('person', 'append_dedup', {
      fields: { person_email: 'mail' },
      matchingKey: 'person_email',
    });
    expect(written(build(mapped, { person_id: 'u1', mail: 'a@b.co' })).body.identifiers).toEqual({
      email: 'a@b.co',
    });
  });
});

describe('buildEntry: events, page and screen views', () => {
  test('an event: name, id, timestamp, the other columns as its attributes', () => {
    const entry = written(
      build(EVENT, {
        person_id: 'u1',
        event_name: ' purchase ',
        timestamp: SECONDS * 1000,
        amount: 9.5,
        _airbyte_raw_id: 'r1',
      }),
    );
    expect(entry.kind).toBe('entry');
    const { id, ...rest } = entry.body;
    expect(rest).toEqual({
      type: 'person',
      identifiers: { id: 'u1' },
      action: 'event',
      name: 'purchase',
      timestamp: SECONDS,
      attributes: { amount: 9.5 },
    });
    expect(id).toMatch(ULID);
    expect(entry.subjects).toEqual(['id:u1']);
    expect(labelOf(entry, 'events')).toBe('events (person_id "u1")');
  });

  test('the id is the same for the same record, another for another record', () => {
    const data = { person_id: 'u1', event_name: 'purchase', timestamp: SECONDS, amount: 9.5 };
    const id = written(build(EVENT, data)).body.id;
    expect(written(buildEntry(EVENT, data, READ_AT + 60)).body.id).toBe(id);
    expect(written(build(EVENT, { ...data, amount: 10 })).body.id).not.toBe(id);
    expect(written(build(EVENT, { ...data, person_id: 'u2' })).body.id).not.toBe(id);
    expect(written(build(EVENT, { ...data, event_name: 'refund' })).body.id).not.toBe(id);
    expect(written(build(plan('person_event', 'append', { stream: 'other' }), data)).body.id).not.toBe(id);
    // _airbyte_ columns are not data: they do not change the id.
    expect(written(build(EVENT, { ...data, _airbyte_raw_id: 'r9' })).body.id).toBe(id);
  });

  test('an own event_id: a ULID is sent as it is (upper-cased), anything else is hashed', () => {
    const data = { person_id: 'u1', event_name: 'purchase', timestamp: SECONDS };
    expect(written(build(EVENT, { ...data, event_id: '01arz3ndektsv4rrffq69g5fav' })).body.id).toBe(
      '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    );
    const hashed = written(build(EVENT, { ...data, event_id: ' order-7 ' })).body.id;
    expect(hashed).toBe(eventId('events', '', 'order-7', SECONDS));
    expect(written(build(EVENT, { ...data, event_id: 'order-7', amount: 1 })).body.id).toBe(hashed);
    expect(written(build(EVENT, { ...data, event_id: 123 })).body.id).toBe(
      eventId('events', '', '123', SECONDS),
    );
  });

  test('without a timestamp: sent at readAt, with an id of time 0 that a later run repeats', () => {
    const data = { person_id: 'u1', event_name: 'purchase' };
    const first = written(buildEntry(EVENT, data, READ_AT));
    const later = written(buildEntry(EVENT, data, READ_AT + 3600));
    expect(first.body.timestamp).toBe(READ_AT);
    expect(later.body.timestamp).toBe(READ_AT + 3600);
    expect(first.body.id).toBe(later.body.id);
    expect(String(first.body.id).slice(0, 10)).toBe('0000000000');
    expect(written(build(EVENT, { ...data, timestamp: '' })).body.timestamp).toBe(READ_AT);
  });

  test('a page view is named by its url, with no 100-byte limit on it', () => {
    const url = `https://example.com/${'p'.repeat(200)}`;
    const entry = written(
      build(PAGE, { person_email: 'a@b.co', url, referrer: 'search', timestamp: SECONDS }),
    );
    const { id, ...rest } = entry.body;
    expect(rest).toEqual({
      type: 'person',
      identifiers: { email: 'a@b.co' },
      action: 'page',
      name: url,
      timestamp: SECONDS,
      attributes: { referrer: 'search' },
    });
    expect(id).toMatch(ULID);
    expect(refused(build(PAGE, { person_email: 'a@b.co' })).rejection.field).toBe('url');
  });

  test('a screen view is named by its screen_name', () => {
    const entry = written(build(SCREEN, { person_id: 'u1', screen_name: 'Home', timestamp: SECONDS }));
    expect(entry.body).toMatchObject({ action: 'screen', name: 'Home', timestamp: SECONDS, attributes: {} });
    expect(refused(build(SCREEN, { person_id: 'u1', screen_name: ' ' })).rejection.field).toBe('screen_name');
  });

  test('an anonymous event is a Track v1 body: anonymous_id, name, id, timestamp, data', () => {
    const entry = written(
      build(ANONYMOUS, { anonymous_id: 'anon-1', event_name: 'visit', ref: 'ad', timestamp: SECONDS }),
    );
    expect(entry.kind).toBe('anonymous');
    const { id, ...rest } = entry.body;
    expect(rest).toEqual({ anonymous_id: 'anon-1', name: 'visit', timestamp: SECONDS, data: { ref: 'ad' } });
    expect(id).toMatch(ULID);
    expect(entry.subjects).toEqual(['anonymous_id:anon-1']);
    expect(labelOf(entry, 'visits')).toBe('visits (anonymous_id "anon-1")');
  });

  test('a number is an event name; anything else that is not text is not', () => {
    expect(written(build(EVENT, { person_id: 'u1', event_name: 404 })).body.name).toBe('404');
    expect(refused(build(EVENT, { person_id: 'u1', event_name: true })).rejection.field).toBe('event_name');
    expect(refused(build(EVENT, { person_id: 'u1', event_name: { a: 1 } })).rejection.field).toBe(
      'event_name',
    );
  });
});

describe('buildEntry: documented limits', () => {
  test('an identifier over 150 bytes (not characters)', () => {
    expect(written(build(PERSON, { person_id: 'x'.repeat(150) })).subjects).toEqual([
      `id:${'x'.repeat(150)}`,
    ]);
    expect(refused(build(PERSON, { person_id: 'x'.repeat(151) })).rejection).toEqual({
      field: 'person_id',
      reason: 'the identifier is over 150 bytes',
    });
    // 76 two-byte characters: 152 bytes.
    expect(refused(build(PERSON, { person_email: `${'é'.repeat(76)}` })).rejection.field).toBe(
      'person_email',
    );
  });

  test('an identifier over 150 bytes that is not the matching key still rejects the record', () => {
    const rejected = refused(build(PERSON, { person_id: 'u1', person_email: `${'a'.repeat(150)}@b.co` }));
    expect(rejected.rejection.field).toBe('person_email');
    expect(labelOf(rejected, 'people')).toBe('people (person_id "u1")');
  });

  test('a phone number that is not E.164', () => {
    expect(written(build(PERSON, { person_phone: '+15551234567' })).body.identifiers).toEqual({
      phone: '+15551234567',
    });
    for (const phone of ['5551234567', '+1 555 123 4567', '+05551234567', '+1234567890123456']) {
      const rejected = refused(build(PERSON, { person_phone: phone }));
      expect(rejected.rejection.field).toBe('person_phone');
      expect(rejected.rejection.reason).toMatch(/not E\.164/);
    }
    // Also when it is only an attribute of a person matched by id.
    expect(refused(build(PERSON, { person_id: 'u1', person_phone: '555' })).rejection.field).toBe(
      'person_phone',
    );
  });

  test('an attribute value over 1000 bytes; null is never too long', () => {
    expect(written(build(PERSON, { person_id: 'u1', bio: 'x'.repeat(1000) })).kind).toBe('entry');
    expect(refused(build(PERSON, { person_id: 'u1', bio: 'x'.repeat(1001) })).rejection).toEqual({
      field: 'attributes.bio',
      reason: 'attribute value over 1000 bytes',
    });
    expect(refused(build(PERSON, { person_id: 'u1', bio: 'é'.repeat(501) })).rejection.field).toBe(
      'attributes.bio',
    );
    // A structured value counts as its JSON.
    expect(refused(build(PERSON, { person_id: 'u1', tags: ['x'.repeat(999)] })).rejection.field).toBe(
      'attributes.tags',
    );
    expect(
      refused(build(PERSON, { person_id: 'u1', attributes: { nested: 'x'.repeat(1001) } })).rejection.field,
    ).toBe('attributes.nested');
  });

  test('an attribute name over 150 bytes', () => {
    const name = 'n'.repeat(151);
    expect(written(build(PERSON, { person_id: 'u1', ['n'.repeat(150)]: 1 })).kind).toBe('entry');
    expect(refused(build(PERSON, { person_id: 'u1', [name]: 1 })).rejection).toEqual({
      field: `attributes.${'n'.repeat(40)}…`,
      reason: 'attribute name over 150 bytes',
    });
  });

  test('more than 300 attributes, counting the ones the connector adds', () => {
    const columns = (count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`a${i}`, i]));
    expect(written(build(PERSON, { person_id: 'u1', ...columns(300) })).kind).toBe('entry');
    expect(refused(build(PERSON, { person_id: 'u1', ...columns(301) })).rejection).toEqual({
      field: 'attributes',
      reason: '301 attributes, over the 300 a person may be sent at once',
    });
    // email and created_at are attributes too; _update is not counted.
    expect(
      refused(
        build(PERSON, { person_id: 'u1', person_email: 'a@b.co', created_at: SECONDS, ...columns(299) }),
      ).rejection.field,
    ).toBe('attributes');
    expect(written(build(UPDATE, { person_id: 'u1', ...columns(300) })).body.attributes).toHaveProperty(
      '_update',
      true,
    );
  });

  test('an event name over 100 bytes', () => {
    expect(written(build(EVENT, { person_id: 'u1', event_name: 'e'.repeat(100) })).kind).toBe('entry');
    expect(refused(build(EVENT, { person_id: 'u1', event_name: 'e'.repeat(101) })).rejection).toEqual({
      field: 'event_name',
      reason: 'event name over 100 bytes',
    });
    expect(
      refused(build(ANONYMOUS, { anonymous_id: 'v1', event_name: 'é'.repeat(51) })).rejection.field,
    ).toBe('event_name');
  });

  test('event data over 100,000 bytes', () => {
    const rejected = refused(build(EVENT, { person_id: 'u1', event_name: 'e', blob: 'x'.repeat(100_000) }));
    expect(rejected.rejection).toEqual({ field: 'data', reason: 'event data over 100000 bytes' });
    expect(labelOf(rejected, 'events')).toBe('events (person_id "u1")');
  });

  test('an entry over 32,000 bytes', () => {
    const attributes = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`a${i}`, 'x'.repeat(900)]));
    const rejected = refused(build(PERSON, { person_id: 'u1', ...attributes }));
    expect(rejected.rejection.field).toBe('(record)');
    expect(rejected.rejection.reason).toMatch(/^the entry is \d+ bytes, over the 32000 of one$/);
    const event = refused(build(EVENT, { person_id: 'u1', event_name: 'e', blob: 'x'.repeat(40_000) }));
    expect(event.rejection.field).toBe('(record)');
  });

  test('an anonymous event goes alone to Track v1: the 32,000 bytes of a batch entry do not apply, its data limit does', () => {
    const entry = written(
      build(ANONYMOUS, { anonymous_id: 'v1', event_name: 'e', blob: 'x'.repeat(40_000) }),
    );
    expect(entry.bytes).toBeGreaterThan(LIMITS.entryBytes);
    expect(
      refused(build(ANONYMOUS, { anonymous_id: 'v1', event_name: 'e', blob: 'x'.repeat(100_000) })).rejection
        .field,
    ).toBe('data');
  });

  test('an entry of 32,000 bytes exactly is written', () => {
    const base = written(build(EVENT, { person_id: 'u1', event_name: 'e', timestamp: SECONDS, blob: '' }));
    const entry = written(
      build(EVENT, {
        person_id: 'u1',
        event_name: 'e',
        timestamp: SECONDS,
        blob: 'x'.repeat(LIMITS.entryBytes - base.bytes),
      }),
    );
    expect(entry.bytes).toBe(LIMITS.entryBytes);
  });

  test('a timestamp or created_at that is not a time', () => {
    const reason = 'not a time: use unix seconds or milliseconds, or ISO 8601 text (2026-01-31T12:00:00Z)';
    expect(refused(build(PERSON, { person_id: 'u1', timestamp: 'yesterday' })).rejection).toEqual({
      field: 'timestamp',
      reason,
    });
    expect(refused(build(PERSON, { person_id: 'u1', created_at: -5 })).rejection).toEqual({
      field: 'created_at',
      reason,
    });
    expect(
      refused(build(EVENT, { person_id: 'u1', event_name: 'e', timestamp: { at: 1 } })).rejection,
    ).toEqual({ field: 'timestamp', reason });
  });
});

describe('buildEntry: bytes', () => {
  test('bytes is the UTF-8 length of the text, multi-byte characters included', () => {
    for (const built of [
      build(PERSON, { person_id: 'ü1', name: 'Zoë 🎉', city: '東京' }),
      build(EVENT, { person_id: 'u1', event_name: 'café', note: '🎉🎉' }),
      build(ANONYMOUS, { anonymous_id: 'ä', event_name: 'visit', note: '東京' }),
      build(DELETE, { person_email: 'zoë@example.com' }),
    ]) {
      const entry = written(built);
      expect(entry.bytes).toBe(Buffer.byteLength(entry.text));
      expect(entry.bytes).toBeGreaterThan(entry.text.length);
    }
  });
});

describe('buildEntry: the write surface', () => {
  const body = (streamPlan: StreamPlan, data: JsonObject) => written(build(streamPlan, data)).body;

  test('object identify and delete: type and id, or cio_object_id; attributes; the object is the subject', () => {
    const object = plan('object', 'append_dedup');
    const entry = written(build(object, { object_type_id: 1, object_id: 'acme', name: 'Acme', gone: null }));
    expect(entry.body).toEqual({
      type: 'object',
      identifiers: { object_type_id: '1', object_id: 'acme' },
      action: 'identify',
      attributes: { name: 'Acme', gone: null },
    });
    expect(entry.subjects).toEqual(['object:1:acme']);
    expect(body(object, { object_type_id: '1', cio_object_id: 'obj_9', name: 'X' })).toMatchObject({
      identifiers: { cio_object_id: 'obj_9' },
    });
    expect(
      body(plan('object', 'soft_delete'), { object_type_id: 2, object_id: 'x', name: 'ignored' }),
    ).toEqual({
      type: 'object',
      identifiers: { object_type_id: '2', object_id: 'x' },
      action: 'delete',
    });
    expect(refused(build(object, { object_type_id: 0, object_id: 'a' })).rejection.field).toBe(
      'object_type_id',
    );
  });

  test('relationships: the person, the object and its attributes; both are subjects', () => {
    const entry = written(
      build(plan('relationship', 'append'), {
        person_email: 'A@B.co',
        object_type_id: 1,
        object_id: 'acme',
        role: 'admin',
      }),
    );
    expect(entry.body).toEqual({
      type: 'person',
      identifiers: { email: 'A@B.co' },
      action: 'add_relationships',
      cio_relationships: [
        {
          identifiers: { object_type_id: '1', object_id: 'acme' },
          relationship_attributes: { role: 'admin' },
        },
      ],
    });
    expect(entry.subjects).toEqual(['email:a@b.co', 'object:1:acme']);
    expect(
      body(plan('relationship', 'soft_delete'), {
        person_id: 'u1',
        object_type_id: 1,
        object_id: 'acme',
        role: 'x',
      }),
    ).toEqual({
      type: 'person',
      identifiers: { id: 'u1' },
      action: 'delete_relationships',
      cio_relationships: [{ identifiers: { object_type_id: '1', object_id: 'acme' } }],
    });
  });

  test('a typed operation takes its type from its name', () => {
    const [typed] = typedOperations([{ id: '7', name: 'Sales Accounts' }]);
    if (typed === undefined) throw new Error('no typed operation');
    expect(typed.object).toBe('object_sales_accounts');
    const streamPlan = { ...plan('object', 'append_dedup'), operation: typed };
    expect(body(streamPlan, { object_id: 'big', tier: 'gold' })).toMatchObject({
      identifiers: { object_type_id: '7', object_id: 'big' },
      attributes: { tier: 'gold' },
    });
    expect(snakeCase('BillingAccount')).toBe('billing_account');
  });

  test('devices: token, platform in lower case, last_used in seconds, the rest as device attributes', () => {
    expect(
      body(plan('person_device', 'append_dedup'), {
        person_id: 'u1',
        device_id: 'tok',
        platform: 'Android',
        last_used: '2026-12-01T10:00:00Z',
        app_version: '3',
      }),
    ).toEqual({
      type: 'person',
      identifiers: { id: 'u1' },
      action: 'add_device',
      device: { token: 'tok', platform: 'android', last_used: SECONDS, attributes: { app_version: '3' } },
    });
    expect(
      body(plan('person_device', 'soft_delete'), { person_id: 'u1', device_id: 'tok', platform: 'x' }),
    ).toEqual({
      type: 'person',
      identifiers: { id: 'u1' },
      action: 'delete_device',
      device: { token: 'tok' },
    });
  });

  test('suppress, unsuppress, and a merge of two people (both subjects)', () => {
    expect(body(plan('person_suppression', 'append'), { person_id: 'u1', x: 1 })).toEqual({
      type: 'person',
      identifiers: { id: 'u1' },
      action: 'suppress',
    });
    expect(body(plan('person_suppression', 'soft_delete'), { person_id: 'u1' }).action).toBe('unsuppress');
    const merge = written(
      build(plan('person_merge', 'append'), { primary_id: 'main', secondary_email: 'Old@x.co' }),
    );
    expect(merge.body).toEqual({
      type: 'person',
      action: 'merge',
      primary: { id: 'main' },
      secondary: { email: 'Old@x.co' },
    });
    expect(merge.subjects).toEqual(['id:main', 'email:old@x.co']);
    expect(refused(build(plan('person_merge', 'append'), { primary_id: 'main' })).rejection.field).toBe(
      'secondary_id / secondary_email / secondary_cio_id',
    );
  });

  test('subscription topics in dot notation, so the other topics stay', () => {
    expect(
      body(plan('person_subscription', 'append_dedup'), {
        person_id: 'u1',
        topic_id: 3,
        subscribed: 'FALSE',
        topic_5: true,
      }),
    ).toEqual({
      type: 'person',
      identifiers: { id: 'u1' },
      action: 'identify',
      attributes: {
        'cio_subscription_preferences.topics.topic_3': false,
        'cio_subscription_preferences.topics.topic_5': true,
      },
    });
  });

  test('segment members: the segment, the id type of the matching key, the id (emails lower-cased)', () => {
    const built = build(plan('segment_membership', 'append'), { segment_id: '12', person_email: 'A@B.co' });
    expect(built).toMatchObject({
      kind: 'member',
      group: { segmentId: '12', idType: 'email', change: 'add' },
      text: '"a@b.co"',
      subjects: ['email:a@b.co'],
    });
    expect(
      build(plan('segment_membership', 'soft_delete'), { segment_id: 12, person_cio_id: 'c1' }),
    ).toMatchObject({
      group: { segmentId: '12', idType: 'cio_id', change: 'remove' },
    });
    const fixed = { ...plan('segment_membership', 'overwrite'), segmentId: '55' };
    expect(build(fixed, { person_id: 'u1' })).toMatchObject({ group: { segmentId: '55', change: 'add' } });
    expect(
      refused(build(plan('segment_membership', 'append'), { segment_id: 'vip', person_id: 'u1' })).rejection
        .field,
    ).toBe('segment_id');
  });

  test('a collection row is the record without _airbyte_ columns; snippets are App API requests', () => {
    expect(build(plan('collection', 'overwrite'), { city: 'Lisbon', _airbyte_raw_id: 'x' })).toMatchObject({
      kind: 'row',
      text: '{"city":"Lisbon"}',
    });
    expect(build(plan('snippet', 'append_dedup'), { name: ' header ', value: 'Hi' })).toMatchObject({
      kind: 'app',
      request: { method: 'PUT', path: '/v1/snippets', body: { name: 'header', value: 'Hi' } },
    });
    expect(build(plan('snippet', 'soft_delete'), { name: 'a b/c' })).toMatchObject({
      kind: 'app',
      request: { method: 'DELETE', path: '/v1/snippets/a%20b%2Fc' },
    });
  });
});
