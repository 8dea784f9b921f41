// End-to-end: opt-outs, consent activities, campaign journey metrics, subscription preferences, broadcast
// trigger errors, segment sizes and private sk_ keys, against the simulator.

import type { JsonObject } from '@cio-connectors/kit/json';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  configuredCatalog,
  errorsOf,
  finalStates,
  ofType,
  protocolProblems,
  recordsOf,
  runConnector,
  simulatorConfig,
  statusesOf,
} from './harness.js';
import {
  activitiesFor,
  allPeople,
  journeySeries,
  type Simulator,
  segmentMembers,
  startSimulator,
  subscriptionPreferencesOf,
  triggerErrorsOf,
  WORKSPACE_NOW,
} from './simulator/index.js';

const DAY = 86_400;
let sim: Simulator;
const fast = (extra: JsonObject = {}) => simulatorConfig(sim, { requests_per_second: 1000, ...extra });
const ids = (records: readonly object[]) => records.map((record) => String((record as JsonObject).id)).sort();

beforeAll(async () => {
  sim = await startSimulator({ requestsPerSecond: null });
});
afterAll(async () => {
  await sim.close();
});

const logs = (result: { messages: Parameters<typeof ofType>[0] }) =>
  ofType(result.messages, 'LOG').map((message) => message.log.message);

describe('optouts', () => {
  test('reads every opted-out person with their senders and channels, in pages of 1000', async () => {
    const result = await runConnector('read', { config: fast(), catalog: configuredCatalog(['optouts']) });
    expect(result.exitCode).toBe(0);
    expect(protocolProblems(result)).toEqual([]);
    expect(recordsOf(result.messages, 'optouts')).toEqual(JSON.parse(JSON.stringify(sim.workspace.optouts)));
    expect(
      sim.stats.log.filter((entry) => entry.path === '/v1/optouts').map((entry) => entry.query.limit),
    ).toEqual(['1000']);
  });
});

describe('consent activities', () => {
  test('activity_types opted_out reads the consent activities of that action only, opted_in and consent too', async () => {
    const only = await runConnector('read', {
      config: fast({ activity_types: ['opted_out'] }),
      catalog: configuredCatalog(['activities']),
    });
    expect(only.exitCode).toBe(0);
    const optedOut = activitiesFor(sim.workspace, { type: 'consent', name: 'opted_out' });
    expect(optedOut.length).toBeGreaterThan(0);
    expect(ids(recordsOf(only.messages, 'activities'))).toEqual(ids(optedOut));

    const all = await runConnector('read', {
      config: fast({ activity_types: ['opted_in', 'consent', 'opted_out'] }),
      catalog: configuredCatalog(['activities']),
    });
    expect(all.exitCode).toBe(0);
    expect(ids(recordsOf(all.messages, 'activities'))).toEqual(
      ids(activitiesFor(sim.workspace, { type: 'consent' })),
    );
  });
});

describe('campaign_journey_metrics', () => {
  test('one record per campaign per day since its creation, read in windows of 45 days', async () => {
    const before = sim.stats.log.length;
    const result = await runConnector('read', {
      config: fast(),
      catalog: configuredCatalog(['campaign_journey_metrics']),
    });
    expect(result.exitCode).toBe(0);
    expect(errorsOf(result.messages)).toEqual([]);
    const records = recordsOf(result.messages, 'campaign_journey_metrics');
    const requests = sim.stats.log.slice(before).filter((entry) => entry.path.endsWith('/journey_metrics'));
    for (const entry of requests) {
      expect(entry.query.resolution).toBe('daily');
      expect(Number(entry.query.end) - Number(entry.query.start)).toBeLessThan(45 * DAY);
    }
    for (const campaign of sim.workspace.campaigns) {
      const own = records.filter((record) => record.campaign_id === campaign.id);
      const firstDay = Math.floor(campaign.created / DAY);
      const lastDay = Math.floor(WORKSPACE_NOW / DAY);
      expect(own.length, `campaign ${campaign.id}`).toBeGreaterThanOrEqual(lastDay - firstDay + 1);
      const series = journeySeries(campaign, firstDay, firstDay + own.length - 1);
      own.forEach((record, index) => {
        expect(record.day).toBe(new Date((firstDay + index) * DAY * 1000).toISOString().slice(0, 10));
        expect(record.started).toBe(series.started[index]);
        expect(record.converted).toBe(series.converted[index]);
      });
    }
    const keys = records.map((record) => `${record.campaign_id}:${record.day}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('an incremental sync re-reads the lookback only; an answer cut short fails the stream', async () => {
    const first = await runConnector('read', {
      config: fast({ messages_lookback_days: 3 }),
      catalog: configuredCatalog(['campaign_journey_metrics'], 'incremental'),
    });
    expect(first.exitCode).toBe(0);
    const again = await runConnector('read', {
      config: fast({ messages_lookback_days: 3 }),
      catalog: configuredCatalog(['campaign_journey_metrics'], 'incremental'),
      state: finalStates(first.messages),
    });
    expect(again.exitCode).toBe(0);
    const days = new Set(recordsOf(again.messages, 'campaign_journey_metrics').map((record) => record.day));
    expect(days.size).toBeGreaterThan(0);
    expect(days.size).toBeLessThanOrEqual(5);

    const campaign = sim.workspace.campaigns[0];
    const short = await startSimulator({
      requestsPerSecond: null,
      // A server that answers one day whatever the window asked for.
      onRequest: ({ path, query }) => {
        if (path === `/v1/campaigns/${campaign?.id}/journey_metrics`)
          query.set('end', query.get('start') ?? '');
      },
    });
    try {
      const failed = await runConnector('read', {
        config: simulatorConfig(short, { requests_per_second: 1000 }),
        catalog: configuredCatalog(['campaign_journey_metrics']),
      });
      expect(statusesOf(failed.messages, 'campaign_journey_metrics').at(-1)).toBe('INCOMPLETE');
      expect(errorsOf(failed.messages)[0]?.message).toMatch(
        /with 1 counts in journey_metric\.\w+; stopping rather than putting counts on the wrong days/,
      );
    } finally {
      await short.close();
    }
  });
});

describe('customer_subscription_preferences', () => {
  test.each([
    ['bulk (the default): the attribute joined with the topics; one person asked, for the header', {}, 1],
    ['per_person: one request each', { per_person_method: 'per_person' }, undefined],
  ])('one record per person matching customers_filter, %s', async (_name, method, asked) => {
    const segment = sim.workspace.segments.find((s) => segmentMembers(sim.workspace, s.id).length >= 2);
    const members = segmentMembers(sim.workspace, segment?.id ?? 0);
    const before = sim.stats.log.length;
    const result = await runConnector('read', {
      config: fast({ customers_filter: JSON.stringify({ segment: { id: segment?.id } }), ...method }),
      catalog: configuredCatalog(['customer_subscription_preferences']),
    });
    expect(result.exitCode).toBe(0);
    const records = recordsOf(result.messages, 'customer_subscription_preferences');
    expect(records).toEqual(
      expect.arrayContaining(
        members.map((person) => ({
          cio_id: person.cio_id,
          ...JSON.parse(JSON.stringify(subscriptionPreferencesOf(sim.workspace, person))),
        })),
      ),
    );
    expect(records).toHaveLength(members.length);
    const log = sim.stats.log.slice(before);
    const lookups = log.filter((entry) => entry.path.endsWith('/subscription_preferences'));
    expect(lookups).toHaveLength(asked ?? members.length);
    expect(new Set(lookups.map((entry) => entry.query.id_type))).toEqual(new Set(['cio_id']));
    expect(log.filter((entry) => entry.path === '/v1/subscription_topics')).toHaveLength(
      asked === undefined ? 0 : 1,
    );
    expect(allPeople(sim.workspace).length).toBeGreaterThan(members.length);
  });
});

describe('broadcast_trigger_errors', () => {
  test('every error of every trigger, across integer-offset pages, with its position and line', async () => {
    const before = sim.stats.log.length;
    const result = await runConnector('read', {
      config: fast(),
      catalog: configuredCatalog(['broadcast_trigger_errors']),
    });
    expect(result.exitCode).toBe(0);
    expect(errorsOf(result.messages)).toEqual([]);
    const expected = sim.workspace.broadcasts.flatMap((broadcast) =>
      (sim.workspace.broadcastTriggers.get(broadcast.id) ?? []).flatMap((trigger) =>
        (triggerErrorsOf(sim.workspace).get(trigger.id) ?? []).map((error, index) => ({
          broadcast_id: broadcast.id,
          trigger_id: trigger.id,
          index,
          line: Number(/^line (\d+)/.exec(error)?.[1]),
          error,
        })),
      ),
    );
    expect(expected.length).toBeGreaterThan(10);
    expect(recordsOf(result.messages, 'broadcast_trigger_errors')).toEqual(expect.arrayContaining(expected));
    expect(recordsOf(result.messages, 'broadcast_trigger_errors')).toHaveLength(expected.length);
    // An explicit page size, not the API's undocumented default.
    const pages = sim.stats.log.slice(before).filter((entry) => entry.path.endsWith('/errors'));
    expect(pages.length).toBeGreaterThan(0);
    for (const page of pages) expect(page.query.limit).toBe('100');
  });
});

describe('segments', () => {
  test('each segment carries its customer_count, one count request per segment emitted', async () => {
    const before = sim.stats.log.length;
    const result = await runConnector('read', { config: fast(), catalog: configuredCatalog(['segments']) });
    expect(result.exitCode).toBe(0);
    const counts = Object.fromEntries(
      recordsOf(result.messages, 'segments').map((segment) => [segment.id, segment.customer_count]),
    );
    expect(counts).toEqual(
      Object.fromEntries(
        sim.workspace.segments.map((s) => [s.id, segmentMembers(sim.workspace, s.id).length]),
      ),
    );
    const countRequests = sim.stats.log
      .slice(before)
      .filter((entry) => entry.path.endsWith('/customer_count'));
    expect(countRequests).toHaveLength(sim.workspace.segments.length);
  });

  test('segments read only as the parent of segment_usage cost no count request', async () => {
    const before = sim.stats.log.length;
    const result = await runConnector('read', {
      config: fast(),
      catalog: configuredCatalog(['segment_usage']),
    });
    expect(result.exitCode).toBe(0);
    expect(sim.stats.log.slice(before).filter((entry) => entry.path.endsWith('/customer_count'))).toEqual([]);
  });
});

describe('private sk_ keys', () => {
  test('check accepts a private key; warns when "region" disagrees with the key, never printing it', async () => {
    const keyed = await startSimulator({ requestsPerSecond: null, apiKey: 'sk_eu_0123456789abcdef' });
    try {
      const agreeing = await runConnector('check', { config: simulatorConfig(keyed) });
      expect(ofType(agreeing.messages, 'CONNECTION_STATUS')[0]?.connectionStatus).toEqual({
        status: 'SUCCEEDED',
      });

      const disagreeing = await runConnector('check', { config: simulatorConfig(keyed, { region: 'US' }) });
      const status = ofType(disagreeing.messages, 'CONNECTION_STATUS')[0]?.connectionStatus;
      expect(status?.status).toBe('SUCCEEDED');
      expect(status?.message).toMatch(/"region" is US but the private key is an EU key/);
      expect(logs(disagreeing)).toEqual(
        expect.arrayContaining([expect.stringMatching(/"region" is US but the private key is an EU key/)]),
      );
      expect(disagreeing.lines.join('\n')).not.toContain('0123456789abcdef');

      const read = await runConnector('read', {
        config: simulatorConfig(keyed, { region: 'US' }),
        catalog: configuredCatalog(['workspaces']),
      });
      expect(read.exitCode).toBe(0);
      expect(logs(read)).toEqual(expect.arrayContaining([expect.stringMatching(/private key is an EU key/)]));
    } finally {
      await keyed.close();
    }
  });

  test('a public pk_ key is refused before any request', async () => {
    const before = sim.stats.log.length;
    const result = await runConnector('check', {
      config: simulatorConfig(sim, { app_api_key: 'pk_eu_abc' }),
    });
    expect(ofType(result.messages, 'CONNECTION_STATUS')[0]?.connectionStatus).toEqual({
      status: 'FAILED',
      message: expect.stringMatching(/is a public key \(pk_\.\.\.\), which cannot read data/),
    });
    expect(sim.stats.log.length).toBe(before);
  });
});
