import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  AuthenticationError,
  ForbiddenError,
  NotFoundError,
  TransientApiError,
  UnexpectedResponseError,
} from '../src/errors.js';
import { CustomerIoClient, parseRetryAfter, type RetryNotice } from '../src/http-client.js';

const BASE = 'https://api.customer.io';
const KEY = 'secret-app-key-1234567890';

function client(
  overrides: Partial<ConstructorParameters<typeof CustomerIoClient>[0]> = {},
): CustomerIoClient {
  return new CustomerIoClient({
    baseUrl: BASE,
    apiKey: KEY,
    requestsPerSecond: 1000,
    retryBaseMs: 1,
    maxRetries: 3,
    quotaBackoffMs: 5,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

function expectNoKey(error: Error): void {
  const everything = `${error.message} ${(error as { internalMessage?: string }).internalMessage ?? ''} ${error.stack ?? ''} ${JSON.stringify(error)} ${String(error.cause ?? '')}`;
  expect(everything).not.toContain(KEY);
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('requests', () => {
  test('sends the key as a bearer token and parses JSON', async () => {
    nock(BASE, { reqheaders: { authorization: `Bearer ${KEY}` } })
      .get('/v1/workspaces')
      .reply(200, { workspaces: [{ id: 1 }] });
    await expect(client().get('/v1/workspaces')).resolves.toEqual({ workspaces: [{ id: 1 }] });
  });

  test('retries a 429, honouring Retry-After, and reports it as rate limited', async () => {
    const notices: RetryNotice[] = [];
    const api = client();
    api.onRetry((notice) => {
      notices.push(notice);
    });
    nock(BASE)
      .get('/v1/segments')
      .reply(429, { errors: [{ detail: 'rate limited', status: '429' }] }, { 'Retry-After': '0' });
    nock(BASE).get('/v1/segments').reply(200, { segments: [] });
    await expect(api.get('/v1/segments')).resolves.toEqual({ segments: [] });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      attempt: 1,
      rateLimited: true,
      reason: 'HTTP 429',
      path: '/v1/segments',
    });
    expect(notices[0]?.delayMs).toBeLessThan(300);
  });

  test('a 429 without Retry-After backs off at least the quota back-off', async () => {
    const notices: RetryNotice[] = [];
    const api = client({ quotaBackoffMs: 40 });
    api.onRetry((notice) => {
      notices.push(notice);
    });
    nock(BASE).get('/v1/segments').reply(429, 'quota');
    nock(BASE).get('/v1/segments').reply(200, { segments: [] });
    await api.get('/v1/segments');
    expect(notices[0]?.delayMs).toBeGreaterThanOrEqual(40 * 0.8);
  });

  test.each([
    [
      'HTML 502',
      () => nock(BASE).get('/v1/campaigns').reply(502, '<html><body>502 Bad Gateway</body></html>'),
    ],
    [
      '503',
      () =>
        nock(BASE)
          .get('/v1/campaigns')
          .reply(503, { errors: [{ detail: 'down', status: '503' }] }),
    ],
    ['connection reset', () => nock(BASE).get('/v1/campaigns').replyWithError('socket hang up')],
    ['truncated JSON', () => nock(BASE).get('/v1/campaigns').reply(200, '{"campaigns":[{"id":1},{"id"')],
  ])('retries a transient failure (%s) and then succeeds', async (_name, fault) => {
    fault();
    nock(BASE)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1 }] });
    await expect(client().get('/v1/campaigns')).resolves.toEqual({ campaigns: [{ id: 1 }] });
  });

  test('retries a timeout and gives up with a transient error after the retry budget', async () => {
    nock(BASE).get('/v1/campaigns').times(3).delay(200).reply(200, { campaigns: [] });
    const error = await failure(client({ timeoutMs: 30, maxRetries: 2 }).get('/v1/campaigns'));
    expect(error).toBeInstanceOf(TransientApiError);
    expect(error.message).toMatch(/timed out/);
    expectNoKey(error);
  });

  test('persistent 5xx ends in a transient error that names the request, never the key', async () => {
    nock(BASE)
      .get('/v1/campaigns')
      .times(4)
      .reply(500, { errors: [{ detail: 'boom', status: '500' }] });
    const error = await failure(client().get('/v1/campaigns'));
    expect(error).toBeInstanceOf(TransientApiError);
    expect((error as TransientApiError).failureType).toBe('transient_error');
    expect(error.message).toContain('GET /v1/campaigns');
    expectNoKey(error);
  });

  test('401 is a config error that explains App vs Track key and region, and is not retried', async () => {
    nock(BASE)
      .get('/v1/workspaces')
      .once()
      .reply(401, { errors: [{ detail: 'unauthorized', status: '401' }] });
    const error = await failure(client().get('/v1/workspaces'));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).failureType).toBe('config_error');
    expect(error.message).toMatch(/Track API key/);
    expect(error.message).toMatch(/region/);
    expectNoKey(error);
  });

  test('403 is a config error about scope and IP allowlist', async () => {
    nock(BASE)
      .get('/v1/customers')
      .reply(403, { errors: [{ detail: 'forbidden', status: '403' }] });
    const error = await failure(client().get('/v1/customers'));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.message).toMatch(/scope/);
    expect(error.message).toMatch(/allowlist/);
  });

  test('404 is a NotFoundError; another 4xx is an unexpected response with the API detail', async () => {
    nock(BASE)
      .get('/v1/campaigns/9/actions')
      .reply(404, { errors: [{ detail: 'not found', status: '404' }] });
    expect(await failure(client().get('/v1/campaigns/9/actions'))).toBeInstanceOf(NotFoundError);
    nock(BASE)
      .get('/v1/messages')
      .reply(400, { errors: [{ detail: 'bad start_ts', status: '400' }] });
    const error = await failure(client().get('/v1/messages'));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.message).toContain('bad start_ts');
  });
});

describe('pagination', () => {
  test('follows next tokens (sent back as start) until next is empty, with limit on each page', async () => {
    nock(BASE)
      .get('/v1/newsletters')
      .query({ limit: 2 })
      .reply(200, { newsletters: [{ id: 1 }, { id: 2 }], next: 'MQ==' });
    nock(BASE)
      .get('/v1/newsletters')
      .query({ limit: 2, start: 'MQ==' })
      .reply(200, { newsletters: [{ id: 3 }], next: 'Mg+/=' });
    nock(BASE)
      .get('/v1/newsletters')
      .query({ limit: 2, start: 'Mg+/=' })
      .reply(200, { newsletters: [], next: '' });
    const ids: unknown[] = [];
    for await (const page of client().pages({
      path: '/v1/newsletters',
      envelopeKey: 'newsletters',
      pageSize: 2,
    })) {
      ids.push(...page.records.map((record) => record.id));
    }
    expect(ids).toEqual([1, 2, 3]);
  });

  test.each([[null], [undefined]])('a next of %s ends the read', async (next) => {
    nock(BASE)
      .get('/v1/segments')
      .reply(200, { segments: [{ id: 1 }], ...(next === undefined ? {} : { next }) });
    const pages = [];
    for await (const page of client().pages({ path: '/v1/segments', envelopeKey: 'segments' }))
      pages.push(page);
    expect(pages).toHaveLength(1);
  });

  test('an integer next is sent back as start', async () => {
    nock(BASE)
      .get('/v1/errors')
      .reply(200, { errors: ['line 1: x'], next: 1 });
    nock(BASE).get('/v1/errors').query({ start: '1' }).reply(200, { errors: [], next: '' });
    const pages = [];
    for await (const page of client().pages({ path: '/v1/errors', envelopeKey: 'errors' })) pages.push(page);
    expect(pages.map((page) => page.records.length)).toEqual([1, 0]);
  });

  test('a repeated next token stops with an error instead of looping forever', async () => {
    nock(BASE)
      .get('/v1/x')
      .reply(200, { items: [{ id: 1 }], next: 'A' });
    nock(BASE)
      .get('/v1/x')
      .query({ start: 'A' })
      .reply(200, { items: [{ id: 2 }], next: 'A' });
    const read = async () => {
      for await (const _page of client().pages({ path: '/v1/x', envelopeKey: 'items' })) {
        // consume
      }
    };
    await expect(read()).rejects.toThrow(/same page token twice/);
  });

  test('a body without the envelope list is an unexpected response', async () => {
    nock(BASE)
      .get('/v1/segments')
      .reply(200, { segments: { id: 1 } });
    const read = async () => {
      for await (const _page of client().pages({ path: '/v1/segments', envelopeKey: 'segments' })) {
        // consume
      }
    };
    await expect(read()).rejects.toBeInstanceOf(UnexpectedResponseError);
  });
});

describe('rate limit', () => {
  test('never starts more requests than the budget in any rolling second', async () => {
    const starts: number[] = [];
    nock(BASE)
      .get('/v1/segments')
      .times(30)
      .reply(200, () => {
        starts.push(Date.now());
        return { segments: [] };
      });
    const api = client({ requestsPerSecond: 20 });
    await Promise.all(Array.from({ length: 30 }, () => api.get('/v1/segments')));
    const maxInWindow = Math.max(
      ...starts.map((start) => starts.filter((t) => t >= start && t < start + 1000).length),
    );
    expect(maxInWindow).toBeLessThanOrEqual(20);
    expect(api.requestCount).toBe(30);
  });

  test('Retry-After accepts seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(parseRetryAfter(inTenSeconds)).toBeGreaterThan(8000);
  });
});
