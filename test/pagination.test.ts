import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { MissingEnvelopeError, PaginationLoopError } from '../src/errors.js';
import { CustomerIoClient } from '../src/http-client.js';
import {
  describeBody,
  expectObject,
  extractRecords,
  nextToken,
  nullMeansEmpty,
  PageLoopGuard,
  type PageRequest,
} from '../src/pagination.js';

const BASE = 'https://api.customer.io';

describe('extractRecords', () => {
  test('returns the list under the envelope key', () => {
    expect(extractRecords({ segments: [{ id: 1 }], next: '' }, 'segments', '/v1/segments')).toEqual([
      { id: 1 },
    ]);
  });

  test.each([
    ['membership identifiers', '/v1/segments/7/membership', 'identifiers'],
    ['all messages', '/v1/messages', 'messages'],
    ['a campaign messages', '/v1/campaigns/3/messages', 'messages'],
    ['a person messages', '/v1/customers/abc%40x/messages', 'messages'],
    ['suppressions', '/v1/esp/suppression/bounces', 'suppressions'],
  ])('a documented null list (%s) is an empty page', (_name, path, key) => {
    expect(extractRecords({ [key]: null, next: '' }, key, path)).toEqual([]);
  });

  test.each([
    ['a missing key', {}, 'an empty object'],
    ['a missing key beside other keys', { next: '', total: 3 }, 'top-level keys: next, total'],
    [
      'an errors body',
      { errors: [{ detail: 'internal hiccup', status: '500' }] },
      'top-level keys: errors; error: internal hiccup',
    ],
    ['an undocumented null', { campaigns: null }, '"campaigns" is null'],
    ['an object instead of a list', { campaigns: { id: 1 } }, '"campaigns" is an object'],
  ])('%s on a 200 is an error naming the endpoint and what came back', (_name, body, described) => {
    let error: unknown;
    try {
      extractRecords(body, 'campaigns', '/v1/campaigns');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MissingEnvelopeError);
    expect((error as MissingEnvelopeError).failureType).toBe('system_error');
    expect((error as Error).message).toContain('/v1/campaigns');
    expect((error as Error).message).toContain(described);
  });

  test('a null list is only empty where that endpoint and key document it', () => {
    expect(nullMeansEmpty('/v1/segments/7/membership', 'identifiers')).toBe(true);
    // People search and objects answer `identifiers` too, but have no documented null.
    expect(nullMeansEmpty('/v1/customers', 'identifiers')).toBe(false);
    expect(nullMeansEmpty('/v1/objects', 'identifiers')).toBe(false);
    // The transactional message list is `messages` too, but it is not a delivery list.
    expect(nullMeansEmpty('/v1/transactional', 'messages')).toBe(false);
    expect(nullMeansEmpty('/v1/transactional/4/messages', 'messages')).toBe(true);
  });

  test('a body that is not an object is described by its shape', () => {
    expect(() => extractRecords(null, 'segments', '/v1/segments')).toThrow(/the body is null/);
    expect(() => extractRecords([], 'segments', '/v1/segments')).toThrow(/the body is a list/);
  });

  test('descriptions carry key names and shapes, never values', () => {
    const described = describeBody({ email: 'ann@example.com', token: 'secret-value' }, 'customers');
    expect(described).toBe('top-level keys: email, token');
  });
});

describe('expectObject', () => {
  test('returns the nested object', () => {
    expect(expectObject({ metric: { series: { sent: [1] } } }, ['metric', 'series'], '/m')).toEqual({
      sent: [1],
    });
  });

  test.each([
    [{}, 'an empty object'],
    [{ metric: null }, '"metric" is null'],
    [{ metric: {} }, '"metric" is an empty object'],
    [{ metric: { total: 1 } }, 'keys of "metric": total'],
    [{ metric: { series: [] } }, '"metric.series" is a list'],
  ])('%j is an error naming what is missing', (body, described) => {
    expect(() => expectObject(body, ['metric', 'series'], '/v1/campaigns/1/metrics')).toThrow(
      new RegExp(
        `/v1/campaigns/1/metrics.*"metric.series" object \\(${described.replace(/[.*()[\]]/g, '\\$&')}\\)`,
      ),
    );
  });
});

describe('nextToken', () => {
  test.each([
    [{ next: 'MQ==' }, 'MQ=='],
    [{ next: 7 }, '7'],
    [{ next: 0 }, undefined],
    [{ next: '' }, undefined],
    [{ next: null }, undefined],
    [{}, undefined],
  ])('%j → %s', (body, token) => {
    expect(nextToken(body)).toBe(token);
  });
});

describe('PageLoopGuard', () => {
  test('distinct pages and tokens pass', () => {
    const guard = new PageLoopGuard('/v1/x');
    guard.check([{ id: 1 }, { id: 2 }], 'A');
    guard.check([{ id: 3 }, { id: 4 }], 'B');
    guard.check([{ id: 5 }], undefined);
  });

  test('the same records under a fresh token is a loop', () => {
    const guard = new PageLoopGuard('/v1/newsletters');
    guard.check([{ id: 1 }, { id: 2 }], 'A');
    expect(() => guard.check([{ id: 1 }, { id: 2 }], 'B')).toThrow(PaginationLoopError);
    expect(() => new PageLoopGuard('/v1/newsletters').check([], 'A')).not.toThrow();
  });

  test('a token followed before is a loop', () => {
    const guard = new PageLoopGuard('/v1/x');
    guard.check([{ id: 1 }], 'A');
    expect(() => guard.check([{ id: 2 }], 'A')).toThrow(/same page token twice for \/v1\/x/);
  });

  test('empty pages never count as repeats (an empty page with a token is not always the end)', () => {
    const guard = new PageLoopGuard('/v1/messages');
    guard.check([], 'A');
    guard.check([], 'B');
    guard.check([{ id: 1 }], 'C');
    guard.check([], 'D');
    guard.check([{ id: 2 }], undefined);
  });

  test('pages repeating one further back are not this guard business (only consecutive repeats loop)', () => {
    const guard = new PageLoopGuard('/v1/x');
    guard.check([{ id: 1 }], 'A');
    guard.check([{ id: 2 }], 'B');
    expect(() => guard.check([{ id: 1 }], 'C')).not.toThrow();
  });
});

describe('client paging', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
  afterAll(() => nock.enableNetConnect());

  const client = () =>
    new CustomerIoClient({
      baseUrl: BASE,
      apiKey: 'k',
      requestsPerSecond: 1000,
      retryBaseMs: 1,
      maxRetries: 1,
    });

  async function readAll(request: PageRequest): Promise<{ ids: unknown[]; error: unknown }> {
    const ids: unknown[] = [];
    try {
      for await (const page of client().pages(request)) ids.push(...page.records.map((record) => record.id));
    } catch (error) {
      return { ids, error };
    }
    return { ids, error: undefined };
  }

  test('a fresh token on the same page stops with an error after the first copy', async () => {
    nock(BASE)
      .get('/v1/newsletters')
      .query(true)
      .times(3)
      .reply(200, () => ({ newsletters: [{ id: 1 }, { id: 2 }], next: `t${Math.random()}` }));
    const { ids, error } = await readAll({
      path: '/v1/newsletters',
      envelopeKey: 'newsletters',
      pageSize: 2,
    });
    expect(error).toBeInstanceOf(PaginationLoopError);
    expect((error as Error).message).toContain('/v1/newsletters');
    expect(ids).toEqual([1, 2]);
    nock.cleanAll();
  });

  test('the same with prefetch', async () => {
    nock(BASE)
      .get('/v1/messages')
      .query(true)
      .times(4)
      .reply(200, () => ({ messages: [{ id: 'a' }], next: `t${Math.random()}` }));
    const { ids, error } = await readAll({ path: '/v1/messages', envelopeKey: 'messages', prefetch: true });
    expect(error).toBeInstanceOf(PaginationLoopError);
    expect(ids).toEqual(['a']);
    nock.cleanAll();
  });

  test('an offset endpoint ignoring offset stops with an error after the first page', async () => {
    nock(BASE)
      .get('/v1/esp/suppression/bounces')
      .query(true)
      .times(2)
      .reply(200, { suppressions: [{ id: 1 }, { id: 2 }] });
    const { ids, error } = await readAll({
      path: '/v1/esp/suppression/bounces',
      envelopeKey: 'suppressions',
      pagination: 'offset',
      pageSize: 2,
    });
    expect(error).toBeInstanceOf(PaginationLoopError);
    expect(ids).toEqual([1, 2]);
  });

  test('an offset endpoint ends at a short page, and at a documented null past the end', async () => {
    nock(BASE)
      .get('/v1/esp/suppression/bounces')
      .query({ limit: 2, offset: 0 })
      .reply(200, { suppressions: [{ id: 1 }, { id: 2 }] });
    nock(BASE)
      .get('/v1/esp/suppression/bounces')
      .query({ limit: 2, offset: 2 })
      .reply(200, { suppressions: null });
    const { ids, error } = await readAll({
      path: '/v1/esp/suppression/bounces',
      envelopeKey: 'suppressions',
      pagination: 'offset',
      pageSize: 2,
    });
    expect(error).toBeUndefined();
    expect(ids).toEqual([1, 2]);
  });

  test.each([
    ['{}', {}],
    ['an errors body', { errors: [{ detail: 'oops' }] }],
    ['an undocumented null', { campaigns: null }],
  ])('a 200 with %s ends the read with an error, not as empty', async (_name, body) => {
    nock(BASE).get('/v1/campaigns').reply(200, body);
    const { ids, error } = await readAll({ path: '/v1/campaigns', envelopeKey: 'campaigns' });
    expect(ids).toEqual([]);
    expect(error).toBeInstanceOf(MissingEnvelopeError);
    expect((error as Error).message).toMatch(
      /^Customer\.io answered \/v1\/campaigns with 200 but no "campaigns" list/,
    );
  });
});
