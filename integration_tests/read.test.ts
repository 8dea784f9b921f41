import type { JsonObject } from '@cio-connectors/kit/json';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  configuredCatalog,
  errorsOf,
  FAST_RETRIES,
  ofType,
  protocolProblems,
  type RunResult,
  recordsOf,
  recordValidator,
  runConnector,
  simulatorConfig,
  statesOf,
  statusesOf,
} from './harness.js';
import { allCampaignActions, type Simulator, segmentMembers, startSimulator } from './simulator/index.js';

const STREAMS = ['campaigns', 'campaign_actions', 'broadcasts', 'newsletters', 'segments'] as const;
let sim: Simulator;
let clean: RunResult;
let cleanRequests: Array<{ path: string; status: number }>;

function expectedRecords(simulator: Simulator): Record<(typeof STREAMS)[number], unknown[]> {
  const workspace = simulator.workspace;
  return {
    campaigns: workspace.campaigns,
    campaign_actions: allCampaignActions(workspace),
    broadcasts: workspace.broadcasts,
    newsletters: workspace.newsletters,
    segments: workspace.segments.map((segment) => ({
      ...segment,
      customer_count: segmentMembers(workspace, segment.id).length,
    })),
  };
}

const keyOf = (record: JsonObject) => `${String(record.campaign_id ?? '')}/${String(record.id)}`;
const sortByKey = (records: unknown[]) =>
  [...(records as JsonObject[])].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));

beforeAll(async () => {
  // Not rate limited: these tests are about what is read, not about pacing (resilience.test.ts is).
  sim = await startSimulator({ requestsPerSecond: null });
  clean = await runConnector('read', {
    config: simulatorConfig(sim),
    catalog: configuredCatalog([...STREAMS]),
  });
  cleanRequests = sim.stats.log.map(({ path, status }) => ({ path, status }));
});
afterAll(async () => {
  await sim.close();
});

describe('a full-refresh read of every stream', () => {
  test('exits 0 and every stdout line is a valid Airbyte message', () => {
    expect(clean.exitCode).toBe(0);
    expect(protocolProblems(clean)).toEqual([]);
    expect(errorsOf(clean.messages)).toEqual([]);
  });

  test.each(STREAMS)('%s returns exactly the records the simulator holds', (stream) => {
    const expected = expectedRecords(sim)[stream];
    expect(expected.length).toBeGreaterThan(0);
    expect(sortByKey(recordsOf(clean.messages, stream))).toEqual(sortByKey(expected));
  });

  test.each(STREAMS)(
    '%s records are valid against the stream schema, with no undeclared field',
    async (stream) => {
      const discovered = await runConnector('discover', { config: simulatorConfig(sim) });
      const schema = ofType(discovered.messages, 'CATALOG')[0]?.catalog.streams.find(
        (s) => s.name === stream,
      )?.json_schema;
      const validate = recordValidator(schema as JsonObject);
      for (const record of recordsOf(clean.messages, stream)) {
        expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
      }
    },
  );

  test.each(STREAMS)('%s reports STARTED, RUNNING, COMPLETE and a counted STATE', (stream) => {
    expect(statusesOf(clean.messages, stream)).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    const states = statesOf(clean.messages, stream);
    expect(states).toHaveLength(1);
    expect(states[0]?.state.sourceStats?.recordCount).toBe(recordsOf(clean.messages, stream).length);
    expect(states[0]?.state.stream.stream_state).toEqual({ __ab_no_cursor_state_message: true });
  });

  test('records of a stream come between its STARTED and its STATE, and the STATE before COMPLETE', () => {
    for (const stream of STREAMS) {
      const indexes = (predicate: (message: (typeof clean.messages)[number]) => boolean) =>
        clean.messages.flatMap((message, index) => (predicate(message) ? [index] : []));
      const records = indexes((m) => m.type === 'RECORD' && m.record.stream === stream);
      const [state] = indexes((m) => m.type === 'STATE' && m.state.stream.stream_descriptor.name === stream);
      const statuses = indexes(
        (m) =>
          m.type === 'TRACE' &&
          m.trace.type === 'STREAM_STATUS' &&
          m.trace.stream_status.stream_descriptor.name === stream,
      );
      expect(Math.min(...records)).toBeGreaterThan(statuses[0] ?? Number.POSITIVE_INFINITY);
      expect(Math.max(...records)).toBeLessThan(state ?? -1);
      expect(state).toBeLessThan(statuses.at(-1) ?? -1);
    }
  });

  test('spends exactly one request per page (and one count per segment), reading campaigns once for both campaign streams', () => {
    const actionPages = [...sim.workspace.campaignActions.values()].reduce(
      (pages, actions) => pages + Math.max(1, Math.ceil(actions.length / 10)),
      0,
    );
    const newsletterPages = Math.ceil(sim.workspace.newsletters.length / 100);
    expect(cleanRequests.every((request) => request.status === 200)).toBe(true);
    expect(cleanRequests.filter((request) => request.path === '/v1/campaigns')).toHaveLength(1);
    const segmentCounts = sim.workspace.segments.length;
    expect(cleanRequests).toHaveLength(1 + actionPages + 1 + newsletterPages + 1 + segmentCounts);
  });
});

describe('failures', () => {
  test('a stream the key may not read fails alone: INCOMPLETE, a config_error naming it, exit 1', async () => {
    const restricted = await startSimulator({
      requestsPerSecond: null,
      forbiddenPaths: [/^\/v1\/broadcasts$/],
    });
    try {
      const result = await runConnector('read', {
        config: simulatorConfig(restricted),
        catalog: configuredCatalog([...STREAMS]),
      });
      expect(result.exitCode).toBe(1);
      expect(protocolProblems(result)).toEqual([]);
      expect(statusesOf(result.messages, 'broadcasts')).toEqual(['STARTED', 'INCOMPLETE']);
      expect(statesOf(result.messages, 'broadcasts')).toEqual([]);
      expect(errorsOf(result.messages)).toEqual([
        expect.objectContaining({
          failure_type: 'config_error',
          stream_descriptor: { name: 'broadcasts' },
          message: expect.stringMatching(/broadcasts: .*403.*scope/),
        }),
      ]);
      for (const stream of STREAMS.filter((name) => name !== 'broadcasts')) {
        expect(statusesOf(result.messages, stream).at(-1)).toBe('COMPLETE');
        expect(recordsOf(result.messages, stream)).toHaveLength(expectedRecords(restricted)[stream].length);
      }
    } finally {
      await restricted.close();
    }
  });

  test('transient faults are retried and the read returns exactly the records of a clean read', async () => {
    const faulty = await startSimulator({ requestsPerSecond: null });
    try {
      faulty.injectFaults('http_500', 2, /^\/v1\/campaigns$/);
      faulty.injectFaults('http_502_html', 1, /^\/v1\/segments$/);
      faulty.injectFaults('reset', 2, /\/actions$/);
      faulty.injectFaults('truncated_body', 1, /^\/v1\/newsletters$/);
      faulty.injectFaults('invalid_json', 1, /^\/v1\/broadcasts$/);
      faulty.injectFaults('http_429', 3, /\/actions$/);
      const result = await runConnector('read', {
        config: simulatorConfig(faulty),
        catalog: configuredCatalog([...STREAMS]),
        env: FAST_RETRIES,
      });
      expect(result.exitCode).toBe(0);
      expect(protocolProblems(result)).toEqual([]);
      expect(faulty.stats.faultsInjected).toBe(10);
      for (const stream of STREAMS) {
        expect(sortByKey(recordsOf(result.messages, stream))).toEqual(
          sortByKey(recordsOf(clean.messages, stream)),
        );
      }
      const logs = ofType(result.messages, 'LOG').map((message) => message.log.message);
      expect(logs.some((message) => /HTTP 429 on .*; every request pauses/.test(message))).toBe(true);
      const rateLimited = ofType(result.messages, 'TRACE').filter(
        (message) =>
          message.trace.type === 'STREAM_STATUS' &&
          message.trace.stream_status.reasons?.[0]?.type === 'RATE_LIMITED',
      );
      expect(rateLimited.length).toBeGreaterThan(0);
    } finally {
      await faulty.close();
    }
  });

  test('a persistent failure ends only its stream with a transient_error after bounded retries', async () => {
    const broken = await startSimulator({ requestsPerSecond: null });
    try {
      broken.injectFaults('http_503', 100, /^\/v1\/segments$/);
      const result = await runConnector('read', {
        config: simulatorConfig(broken),
        catalog: configuredCatalog(['segments', 'broadcasts']),
        env: { ...FAST_RETRIES, CIO_MAX_RETRIES: '2' },
      });
      expect(result.exitCode).toBe(1);
      expect(statusesOf(result.messages, 'segments')).toEqual(['STARTED', 'INCOMPLETE']);
      expect(statusesOf(result.messages, 'broadcasts')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
      expect(errorsOf(result.messages)).toEqual([
        expect.objectContaining({ failure_type: 'transient_error', stream_descriptor: { name: 'segments' } }),
      ]);
      expect(broken.stats.log.filter((entry) => entry.path === '/v1/segments')).toHaveLength(3);
    } finally {
      await broken.close();
    }
  });

  test('a wrong key stops the sync at the first stream with one config_error, and never appears in any output', async () => {
    const key = 'wrong-app-api-key-7f3a9c';
    const result = await runConnector('read', {
      config: { ...simulatorConfig(sim), app_api_key: `  ${key}\n` },
      catalog: configuredCatalog(['campaigns', 'campaign_actions']),
    });
    expect(result.exitCode).toBe(1);
    expect(protocolProblems(result)).toEqual([]);
    const errors = errorsOf(result.messages);
    // The key is the whole source's: the second stream is not tried (no request, no error of its own).
    expect(errors.map((error) => error.failure_type)).toEqual(['config_error']);
    expect(statusesOf(result.messages, 'campaign_actions')).toEqual(['STARTED', 'INCOMPLETE']);
    expect(errors[0]?.message).toMatch(/App API key \(not a Track API key\)/);
    expect(result.lines.join('\n') + result.stderr).not.toContain(key);
  });

  test.each([
    ['an unknown stream', configuredCatalog(['__AIRBYTE__stream_that_does_not_exist']), /does not have/],
    [
      'an unsupported sync mode',
      configuredCatalog(['campaigns'], 'INVALID'),
      /stream "campaigns" the sync_mode "INVALID"/,
    ],
    ['a catalog that is not JSON', '{"streams": [', /catalog file .* is not valid JSON/],
  ])('%s is refused before reading with a config_error', async (_name, catalog, message) => {
    const result = await runConnector('read', { config: simulatorConfig(sim), catalog });
    expect(result.exitCode).toBe(1);
    expect(ofType(result.messages, 'RECORD')).toEqual([]);
    expect(errorsOf(result.messages)).toEqual([
      expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(message) }),
    ]);
  });

  test('a malformed state is refused with a config_error', async () => {
    const result = await runConnector('read', {
      config: simulatorConfig(sim),
      catalog: configuredCatalog(['campaigns']),
      state: '{"campaigns": {"updated": 1}}',
    });
    expect(result.exitCode).toBe(1);
    expect(errorsOf(result.messages)[0]).toMatchObject({
      failure_type: 'config_error',
      message: expect.stringMatching(/legacy/),
    });
  });

  test('Airbyte state (a list of STREAM states, including unknown streams) is accepted', async () => {
    const result = await runConnector('read', {
      config: simulatorConfig(sim),
      catalog: configuredCatalog(['segments']),
      state: [
        { type: 'STREAM', stream: { stream_descriptor: { name: 'old_stream' }, stream_state: { x: 1 } } },
      ],
    });
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages, 'segments')).toHaveLength(sim.workspace.segments.length);
  });
});
