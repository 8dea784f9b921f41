/**
 * End to end, against the simulator: what a real network adds between the connector and Customer.io. A
 * forward proxy (every request, the export's file download included), servers asking to wait (Retry-After on
 * 503, a Retry-After beyond the cap), a sign-in page answering instead of the API, and no process warnings
 * however many requests wait at once.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { type ForwardProxy, startForwardProxy } from './forward-proxy.js';
import {
  configuredCatalog,
  errorsOf,
  FAST_RETRIES,
  ofType,
  recordsOf,
  runConnector,
  simulatorConfig,
  statusesOf,
} from './harness.js';
import { type Simulator, type SimulatorOptions, startSimulator } from './simulator/index.js';
import { STORAGE_PREFIX } from './simulator/routes-exports.js';

let sim: Simulator | undefined;
let proxy: ForwardProxy | undefined;
afterEach(async () => {
  await sim?.close();
  await proxy?.close();
  sim = undefined;
  proxy = undefined;
});

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator({ requestsPerSecond: null, workspace: { people: 300 }, ...options });
  return sim;
}

function warnings(messages: Parameters<typeof ofType>[0]): string[] {
  return ofType(messages, 'LOG')
    .filter((message) => message.log.level === 'WARN')
    .map((message) => message.log.message);
}

/** No proxy from the machine running the tests leaks into a run, unless the test sets one. */
const NO_PROXY_ENV = {
  HTTP_PROXY: '',
  http_proxy: '',
  HTTPS_PROXY: '',
  https_proxy: '',
  NO_PROXY: '',
  no_proxy: '',
};

describe('proxies', () => {
  test('HTTP_PROXY carries every request, the export file download too, which goes without the key', async () => {
    const target = await simulator({ exports: { pollsUntilDone: 1 } });
    proxy = await startForwardProxy();
    const result = await runConnector('read', {
      config: simulatorConfig(target, { customers_method: 'export', requests_per_second: 1000 }),
      catalog: configuredCatalog(['customers']),
      env: { ...FAST_RETRIES, ...NO_PROXY_ENV, CIO_EXPORT_POLL_MS: '1', HTTP_PROXY: proxy.url },
    });
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages, 'customers').length).toBeGreaterThan(250);
    const paths = proxy.requests.map((entry) => `${entry.method} ${new URL(entry.url).pathname}`);
    expect(paths).toEqual([
      'POST /v1/exports/customers',
      expect.stringMatching(/^GET \/v1\/exports\/\d+$/),
      expect.stringMatching(/^GET \/v1\/exports\/\d+\/download$/),
      expect.stringMatching(new RegExp(`^GET ${STORAGE_PREFIX}exports/\\d+\\.csv\\.gz$`)),
    ]);
    // Everything the simulator saw came through the proxy.
    expect(target.stats.log).toHaveLength(proxy.requests.length);
    const [api, storage] = [proxy.requests[0], proxy.requests.at(-1)];
    expect(api?.headers.authorization).toBe(`Bearer ${target.apiKey}`);
    expect(storage?.headers.authorization).toBeUndefined();
  });

  test('NO_PROXY naming the host sends around the proxy', async () => {
    const target = await simulator({ exports: { pollsUntilDone: 1 } });
    proxy = await startForwardProxy();
    const result = await runConnector('read', {
      config: simulatorConfig(target, { customers_method: 'export', requests_per_second: 1000 }),
      catalog: configuredCatalog(['customers', 'segments']),
      env: {
        ...FAST_RETRIES,
        ...NO_PROXY_ENV,
        CIO_EXPORT_POLL_MS: '1',
        HTTP_PROXY: proxy.url,
        NO_PROXY: '127.0.0.1',
      },
    });
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages, 'customers').length).toBeGreaterThan(250);
    expect(proxy.requests).toEqual([]);
  });
});

describe('servers asking to wait', () => {
  test('a 503 with Retry-After is retried after what it asks, and the warning says so', async () => {
    const target = await simulator();
    target.injectFaults('http_503_retry_after', 1, /^\/v1\/campaigns$/);
    const result = await runConnector('read', {
      config: simulatorConfig(target, { requests_per_second: 1000 }),
      catalog: configuredCatalog(['campaigns']),
      env: FAST_RETRIES,
    });
    expect(result.exitCode).toBe(0);
    expect(statusesOf(result.messages, 'campaigns').at(-1)).toBe('COMPLETE');
    // With FAST_RETRIES, the backoff alone would have waited 0.0 s.
    expect(warnings(result.messages)).toEqual([
      'campaigns: HTTP 503 on /v1/campaigns; retry 1 of 4 in 1.0 s (as Retry-After asked).',
    ]);
  });

  test('a Retry-After beyond the cap: the warning names what the server asked and the capped pause', async () => {
    const target = await simulator();
    target.injectFaults('http_429_long_retry_after', 1, /^\/v1\/campaigns$/);
    const result = await runConnector('read', {
      config: simulatorConfig(target, { requests_per_second: 10 }),
      catalog: configuredCatalog(['campaigns']),
      // The cap shortened from 300 s, so that the test waits 1 s.
      env: { ...FAST_RETRIES, CIO_MAX_RETRY_AFTER_MS: '1000' },
    });
    expect(result.exitCode).toBe(0);
    expect(warnings(result.messages)).toEqual([
      'campaigns: HTTP 429 on /v1/campaigns (rate limited: the workspace budget is shared with other tools); every request pauses 1.0 s (Retry-After asked for 3600 s, capped at 1 s), then goes on at 9.5 requests/second.',
    ]);
  });
});

describe('a sign-in page instead of Customer.io', () => {
  test('a 200 web page fails the stream at once, naming a proxy or captive portal', async () => {
    const target = await simulator();
    target.injectFaults('html_200', 10, /^\/v1\/campaigns$/);
    const result = await runConnector('read', {
      config: simulatorConfig(target, { requests_per_second: 1000 }),
      catalog: configuredCatalog(['campaigns', 'segments']),
      env: FAST_RETRIES,
    });
    expect(result.exitCode).toBe(1);
    expect(statusesOf(result.messages, 'campaigns').at(-1)).toBe('INCOMPLETE');
    expect(statusesOf(result.messages, 'segments').at(-1)).toBe('COMPLETE');
    // Not retried: a sign-in page answers the same every time.
    expect(target.stats.log.filter((entry) => entry.path === '/v1/campaigns')).toHaveLength(1);
    expect(warnings(result.messages)).toEqual([]);
    const [error] = errorsOf(result.messages);
    expect(error?.failure_type).toBe('config_error');
    expect(error?.message).toBe(
      `campaigns: A web page (HTML) came back to GET /v1/campaigns instead of Customer.io's JSON, with HTTP 200: a proxy or captive portal (a network sign-in page) answered instead of Customer.io. Check this machine's network path (HTTPS_PROXY, a network that needs a sign-in) or "base_url".`,
    );
  });
});

describe('no process warnings', () => {
  test('check, and a read with many requests waiting at once, print no warning on stderr', async () => {
    const target = await simulator({ workspace: { people: 3000 } });
    const config = simulatorConfig(target, { requests_per_second: 50 });
    const check = await runConnector('check', { config });
    expect(ofType(check.messages, 'CONNECTION_STATUS')[0]?.connectionStatus.status).toBe('SUCCEEDED');
    expect(check.stderr).not.toContain('Warning');
    const read = await runConnector('read', {
      config,
      catalog: configuredCatalog(['customers', 'campaigns', 'campaign_actions']),
      env: FAST_RETRIES,
    });
    expect(read.exitCode).toBe(0);
    expect(recordsOf(read.messages, 'customers').length).toBeGreaterThan(2500);
    expect(read.stderr).not.toContain('Warning');
  });
});
