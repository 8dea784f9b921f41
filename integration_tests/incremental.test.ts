import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { AirbyteStream, StreamStateMessage } from '@cio-connectors/kit/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  committedPart,
  configuredCatalog,
  errorsOf,
  finalStates,
  ofType,
  protocolProblems,
  ROOT,
  type RunResult,
  recordsOf,
  runConnector,
  simulatorConfig,
  statesOf,
} from './harness.js';
import {
  allPeople,
  deliveriesBetween,
  type Simulator,
  startSimulator,
  WORKSPACE_NOW,
} from './simulator/index.js';

const DAY = 86_400;
const LOOKBACK = 30 * DAY;
const FOREVER = 4_000_000_000;
const nowSeconds = () => Math.floor(Date.now() / 1000);
/** Kill-and-resume tests want a checkpoint at every chance, not the default one per 1000 records. */
const EVERY_CHECKPOINT = { CIO_CHECKPOINT_RECORDS: '1' };
const ids = (records: readonly object[]) => records.map((record) => String((record as JsonObject).id)).sort();

async function discoverIncremental(sim: Simulator): Promise<AirbyteStream[]> {
  const result = await runConnector('discover', { config: simulatorConfig(sim) });
  const streams = ofType(result.messages, 'CATALOG')[0]?.catalog.streams ?? [];
  return streams.filter((stream) => stream.supported_sync_modes.includes('incremental'));
}

describe('incremental streams', () => {
  let sim: Simulator;
  let streams: AirbyteStream[];
  let first: RunResult;
  let second: RunResult;
  let firstStates: StreamStateMessage[];
  let changedAt: number;
  let newDeliveryId: string;
  let newActivityId: string;
  const config = () => simulatorConfig(sim, { requests_per_second: 1000 });

  beforeAll(async () => {
    sim = await startSimulator({ requestsPerSecond: null });
    streams = await discoverIncremental(sim);
    const catalog = configuredCatalog(
      streams.map((stream) => stream.name),
      'incremental',
    );
    first = await runConnector('read', { config: config(), catalog });
    firstStates = finalStates(first.messages);

    // Between the syncs: one record of each kind changes, one delivery and one activity are new.
    const ws = sim.workspace;
    changedAt = nowSeconds();
    const campaign = ws.campaigns[1];
    if (campaign) campaign.updated = changedAt;
    const segment = ws.segments[0];
    if (segment) segment.updated_at = changedAt;
    const action = ws.campaignActions.get(ws.campaigns[0]?.id ?? -1)?.[0];
    if (action) action.updated = changedAt;
    const snippet = ws.snippets[0];
    if (snippet) snippet.updated_at = changedAt;
    const newest = ws.deliveries.at(0);
    newDeliveryId = `${newest.id}NEW`;
    ws.deliveries.append({
      ...newest,
      id: newDeliveryId,
      deduplicate_id: `${newDeliveryId}:${changedAt}`,
      created: changedAt,
    });
    const person = allPeople(ws)[0];
    newActivityId = '01NEWACTIVITY';
    ws.activities.unshift({
      id: newActivityId,
      type: 'event',
      name: 'purchase',
      timestamp: changedAt,
      customer_id: person?.id ?? null,
      customer_identifiers: person ? { cio_id: person.cio_id, email: person.email, id: person.id } : null,
      data: { total: 10 },
    });
    second = await runConnector('read', { config: config(), catalog, state: firstStates });
  }, 240_000);
  afterAll(async () => {
    await sim.close();
  });

  test('34 streams sync incrementally with a source-defined cursor that is in their schema', () => {
    expect(streams).toHaveLength(34);
    for (const stream of streams) {
      expect(stream.source_defined_cursor).toBe(true);
      expect(stream.is_resumable).toBe(true);
      const [cursor] = stream.default_cursor_field ?? [];
      expect((stream.json_schema.properties as JsonObject)[cursor ?? '']).toBeDefined();
    }
  });

  test('both reads succeed, every stream ends with a state, and every line is protocol-valid', () => {
    for (const result of [first, second]) {
      expect(result.exitCode).toBe(0);
      expect(errorsOf(result.messages)).toEqual([]);
      expect(protocolProblems(result)).toEqual([]);
      for (const stream of streams) {
        const states = statesOf(result.messages, stream.name);
        expect(states.length, stream.name).toBeGreaterThan(0);
        const counted = states.reduce(
          (sum, message) => sum + (message.state.sourceStats?.recordCount ?? 0),
          0,
        );
        expect(counted).toBe(recordsOf(result.messages, stream.name).length);
      }
    }
  });

  test('the second read returns what changed, not the history', () => {
    const count = (result: RunResult, stream: string) => recordsOf(result.messages, stream).length;
    expect(ids(recordsOf(second.messages, 'messages'))).toEqual([newDeliveryId]);
    expect(recordsOf(second.messages, 'activities').map((record) => record.id)).toContain(newActivityId);
    expect(recordsOf(second.messages, 'campaigns').map((record) => record.id)).toContain(
      sim.workspace.campaigns[1]?.id,
    );
    expect(recordsOf(second.messages, 'segments').map((record) => record.id)).toContain(
      sim.workspace.segments[0]?.id,
    );
    expect(recordsOf(second.messages, 'snippets').map((record) => record.name)).toContain(
      sim.workspace.snippets[0]?.name,
    );
    expect(
      recordsOf(second.messages, 'campaign_actions').some((record) => record.updated === changedAt),
    ).toBe(true);
    const parentStream = [
      'campaign_messages',
      'broadcast_messages',
      'newsletter_messages',
      'transactional_message_deliveries',
    ];
    expect(parentStream.flatMap((stream) => ids(recordsOf(second.messages, stream)))).toEqual([
      newDeliveryId,
    ]);
    // Metrics are the exception: their lookback re-reads 30 of the 45 days version 1 answers.
    for (const stream of streams.filter((s) => s.default_cursor_field?.[0] !== 'day')) {
      if (count(first, stream.name) > 20) {
        expect(count(second, stream.name), stream.name).toBeLessThan(count(first, stream.name) / 2);
      }
    }
  });

  test('every record of the second read is at or after its stream cursor minus the lookback', () => {
    for (const { stream } of firstStates) {
      const state = stream.stream_state ?? {};
      const [field, value] = Object.entries(state).find(([key]) => key !== 'created_by_parent') ?? [];
      if (field === undefined) continue;
      const lookback = ['created', 'day'].includes(field) ? LOOKBACK : 3600;
      const since = (typeof value === 'string' ? Date.parse(value) / 1000 : Number(value)) - lookback;
      for (const record of recordsOf(second.messages, stream.stream_descriptor.name)) {
        const cursor = record[field];
        const seconds = typeof cursor === 'string' ? Date.parse(cursor) / 1000 : Number(cursor);
        expect(seconds, `${stream.stream_descriptor.name}.${field}`).toBeGreaterThanOrEqual(since);
      }
    }
  });

  test('per-parent delivery streams end with one position for every parent: the state does not grow with them', () => {
    for (const name of ['campaign_messages', 'broadcast_messages', 'newsletter_messages']) {
      const state = firstStates.find((message) => message.stream.stream_descriptor.name === name);
      expect(Object.keys(state?.stream.stream_state ?? {}), name).toEqual(['created']);
      expect(state?.stream.stream_state?.created as number).toBeLessThanOrEqual(nowSeconds());
    }
  });
});

describe('state edge cases', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ requestsPerSecond: null, workspace: { deliveries: 6000 } });
  });
  afterAll(async () => {
    await sim.close();
  });
  const config = (extra: JsonObject = {}) => simulatorConfig(sim, { requests_per_second: 1000, ...extra });

  // As the acceptance tests run it: with secrets/incremental_config.json, whose messages_lookback_days is 0. The
  // far-future cursors are read as the sync's start; what lies within a lookback before it would be emitted.
  test('the far-future state of integration_tests/abnormal_state.json reads nothing, warns, and still emits state', async () => {
    const abnormal = JSON.parse(
      readFileSync(join(ROOT, 'integration_tests', 'abnormal_state.json'), 'utf8'),
    ) as StreamStateMessage[];
    const streams = await discoverIncremental(sim);
    expect(abnormal.map((state) => state.stream.stream_descriptor.name).sort()).toEqual(
      streams.map((s) => s.name).sort(),
    );
    const result = await runConnector('read', {
      config: config({ messages_lookback_days: 0 }),
      catalog: configuredCatalog(
        streams.map((stream) => stream.name),
        'incremental',
      ),
      state: abnormal,
    });
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, 'RECORD')).toEqual([]);
    for (const stream of streams) expect(statesOf(result.messages, stream.name).length).toBeGreaterThan(0);
    const warned = ofType(result.messages, 'LOG').filter((message) =>
      message.log.message.includes(": the saved state's"),
    );
    expect(warned).toHaveLength(streams.length);
  });

  test('a delivery whose metrics change inside the lookback is read again', async () => {
    const ws = sim.workspace;
    const cursor = WORKSPACE_NOW - 5 * DAY;
    const index =
      [...Array(ws.deliveries.length).keys()].find(
        (i) => ws.deliveries.at(i).created < WORKSPACE_NOW - 20 * DAY,
      ) ?? 0;
    const late = ws.deliveries.at(index);
    ws.deliveries.replace(index, { ...late, metrics: { ...late.metrics, converted: WORKSPACE_NOW } });
    const result = await runConnector('read', {
      config: config(),
      catalog: configuredCatalog(['messages'], 'incremental'),
      state: [
        {
          type: 'STREAM',
          stream: { stream_descriptor: { name: 'messages' }, stream_state: { created: cursor } },
        },
      ],
    });
    const records = recordsOf(result.messages, 'messages');
    expect(records.find((record) => record.id === late.id)?.metrics).toMatchObject({
      converted: WORKSPACE_NOW,
    });
    expect(Math.min(...records.map((record) => record.created as number))).toBeGreaterThanOrEqual(
      cursor - LOOKBACK,
    );
    expect(ids(records)).toEqual(ids(deliveriesBetween(ws, cursor + 1 - LOOKBACK, FOREVER)));
  });

  test.each([
    ['incremental', 'messages'],
    ['full_refresh', 'messages'],
    ['incremental', 'campaign_messages'],
    ['full_refresh', 'campaign_messages'],
  ])('a %s read of %s killed midway and resumed from its last state loses nothing', async (mode, stream) => {
    const catalog = configuredCatalog([stream], mode);
    const clean = await runConnector('read', { config: config(), catalog, env: EVERY_CHECKPOINT });
    const cleanIds = new Set(ids(recordsOf(clean.messages, stream)));
    // Killed in the middle of the records, after at least one checkpoint.
    const killAt = clean.lines.findIndex(
      (line, index) => index > clean.lines.length / 2 && line.includes('"type":"RECORD"'),
    );
    expect(killAt).toBeGreaterThan(0);
    const killed = committedPart(
      await runConnector('read', {
        config: config(),
        catalog,
        killAfterLines: killAt + 3,
        env: EVERY_CHECKPOINT,
      }),
    );
    const resumeFrom = finalStates(killed);
    expect(resumeFrom).toHaveLength(1);
    expect(resumeFrom[0]?.stream.stream_state).not.toEqual({ __ab_no_cursor_state_message: true });
    const resumed = await runConnector('read', { config: config(), catalog, state: resumeFrom });
    expect(resumed.exitCode).toBe(0);
    const together = new Set([
      ...ids(recordsOf(killed, stream)),
      ...ids(recordsOf(resumed.messages, stream)),
    ]);
    for (const id of cleanIds) expect(together.has(id), id).toBe(true);
    // What the resumed read reads again lies after the saved cursor minus the lookback (none in full refresh).
    const saved = (
      mode === 'incremental' ? resumeFrom[0]?.stream.stream_state : resumeFrom[0]?.stream.stream_state?.resume
    ) as JsonObject | undefined;
    const reread = mode === 'incremental' ? LOOKBACK : 0;
    const through = (saved?.sweep as JsonObject | undefined)?.through;
    for (const record of recordsOf(resumed.messages, stream)) {
      // Campaigns the killed read finished are not read again; the others resume from their position.
      if (stream === 'campaign_messages' && through !== undefined)
        expect(Number(record.campaign_id)).toBeGreaterThan(Number(through));
      const cursor =
        stream === 'messages'
          ? saved?.created
          : ((saved?.created_by_parent as JsonObject)?.[String(record.campaign_id)] ?? saved?.created);
      if (typeof cursor === 'number') expect(record.created as number).toBeGreaterThan(cursor - reread);
    }
    if (stream === 'messages') expect(recordsOf(resumed.messages, stream).length).toBeLessThan(cleanIds.size);
  });

  test('a daily incremental sync of 400 days of deliveries costs a small fraction of a full read', async () => {
    const big = await startSimulator({ requestsPerSecond: null, workspace: { deliveries: 60_000 } });
    const config = () => simulatorConfig(big, { requests_per_second: 1000 });
    const sim = big;
    const catalog = configuredCatalog(['messages'], 'incremental');
    const before = sim.stats.requests;
    await runConnector('read', { config: config(), catalog });
    const fullRequests = sim.stats.requests - before;
    const yesterday = [
      {
        type: 'STREAM',
        stream: { stream_descriptor: { name: 'messages' }, stream_state: { created: WORKSPACE_NOW - DAY } },
      },
    ];
    const middle = sim.stats.requests;
    await runConnector('read', { config: config(), catalog, state: yesterday });
    const dailyRequests = sim.stats.requests - middle;
    await big.close();
    expect(fullRequests).toBeGreaterThan(60);
    // 30 days of lookback over 400 days of history: about a tenth of the pages, plus a few fixed requests.
    expect(dailyRequests / fullRequests).toBeLessThan(0.2);
  });

  test('activities stop paging at the first page older than the cursor', async () => {
    const busy = await startSimulator({ requestsPerSecond: null, workspace: { activities: 1000 } });
    try {
      const newest = busy.workspace.activities[0]?.timestamp ?? 0;
      const state = [
        {
          type: 'STREAM',
          stream: { stream_descriptor: { name: 'activities' }, stream_state: { timestamp: newest } },
        },
      ];
      const result = await runConnector('read', {
        config: simulatorConfig(busy, { requests_per_second: 1000 }),
        catalog: configuredCatalog(['activities'], 'incremental'),
        state,
      });
      const pages = busy.stats.log.filter((entry) => entry.path === '/v1/activities');
      expect(pages.length).toBeLessThanOrEqual(2);
      const records = recordsOf(result.messages, 'activities');
      expect(records.length).toBeGreaterThan(0);
      expect(records.every((record) => (record.timestamp as number) >= newest - 3600)).toBe(true);
    } finally {
      await busy.close();
    }
  });

  test('an activities state older than the 30-day retention warns that history may be lost', async () => {
    const result = await runConnector('read', {
      config: config(),
      catalog: configuredCatalog(['activities'], 'incremental'),
      state: [
        {
          type: 'STREAM',
          stream: {
            stream_descriptor: { name: 'activities' },
            stream_state: { timestamp: nowSeconds() - 40 * DAY },
          },
        },
      ],
    });
    const warnings = ofType(result.messages, 'LOG').filter((message) => message.log.level === 'WARN');
    expect(warnings.map((message) => message.log.message).join('\n')).toMatch(
      /more than 30 days old .* may be lost/,
    );
  });
});

describe('resumable full refresh', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ requestsPerSecond: null, workspace: { people: 2600 } });
  });
  afterAll(async () => {
    await sim.close();
  });
  const config = () => simulatorConfig(sim, { requests_per_second: 1000 });

  test.each([
    ['customers', 'cio_id'],
    ['segment_membership', 'cio_id'],
  ])('%s checkpoints its progress; killed and resumed, it loses nothing', async (stream, key) => {
    const catalog = configuredCatalog([stream]);
    const clean = await runConnector('read', { config: config(), catalog, env: EVERY_CHECKPOINT });
    const keyOf = (record: JsonObject) => `${String(record.segment_id ?? '')}/${String(record[key])}`;
    const cleanKeys = new Set(recordsOf(clean.messages, stream).map(keyOf));
    const states = statesOf(clean.messages, stream).map((message) => message.state.stream.stream_state);
    expect(states.length).toBeGreaterThan(2);
    expect(states.slice(0, -1).every((state) => state?.resume !== undefined)).toBe(true);
    expect(states.at(-1)).toEqual({ __ab_no_cursor_state_message: true });

    const killAt = clean.lines.findIndex(
      (line, index) => index > clean.lines.length / 2 && line.includes('"type":"RECORD"'),
    );
    const killed = committedPart(
      await runConnector('read', {
        config: config(),
        catalog,
        killAfterLines: killAt,
        env: EVERY_CHECKPOINT,
      }),
    );
    const resumeFrom = finalStates(killed);
    expect(resumeFrom[0]?.stream.stream_state?.resume).toBeDefined();
    const resumed = await runConnector('read', { config: config(), catalog, state: resumeFrom });
    expect(resumed.exitCode).toBe(0);
    const together = new Set(
      [...recordsOf(killed, stream), ...recordsOf(resumed.messages, stream)].map(keyOf),
    );
    for (const cleanKey of cleanKeys) expect(together.has(cleanKey), cleanKey).toBe(true);
    // Search pages go in order, so the resumed customers read skips what was done; segments finish in any order.
    if (stream === 'customers')
      expect(recordsOf(resumed.messages, stream).length).toBeLessThan(cleanKeys.size);
  });
});
