import type { JsonObject } from '@cio-connectors/kit/json';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  committedPart,
  configuredCatalog,
  errorsOf,
  FAST_RETRIES,
  ofType,
  protocolProblems,
  type RunResult,
  recordsOf,
  runConnector,
  simulatorConfig,
  statesOf,
  statusesOf,
} from './harness.js';
import { FAULT_KINDS, type Simulator, startSimulator } from './simulator/index.js';

const ALL_STREAMS_SAMPLE = [
  'campaigns',
  'campaign_actions',
  'campaign_messages',
  'newsletters',
  'newsletter_variants',
  'messages',
  'activities',
  'segments',
  'segment_membership',
  'customers',
  'customer_segments',
  'objects',
  'sender_identities',
  'esp_suppressions',
];
const keyOf = (record: JsonObject) =>
  JSON.stringify([
    record.campaign_id,
    record.segment_id,
    record.cio_id,
    record.id,
    record.email,
    record.object_id,
    record.suppression_type,
  ]);
const keysOf = (result: RunResult, stream: string) => recordsOf(result.messages, stream).map(keyOf).sort();

describe('faults', () => {
  let sim: Simulator;
  let clean: RunResult;
  const config = (extra: JsonObject = {}) => simulatorConfig(sim, { requests_per_second: 1000, ...extra });

  beforeAll(async () => {
    sim = await startSimulator({ requestsPerSecond: null, slowFaultMs: 3000 });
    clean = await runConnector('read', { config: config(), catalog: configuredCatalog(ALL_STREAMS_SAMPLE) });
  });
  afterAll(async () => {
    await sim.close();
  });

  test('with faults of every kind on 5% of requests, a read returns exactly the records of a clean read', async () => {
    sim.setRandomFaults({ rate: 0.06, kinds: [...FAULT_KINDS], seed: 7 });
    const before = sim.stats.faultsInjected;
    const faulty = await runConnector('read', {
      config: config(),
      catalog: configuredCatalog(ALL_STREAMS_SAMPLE),
      env: { ...FAST_RETRIES, CIO_MAX_RETRIES: '8', CIO_TIMEOUT_MS: '1000' },
    });
    sim.setRandomFaults(null);
    expect(sim.stats.faultsInjected - before).toBeGreaterThan(5);
    expect(faulty.exitCode).toBe(0);
    expect(errorsOf(faulty.messages)).toEqual([]);
    expect(protocolProblems(faulty)).toEqual([]);
    for (const stream of ALL_STREAMS_SAMPLE)
      expect(keysOf(faulty, stream), stream).toEqual(keysOf(clean, stream));
  }, 120_000);

  test('a response slower than the timeout is retried', async () => {
    sim.injectFaults('slow', 1, /^\/v1\/segments$/);
    const result = await runConnector('read', {
      config: config(),
      catalog: configuredCatalog(['segments']),
      env: { ...FAST_RETRIES, CIO_TIMEOUT_MS: '500' },
    });
    expect(result.exitCode).toBe(0);
    expect(keysOf(result, 'segments')).toEqual(keysOf(clean, 'segments'));
    const logs = ofType(result.messages, 'LOG').map((message) => message.log.message);
    expect(logs.some((message) => /request timed out on \/v1\/segments; retry 1/.test(message))).toBe(true);
  });

  test('a 429 without Retry-After is taken for the daily quota: a long back-off, said in a LOG', async () => {
    sim.injectFaults('http_429_no_retry_after', 1, /^\/v1\/segments$/);
    const result = await runConnector('read', {
      config: config(),
      catalog: configuredCatalog(['segments']),
      env: FAST_RETRIES,
    });
    expect(result.exitCode).toBe(0);
    const logs = ofType(result.messages, 'LOG').map((message) => message.log.message);
    expect(logs.some((message) => /daily request quota/.test(message))).toBe(true);
    const rateLimited = ofType(result.messages, 'TRACE').filter(
      (message) =>
        message.trace.type === 'STREAM_STATUS' &&
        message.trace.stream_status.reasons?.[0]?.type === 'RATE_LIMITED',
    );
    expect(rateLimited).toHaveLength(1);
  });

  test('a parent that keeps failing ends its stream with INCOMPLETE; its last state resumes without loss', async () => {
    const campaignId = sim.workspace.campaigns[5]?.id;
    const broken = await startSimulator({ requestsPerSecond: null });
    broken.injectFaults('http_503', 1000, new RegExp(`^/v1/campaigns/${campaignId}/messages$`));
    const catalog = configuredCatalog(['campaign_messages', 'segments'], 'incremental');
    const failed = await runConnector('read', {
      config: simulatorConfig(broken, { requests_per_second: 1000 }),
      catalog,
      env: { ...FAST_RETRIES, CIO_MAX_RETRIES: '1', CIO_CHECKPOINT_RECORDS: '1' },
    });
    await broken.close();
    expect(failed.exitCode).toBe(1);
    expect(statusesOf(failed.messages, 'campaign_messages').at(-1)).toBe('INCOMPLETE');
    expect(statusesOf(failed.messages, 'segments').at(-1)).toBe('COMPLETE');
    expect(errorsOf(failed.messages)).toEqual([
      expect.objectContaining({
        failure_type: 'transient_error',
        stream_descriptor: { name: 'campaign_messages' },
      }),
    ]);
    const lastState = statesOf(failed.messages, 'campaign_messages').at(-1)?.state;
    const cursors = (lastState?.stream.stream_state?.created_by_parent ?? {}) as JsonObject;
    expect(cursors[String(campaignId)]).toBeUndefined();
    const through = (lastState?.stream.stream_state?.sweep as JsonObject | undefined)?.through;
    if (through !== undefined) expect(Number(through)).toBeLessThan(Number(campaignId));
    // The next attempt, with the outage over, resumes from that state and completes the picture.
    const resumed = await runConnector('read', {
      config: config(),
      catalog: configuredCatalog(['campaign_messages'], 'incremental'),
      state: lastState ? [{ type: 'STREAM', stream: lastState.stream }] : [],
    });
    const together = new Set([
      // Records after the failed run's last STATE were never committed: they must come again.
      ...recordsOf(committedPart(failed), 'campaign_messages').map(keyOf),
      ...keysOf(resumed, 'campaign_messages'),
    ]);
    for (const key of keysOf(clean, 'campaign_messages')) expect(together.has(key), key).toBe(true);
  });
});

describe('a failed stream', () => {
  test('stops its other requests: nothing of it keeps waiting or retrying once it has failed', async () => {
    // Other campaigns' requests hang for two minutes: only cancellation lets the read end sooner.
    const sim = await startSimulator({ requestsPerSecond: null, slowFaultMs: 120_000 });
    try {
      const [first, ...others] = sim.workspace.campaigns;
      sim.injectFaults('http_500', 1000, new RegExp(`^/v1/campaigns/${first?.id}/actions$`));
      for (const campaign of others) {
        sim.injectFaults('slow', 50, new RegExp(`^/v1/campaigns/${campaign.id}/actions$`));
      }
      const started = Date.now();
      const result = await runConnector('read', {
        config: simulatorConfig(sim, { requests_per_second: 1000 }),
        catalog: configuredCatalog(['campaign_actions', 'segments']),
        env: { CIO_RETRY_BASE_MS: '10', CIO_MAX_RETRIES: '2', CIO_TIMEOUT_MS: '300000' },
      });
      expect(result.exitCode).toBe(1);
      expect(Date.now() - started).toBeLessThan(100_000);
      expect(statusesOf(result.messages, 'segments')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
      const ended = result.lines.findIndex((line) => line.includes('"INCOMPLETE"'));
      const afterwards = result.lines.slice(ended + 2).filter((line) => /\/actions|RATE_LIMITED/.test(line));
      expect(afterwards).toEqual([]);
      // The hanging requests were abandoned by the connector (answered "reset": the client went away).
      const hung = sim.stats.log.filter((entry) => entry.path.endsWith('/actions') && entry.status === 0);
      expect(hung.length).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  }, 150_000);
});

describe('bad input: one line naming the field and the fix, the right failure type and exit code', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ requestsPerSecond: null });
  });
  afterAll(async () => {
    await sim.close();
  });

  test.each([
    ['a missing key', { app_api_key: undefined }, /"app_api_key"/],
    ['an empty key', { app_api_key: '' }, /"app_api_key" is empty/],
    ['an unknown region', { region: 'APAC' }, /"region" must be one of "" \(empty\), US, EU/],
    ['a malformed base_url', { base_url: 'http//nope' }, /"base_url" is not a valid URL/],
    ['plain http to a remote host', { base_url: 'http://example.com' }, /"base_url" uses plain http/],
    ['an invalid start_date', { start_date: '2024-13-45' }, /"start_date"/],
    ['a future start_date', { start_date: '2999-01-01T00:00:00Z' }, /"start_date" .* is in the future/],
    [
      'invalid customers_filter JSON',
      { customers_filter: '{segment: 1}' },
      /"customers_filter" is not valid JSON/,
    ],
    ['a lookback over 180 days', { messages_lookback_days: 365 }, /"messages_lookback_days"/],
  ])('%s', async (_name, overrides, message) => {
    const config: JsonObject = { ...simulatorConfig(sim), ...overrides };
    if (config.app_api_key === undefined) delete config.app_api_key;
    const result = await runConnector('read', { config, catalog: configuredCatalog(['campaigns']) });
    expect(result.exitCode).toBe(1);
    expect(ofType(result.messages, 'RECORD')).toEqual([]);
    const errors = errorsOf(result.messages);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.failure_type).toBe('config_error');
    expect(errors[0]?.message).toMatch(message);
    expect(errors[0]?.message).not.toContain('\n');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('a config that is not JSON', async () => {
    const result = await runConnector('read', {
      config: 'app_api_key=abc',
      catalog: configuredCatalog(['campaigns']),
    });
    expect(result.exitCode).toBe(1);
    expect(errorsOf(result.messages)[0]).toMatchObject({
      failure_type: 'config_error',
      message: expect.stringMatching(/config file .* is not valid JSON/),
    });
  });

  test('a key pasted with whitespace and a newline still works', async () => {
    const result = await runConnector('read', {
      config: { ...simulatorConfig(sim), app_api_key: `\t ${sim.apiKey} \n` },
      catalog: configuredCatalog(['segments']),
    });
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages, 'segments')).toHaveLength(sim.workspace.segments.length);
  });
});

describe('secrets', () => {
  test('the key appears nowhere in the output of runs that fail in every way', async () => {
    const key = 'cio-secret-key-5f1d2e9a7b';
    const sim = await startSimulator({
      apiKey: key,
      requestsPerSecond: null,
      forbiddenPaths: [/^\/v1\/segments$/],
    });
    try {
      sim.injectFaults('http_500', 100, /^\/v1\/broadcasts$/);
      const runs = await Promise.all([
        runConnector('read', {
          config: simulatorConfig(sim),
          catalog: configuredCatalog(['campaigns', 'segments', 'broadcasts']),
          env: { ...FAST_RETRIES, CIO_MAX_RETRIES: '1' },
        }),
        runConnector('check', { config: { ...simulatorConfig(sim), app_api_key: `${key}x` } }),
        runConnector('read', {
          config: { ...simulatorConfig(sim), region: 'MOON' },
          catalog: configuredCatalog(['campaigns']),
        }),
        runConnector('read', {
          config: `{"app_api_key": "${key}", "base_url": `,
          catalog: configuredCatalog(['campaigns']),
        }),
        runConnector('check', {
          config: { app_api_key: key, base_url: 'http://127.0.0.1:9' },
          env: FAST_RETRIES,
        }),
        runConnector('read', { config: simulatorConfig(sim), catalog: configuredCatalog(['nope']) }, [
          '--debug',
        ]),
      ]);
      for (const run of runs) {
        const output = `${run.lines.join('\n')}\n${run.stderr}`;
        expect(output).not.toContain(key);
      }
      expect(runs[0]?.exitCode).toBe(1);
      expect(recordsOf(runs[0]?.messages ?? [], 'campaigns').length).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  });
});

describe('acceptance: full refresh read twice', () => {
  test('returns the same records, with later emitted_at', async () => {
    const sim = await startSimulator({ requestsPerSecond: null });
    try {
      const config = simulatorConfig(sim, { requests_per_second: 1000 });
      const catalog = configuredCatalog(['campaigns', 'segments', 'workspaces']);
      const first = await runConnector('read', { config, catalog });
      const second = await runConnector('read', { config, catalog });
      const emittedAt = (result: RunResult) =>
        ofType(result.messages, 'RECORD').map((message) => message.record.emitted_at);
      expect(Math.max(...emittedAt(first))).toBeLessThan(Math.min(...emittedAt(second)));
      for (const stream of ['campaigns', 'segments', 'workspaces']) {
        expect(recordsOf(second.messages, stream)).toEqual(recordsOf(first.messages, stream));
      }
    } finally {
      await sim.close();
    }
  });
});
