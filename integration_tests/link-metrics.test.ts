import type { JsonObject } from '@cio-connectors/kit/json';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  configuredCatalog,
  errorsOf,
  finalStates,
  type RunResult,
  recordsOf,
  runConnector,
  simulatorConfig,
  statusesOf,
} from './harness.js';
import {
  expectedLinkRecords,
  expectedMonthlyRecords,
  LINK_METRIC_STREAMS,
  MONTHLY_METRIC_STREAMS,
  sortedRecords,
} from './metric-expectations.js';
import { type Simulator, startSimulator } from './simulator/index.js';

let sim: Simulator;
let full: RunResult;
const config = () => simulatorConfig(sim, { requests_per_second: 1000 });
const requestsTo = (pattern: RegExp) => sim.stats.log.filter((entry) => pattern.test(entry.path));

async function simulatorGet(path: string): Promise<{ status: number; body: JsonObject }> {
  const response = await fetch(`${sim.url}${path}`, { headers: { Authorization: `Bearer ${sim.apiKey}` } });
  return { status: response.status, body: (await response.json()) as JsonObject };
}

beforeAll(async () => {
  sim = await startSimulator({ requestsPerSecond: null });
  full = await runConnector('read', {
    config: config(),
    catalog: configuredCatalog([...LINK_METRIC_STREAMS, ...MONTHLY_METRIC_STREAMS]),
  });
}, 120_000);
afterAll(async () => {
  await sim.close();
});

describe('link metrics streams', () => {
  test('read every stream to COMPLETE without an error', () => {
    expect(full.exitCode).toBe(0);
    expect(errorsOf(full.messages)).toEqual([]);
    for (const stream of [...LINK_METRIC_STREAMS, ...MONTHLY_METRIC_STREAMS]) {
      expect(statusesOf(full.messages, stream), stream).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    }
  });

  test.each(LINK_METRIC_STREAMS)('%s holds each link’s clicks for each of the last 45 days', (stream) => {
    const expected = expectedLinkRecords(sim.workspace, stream);
    expect(expected.length).toBeGreaterThan(0);
    expect(sortedRecords(recordsOf(full.messages, stream))).toEqual(sortedRecords(expected));
  });

  test('ask version-1 daily series of every click (unique=false), one request per parent', () => {
    const linkRequests = requestsTo(/\/metrics\/links$/);
    expect(linkRequests.length).toBeGreaterThan(0);
    for (const entry of linkRequests) {
      expect(entry.query).toEqual({ period: 'days', steps: '45', unique: 'false' });
    }
    const variantRequests = requestsTo(/^\/v1\/newsletters\/\d+\/contents\/\d+\/metrics\/links$/);
    expect(variantRequests).toHaveLength([...sim.workspace.newsletterContents.values()].flat().length);
  });

  test('an incremental sync keeps its cursor on day and re-reads only the lookback', async () => {
    const catalog = configuredCatalog(['broadcast_link_metrics'], 'incremental');
    const first = await runConnector('read', { config: config(), catalog });
    expect(first.exitCode).toBe(0);
    const lastDay = recordsOf(first.messages, 'broadcast_link_metrics')
      .map((record) => String(record.day))
      .sort()
      .at(-1);
    const states = finalStates(first.messages);
    expect(states[0]?.stream.stream_state).toMatchObject({ day: lastDay });
    const next = await runConnector('read', {
      config: simulatorConfig(sim, { requests_per_second: 1000, messages_lookback_days: 0 }),
      catalog,
      state: states,
    });
    expect(next.exitCode).toBe(0);
    const again = recordsOf(next.messages, 'broadcast_link_metrics');
    expect(again.length).toBeGreaterThan(0);
    expect(new Set(again.map((record) => record.day))).toEqual(new Set([lastDay]));
  });
});

describe('monthly metrics streams (the history beyond 45 days)', () => {
  test.each(MONTHLY_METRIC_STREAMS)(
    '%s holds each month of the last 120 since the parent’s creation',
    (stream) => {
      const expected = expectedMonthlyRecords(sim.workspace, stream);
      expect(expected.length).toBeGreaterThan(0);
      expect(sortedRecords(recordsOf(full.messages, stream))).toEqual(sortedRecords(expected));
    },
  );

  test('reach back further than the daily series: months older than 45 days have sends', () => {
    const old = recordsOf(full.messages, 'broadcast_metrics_monthly').filter(
      (record) => String(record.month) < '2026-08' && Number(record.created ?? 0) > 0,
    );
    expect(old.length).toBeGreaterThan(0);
  });

  test('ask period=months with 120 steps (valid under the current and the 2024 spec)', () => {
    const monthly = sim.stats.log.filter((entry) => entry.query.period === 'months');
    expect(monthly.length).toBeGreaterThan(0);
    expect(new Set(monthly.map((entry) => entry.query.steps))).toEqual(new Set(['120']));
  });
});

describe('the simulator’s link and monthly metrics', () => {
  test('answer the documented shape, and unique clicks never exceed every click', async () => {
    const broadcast = sim.workspace.broadcasts[0]?.id;
    const all = await simulatorGet(`/v1/broadcasts/${broadcast}/metrics/links?period=days&steps=10`);
    const unique = await simulatorGet(
      `/v1/broadcasts/${broadcast}/metrics/links?period=days&steps=10&unique=true`,
    );
    expect(all.status).toBe(200);
    const links = all.body.links as Array<{ link: JsonObject; metric: { series: Record<string, number[]> } }>;
    const uniqueLinks = unique.body.links as typeof links;
    expect(links.length).toBeGreaterThan(0);
    links.forEach(({ link, metric }, index) => {
      expect(Object.keys(link).sort()).toEqual(['href', 'id']);
      expect(metric.series.clicked).toHaveLength(10);
      metric.series.clicked?.forEach((count, day) => {
        expect(uniqueLinks[index]?.metric.series.clicked?.[day]).toBeLessThanOrEqual(count);
      });
    });
  });

  test.each([
    ['/v1/broadcasts/{b}/metrics?period=months&steps=122', 400],
    ['/v1/broadcasts/{b}/metrics?period=months&steps=121', 200],
    ['/v1/broadcasts/{b}/metrics/links?period=days&steps=46', 400],
    ['/v1/broadcasts/{b}/metrics/links?unique=maybe', 400],
    ['/v1/broadcasts/999999/metrics/links', 404],
    ['/v1/newsletters/{n}/contents/999999/metrics/links', 404],
  ])('%s answers %i', async (template, status) => {
    const path = template
      .replace('{b}', String(sim.workspace.broadcasts[0]?.id))
      .replace('{n}', String(sim.workspace.newsletters[0]?.id));
    expect((await simulatorGet(path)).status).toBe(status);
  });
});
