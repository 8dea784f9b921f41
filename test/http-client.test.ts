import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RetryNotice } from '@cio-connectors/kit/http-client';
import { isRefusal, parseRetryAfter } from '@cio-connectors/kit/http-errors';
import { retryMessage } from '@cio-connectors/kit/retry-reporting';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  ApiUnreachableError,
  AuthenticationError,
  ConfigError,
  ForbiddenError,
  isRunWide,
  NotFoundError,
  ResponseTooLargeError,
  TransientApiError,
  UnexpectedResponseError,
} from '../src/errors.js';
import { CustomerIoClient } from '../src/http-client.js';

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

/** A port nothing listens on: bound, then released. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
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
      quotaExhausted: false,
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

  test('a timeout on every attempt, with nothing else answered, makes the source unavailable', async () => {
    nock(BASE).get('/v1/campaigns').times(3).delay(200).reply(200, { campaigns: [] });
    const api = client({ timeoutMs: 30, maxRetries: 2 });
    const error = await failure(api.get('/v1/campaigns'));
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect((error as ApiUnreachableError).failureType).toBe('transient_error');
    expect(error.message).toMatch(/timed out on GET \/v1\/campaigns/);
    expect(isRunWide(error)).toBe(true);
    expectNoKey(error);
    // Every later request fails at once with the same error, without a request (nock would refuse one).
    expect(await failure(api.get('/v1/segments'))).toBe(error);
  });

  test('the deadline covers the body, not only the headers: a trickling body is cut off and retried', async () => {
    const notices: RetryNotice[] = [];
    const api = client({ timeoutMs: 300 });
    api.onRetry((notice) => {
      notices.push(notice);
    });
    nock(BASE).get('/v1/campaigns').delayBody(5000).reply(200, { campaigns: [] });
    nock(BASE)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1 }] });
    await expect(api.get('/v1/campaigns')).resolves.toEqual({ campaigns: [{ id: 1 }] });
    expect(notices.map((notice) => notice.reason)).toEqual(['request timed out']);
  });

  test('connection refused after the retry budget stops every later request', async () => {
    const closedPort = await unusedPort();
    nock.enableNetConnect('127.0.0.1');
    try {
      const api = client({ baseUrl: `http://127.0.0.1:${closedPort}` });
      const error = await failure(api.get('/v1/campaigns'));
      expect(error).toBeInstanceOf(ApiUnreachableError);
      expect(error.message).toMatch(
        /cannot be reached at http:\/\/127\.0\.0\.1:\d+: connection failed \(ECONNREFUSED\)/,
      );
      expect(api.requestCount).toBe(4);
      expect(await failure(api.get('/v1/segments'))).toBe(error);
      expect(api.requestCount).toBe(4);
    } finally {
      nock.disableNetConnect();
    }
  });

  test('a request that keeps timing out while others are answered fails alone', async () => {
    nock(BASE).get('/v1/campaigns').times(3).delay(3000).reply(200, { campaigns: [] });
    nock(BASE).get('/v1/segments').twice().reply(200, { segments: [] });
    // A deadline generous enough for an in-process answer even on a loaded machine.
    const api = client({ maxRetries: 2, timeoutMs: 300 });
    // Another request is answered while this one is failing.
    api.onRetry(async (notice) => {
      if (notice.attempt === 1) await api.get('/v1/segments');
    });
    const error = await failure(api.get('/v1/campaigns'));
    expect(error).toBeInstanceOf(TransientApiError);
    expect(isRunWide(error)).toBe(false);
    await expect(api.get('/v1/segments')).resolves.toEqual({ segments: [] });
  });

  test('an answer larger than the cap is an error naming the endpoint, not downloaded again', async () => {
    nock(BASE)
      .get('/v1/segments')
      .once()
      .reply(200, { segments: Array.from({ length: 100 }, (_, id) => ({ id, name: 'x'.repeat(50) })) });
    const error = await failure(client({ maxResponseBytes: 1000 }).get('/v1/segments'));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error.message).toMatch(/answer to GET \/v1\/segments is larger than 1000 bytes/);
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

  test('401 is a config error that explains App vs Track key and region, is not retried, and stops every later request', async () => {
    nock(BASE)
      .get('/v1/workspaces')
      .once()
      .reply(401, { errors: [{ detail: 'unauthorized', status: '401' }] });
    const api = client();
    const error = await failure(api.get('/v1/workspaces'));
    expect(isRunWide(error)).toBe(true);
    expect(await failure(api.get('/v1/segments'))).toBe(error);
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
  // The window itself is tested with fake timers in rate-limiter.test.ts; here only lower bounds on time,
  // which a loaded machine can only lengthen.
  test('30 requests at 20 per second cannot all be sent within the first window', async () => {
    nock(BASE).get('/v1/segments').times(30).reply(200, { segments: [] });
    const api = client({ requestsPerSecond: 20 });
    const started = performance.now();
    await Promise.all(Array.from({ length: 30 }, () => api.get('/v1/segments')));
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(api.requestCount).toBe(30);
  });

  test('a 429 pauses the whole client until Retry-After, not only the request that drew it', async () => {
    const sentAt: Record<string, number> = {};
    let throttledAt = 0;
    nock(BASE)
      .get('/v1/segments')
      .reply(() => {
        throttledAt = performance.now();
        return [429, { errors: [{ detail: 'rate limited', status: '429' }] }, { 'Retry-After': '0.3' }];
      });
    nock(BASE)
      .get('/v1/segments')
      .reply(() => {
        sentAt.segments = performance.now();
        return [200, { segments: [] }];
      });
    nock(BASE)
      .get('/v1/campaigns')
      .reply(() => {
        sentAt.campaigns = performance.now();
        return [200, { campaigns: [] }];
      });
    const api = client();
    const notices: RetryNotice[] = [];
    const resumed: string[] = [];
    api.onResume((stream) => {
      resumed.push(stream);
    });
    const scope = { signal: new AbortController().signal, stream: 'segments' };
    // The second request starts once the first has been answered 429.
    let second: Promise<unknown> | undefined;
    api.onRetry((notice) => {
      notices.push(notice);
      second ??= api.get('/v1/campaigns');
    });
    await api.scoped(scope).get('/v1/segments');
    await second;
    expect(sentAt.campaigns).toBeGreaterThanOrEqual(throttledAt + 300);
    expect(sentAt.segments).toBeGreaterThanOrEqual(throttledAt + 300);
    expect(notices[0]).toMatchObject({ rateLimited: true, stream: 'segments', requestsPerSecond: 950 });
    expect(resumed).toEqual(['segments']);
  });

  test('429s do not use the retry budget', async () => {
    nock(BASE)
      .get('/v1/segments')
      .times(6)
      .reply(429, { errors: [{ detail: 'rate limited', status: '429' }] }, { 'Retry-After': '0' });
    nock(BASE).get('/v1/segments').reply(200, { segments: [] });
    await expect(client({ maxRetries: 1 }).get('/v1/segments')).resolves.toEqual({ segments: [] });
  });

  test('429s with no request answered for the no-progress time end in a transient error', async () => {
    nock(BASE)
      .get('/v1/segments')
      .reply(429, { errors: [{ detail: 'rate limited', status: '429' }] }, { 'Retry-After': '0' });
    const error = await failure(client({ noProgressMs: 0 }).get('/v1/segments'));
    expect(error).toBeInstanceOf(TransientApiError);
    expect(error.message).toMatch(/kept answering 429 .* no request got an answer/);
  });

  test('Retry-After accepts seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(parseRetryAfter(inTenSeconds)).toBeGreaterThan(8000);
  });
});

describe('answers that say how long to wait', () => {
  test('a 503 with Retry-After waits what it asks instead of the backoff, and says so', async () => {
    const notices: RetryNotice[] = [];
    const api = client();
    api.onRetry((notice) => {
      notices.push(notice);
    });
    nock(BASE)
      .get('/v1/campaigns')
      .reply(503, { errors: [{ detail: 'maintenance' }] }, { 'Retry-After': '0.2' });
    nock(BASE).get('/v1/campaigns').reply(200, { campaigns: [] });
    await expect(api.get('/v1/campaigns')).resolves.toEqual({ campaigns: [] });
    expect(notices).toEqual([
      expect.objectContaining({ reason: 'HTTP 503', delayMs: 200, retryAfterMs: 200, rateLimited: false }),
    ]);
    expect(retryMessage({ ...notices[0], delayMs: 2000, retryAfterMs: 2000 } as RetryNotice)).toBe(
      'request: HTTP 503 on /v1/campaigns; retry 1 of 3 in 2.0 s (as Retry-After asked).',
    );
  });

  test('a 503 without Retry-After keeps the backoff', async () => {
    const notices: RetryNotice[] = [];
    const api = client({ retryBaseMs: 1 });
    api.onRetry((notice) => {
      notices.push(notice);
    });
    nock(BASE).get('/v1/campaigns').reply(503, {});
    nock(BASE).get('/v1/campaigns').reply(200, { campaigns: [] });
    await api.get('/v1/campaigns');
    expect(notices[0]?.retryAfterMs).toBeUndefined();
    expect(notices[0]?.delayMs).toBeLessThan(2);
  });

  test.each([
    [429, 'every request pauses 300.0 s (Retry-After asked for 3600 s, capped at 300 s), then goes on'],
    [503, 'retry 1 of 3 in 300.0 s (Retry-After asked for 3600 s, capped at 300 s).'],
  ])(
    'a %i with Retry-After beyond the cap waits the cap; the notice keeps what was asked',
    async (status, said) => {
      const notices: RetryNotice[] = [];
      const api = client({ maxRetryAfterMs: 5 });
      api.onRetry((notice) => {
        notices.push(notice);
      });
      nock(BASE).get('/v1/segments').reply(status, {}, { 'Retry-After': '3600' });
      nock(BASE).get('/v1/segments').reply(200, { segments: [] });
      await api.get('/v1/segments');
      expect(notices).toEqual([expect.objectContaining({ delayMs: 5, retryAfterMs: 3_600_000 })]);
      // As printed with the default cap of 300 s.
      expect(retryMessage({ ...notices[0], delayMs: 300_000 } as RetryNotice)).toContain(said);
    },
  );
});

describe('answers that are not Customer.io', () => {
  test('a 200 web page fails at once as a proxy or captive portal, not retried as truncated JSON', async () => {
    nock(BASE).get('/v1/campaigns').reply(200, '<html><body><form>Sign in</form></body></html>', {
      'Content-Type': 'text/html; charset=utf-8',
    });
    const api = client();
    const error = await failure(api.get('/v1/campaigns'));
    expect(api.requestCount).toBe(1);
    expect(error).toMatchObject({
      failureType: 'config_error',
      method: 'GET',
      path: '/v1/campaigns',
      status: 200,
    });
    expect(error.message).toMatch(/a proxy or captive portal .* answered instead of Customer\.io/);
    expect(isRunWide(error)).toBe(false);
  });

  test('a 5xx web page is still a transient failure, retried', async () => {
    nock(BASE)
      .get('/v1/campaigns')
      .reply(502, '<html>502 Bad Gateway</html>', { 'Content-Type': 'text/html' });
    nock(BASE).get('/v1/campaigns').reply(200, { campaigns: [] });
    await expect(client().get('/v1/campaigns')).resolves.toEqual({ campaigns: [] });
  });
});

describe('errors carry data', () => {
  test('method, path and status of the request, never the key', async () => {
    nock(BASE)
      .post('/v1/exports/deliveries')
      .query(true)
      .reply(400, { errors: [{ detail: 'bad start' }] });
    const error = await failure(
      client().request('/v1/exports/deliveries', { method: 'POST', params: { start: 'x' } }),
    );
    expect(error).toMatchObject({ method: 'POST', path: '/v1/exports/deliveries', status: 400 });
    expect(error.message).toBe('Customer.io answered HTTP 400 to POST /v1/exports/deliveries: bad start');
    expect(isRefusal(error)).toBe(true);
    expectNoKey(error);
  });

  test('a 400 to a request that carries customers_filter is a config error naming the field', async () => {
    nock(BASE)
      .post('/v1/customers')
      .query(true)
      .reply(400, { errors: [{ detail: 'filter.segment needs an integer id' }] });
    const error = await failure(client().request('/v1/customers', { method: 'POST', body: { filter: {} } }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      method: 'POST',
      path: '/v1/customers',
      status: 400,
      failureType: 'config_error',
    });
    expect(error.message).toBe(
      'Customer.io refused the config field "customers_filter" (HTTP 400 on POST /v1/customers: filter.segment needs an integer id): fix the filter, e.g. {"segment":{"id":7}}, or leave it empty to read everyone.',
    );
  });

  test.each([
    [401, false],
    [403, false],
    [404, false],
    [422, true],
  ])('a %i is a refusal of the request itself: %s', async (status, refusal) => {
    nock(BASE).get('/v1/x').reply(status, {});
    expect(isRefusal(await failure(client().get('/v1/x')))).toBe(refusal);
  });
});

describe('waiting requests and process warnings', () => {
  test('many requests of one stream waiting at once add no listener per request (no MaxListenersExceededWarning)', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      nock(BASE).get('/v1/segments').times(40).reply(200, { segments: [] });
      nock(BASE).get('/v1/campaigns').times(20).reply(503, {});
      nock(BASE).get('/v1/campaigns').times(20).reply(200, { campaigns: [] });
      const scope = { signal: new AbortController().signal, stream: 'segments' };
      const scoped = client({ requestsPerSecond: 200, retryBaseMs: 20 }).scoped(scope);
      await Promise.all([
        // 40 in the limiter's queue at once, and 20 in a retry's backoff at once, all on one signal.
        ...Array.from({ length: 40 }, () => scoped.get('/v1/segments')),
        ...Array.from({ length: 20 }, () => scoped.get('/v1/campaigns').catch(() => undefined)),
      ]);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((warning) => warning.name)).toEqual([]);
  });
});
