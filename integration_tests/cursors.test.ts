import type { JsonObject } from '@cio-connectors/kit/json';
import type { AirbyteMessage, StreamStateMessage } from '@cio-connectors/kit/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import {
  committedPart,
  configuredCatalog,
  errorsOf,
  FAST_RETRIES,
  finalStates,
  ofType,
  protocolProblems,
  recordsOf,
  runConnector,
  simulatorConfig,
  statesOf,
  statusesOf,
} from './harness.js';
import {
  type Activity,
  allPeople,
  generateWorkspace,
  personDeliveries,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
  WORKSPACE_NOW,
  type Workspace,
} from './simulator/index.js';

const HOUR = 3600;
const DAY = 86_400;
const FOREVER = 4_000_000_000;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const ids = (records: readonly { id?: unknown }[]) => records.map((record) => String(record.id)).sort();

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator({ requestsPerSecond: null, ...options });
  return sim;
}

function read(
  target: Simulator,
  streams: string[],
  mode: string,
  state?: StreamStateMessage[],
  extra: JsonObject = {},
) {
  return runConnector('read', {
    config: simulatorConfig(target, { requests_per_second: 1000, ...extra }),
    catalog: configuredCatalog(streams, mode),
    env: FAST_RETRIES,
    ...(state === undefined ? {} : { state }),
  });
}

function activity(ws: Workspace, id: string, timestamp: number, cioId?: string): Activity {
  const person = cioId === undefined ? allPeople(ws)[0] : allPeople(ws).find((p) => p.cio_id === cioId);
  return {
    id,
    type: 'event',
    name: 'purchase',
    timestamp,
    customer_id: person?.id ?? null,
    customer_identifiers: person ? { cio_id: person.cio_id, email: person.email, id: person.id } : null,
    data: { total: 1 },
  };
}

function warnings(messages: AirbyteMessage[]): string[] {
  return ofType(messages, 'LOG')
    .filter((message) => message.log.level === 'WARN')
    .map((message) => message.log.message);
}

describe('no cursor is saved past the sync start', () => {
  test('a future-dated activity is emitted, but the activities that follow it are not skipped', async () => {
    const target = await simulator();
    const ws = target.workspace;
    ws.activities.unshift(activity(ws, '01FUTURE', nowSeconds() + DAY));
    const first = await read(target, ['activities'], 'incremental');
    const firstEnded = nowSeconds();
    expect(first.exitCode).toBe(0);
    expect(ids(recordsOf(first.messages, 'activities'))).toContain('01FUTURE');
    const saved = statesOf(first.messages, 'activities').at(-1)?.state.stream.stream_state as JsonObject;
    expect(saved.timestamp as number).toBeLessThanOrEqual(firstEnded);
    expect(warnings(first.messages).filter((text) => /later than the sync's start/.test(text))).toHaveLength(
      1,
    );

    // Three activities arrive after the first sync, dated now: older than the future-dated one.
    const arrived = nowSeconds();
    const fresh = ['01FRESH1', '01FRESH2', '01FRESH3'];
    ws.activities.splice(1, 0, ...fresh.map((id) => activity(ws, id, arrived)));
    const second = await read(target, ['activities'], 'incremental', finalStates(first.messages));
    expect(second.exitCode).toBe(0);
    expect(ids(recordsOf(second.messages, 'activities'))).toEqual(expect.arrayContaining(fresh));
  });

  test('customer_activities: activity a person gets after being read, while later people are read, comes next sync', async () => {
    let syncStart = 0;
    const seen: string[] = [];
    let late: { early: string; lateId: string } | undefined;
    const target = await simulator({
      onRequest: ({ path }) => {
        const cioId = /^\/v1\/customers\/([^/]+)\/activities$/.exec(path)?.[1];
        if (cioId === undefined || syncStart === 0 || seen.includes(cioId)) return;
        seen.push(cioId);
        if (seen.length !== 5 || late !== undefined) return;
        // Hours into a long sync: the person read now has an activity from just now, and the first person
        // read has since had one too, dated between the sync's start and now.
        const [early = ''] = seen;
        const ws = target.workspace;
        ws.activities.unshift(activity(ws, '01LATEFORFIRST', syncStart + HOUR, early));
        ws.activities.unshift(activity(ws, '01RECENTFORFIFTH', syncStart + 3 * HOUR, cioId));
        late = { early, lateId: '01LATEFORFIRST' };
      },
    });
    syncStart = nowSeconds();
    const perPerson = { per_person_method: 'per_person' };
    const first = await read(target, ['customer_activities'], 'incremental', undefined, perPerson);
    expect(first.exitCode).toBe(0);
    expect(late).toBeDefined();
    const firstIds = ids(recordsOf(first.messages, 'customer_activities'));
    expect(firstIds).toContain('01RECENTFORFIFTH');
    expect(firstIds).not.toContain('01LATEFORFIRST');

    const second = await read(
      target,
      ['customer_activities'],
      'incremental',
      finalStates(first.messages),
      perPerson,
    );
    expect(second.exitCode).toBe(0);
    expect(ids(recordsOf(second.messages, 'customer_activities'))).toContain('01LATEFORFIRST');
  });

  test('with future-dated records in every client-side list, no stream saves a cursor beyond the sync', async () => {
    const target = await simulator();
    const ws = target.workspace;
    const future = nowSeconds() + 30 * DAY;
    const [campaign] = ws.campaigns;
    if (campaign) campaign.updated = future;
    const [segment] = ws.segments;
    if (segment) segment.updated_at = future;
    const [snippet] = ws.snippets;
    if (snippet) snippet.updated_at = future;
    ws.activities.unshift(activity(ws, '01FUTURE', future));
    const streams = ['campaigns', 'segments', 'snippets', 'activities', 'messages', 'campaign_messages'];
    const result = await read(target, streams, 'incremental');
    const ended = nowSeconds();
    expect(result.exitCode).toBe(0);
    for (const state of finalStates(result.messages)) {
      const numbers = JSON.stringify(state.stream.stream_state).match(/\d{9,}/g) ?? [];
      for (const value of numbers)
        expect(Number(value), state.stream.stream_descriptor.name).toBeLessThanOrEqual(ended);
    }
  });
});

test('customer_messages keeps the deliveries of deleted campaigns, broadcasts, newsletters and transactional messages', async () => {
  const target = await simulator();
  const ws = target.workspace;
  const people = allPeople(ws);
  const expected = ids(people.flatMap((person) => personDeliveries(ws, person, 0, FOREVER)));
  // One recent campaign, broadcast, newsletter and transactional message survive; the rest were deleted.
  const recent = WORKSPACE_NOW - 10 * DAY;
  const survivor = <T extends object>(items: T[]): T[] =>
    items.slice(0, 1).map((item) => ({ ...item, created: recent, created_at: recent, updated: recent }));
  ws.campaigns = survivor(ws.campaigns);
  ws.broadcasts = survivor(ws.broadcasts);
  ws.newsletters = survivor(ws.newsletters);
  ws.transactionalMessages = survivor(ws.transactionalMessages);
  expect(expected.length).toBeGreaterThan(100);
  const result = await read(target, ['customer_messages'], 'full_refresh');
  expect(result.exitCode).toBe(0);
  expect(ids(recordsOf(result.messages, 'customer_messages'))).toEqual(expected);
});

describe('a child endpoint that answers 404', () => {
  test('for every parent fails the stream, naming the endpoint, instead of completing empty', async () => {
    const target = await simulator({ notFoundPaths: [/^\/v1\/campaigns\/\d+\/actions$/] });
    const result = await read(target, ['campaign_actions', 'segments'], 'full_refresh');
    expect(result.exitCode).toBe(1);
    expect(protocolProblems(result)).toEqual([]);
    expect(statusesOf(result.messages, 'campaign_actions').at(-1)).toBe('INCOMPLETE');
    expect(statusesOf(result.messages, 'segments').at(-1)).toBe('COMPLETE');
    const campaigns = target.workspace.campaigns.length;
    expect(errorsOf(result.messages)).toEqual([
      expect.objectContaining({
        failure_type: 'system_error',
        message: expect.stringContaining(
          `404 for ${campaigns} of ${campaigns} campaigns at /v1/campaigns/{id}/actions`,
        ),
      }),
    ]);
    // A few warnings, not one per parent.
    expect(warnings(result.messages).length).toBeLessThanOrEqual(5);
  });

  test('for one parent (deleted during the sync) is skipped with a warning; the stream completes', async () => {
    const workspace = generateWorkspace();
    const gone = workspace.campaigns[0]?.id;
    const target = await simulator({
      workspace,
      notFoundPaths: [new RegExp(`^/v1/campaigns/${gone}/actions$`)],
    });
    const result = await read(target, ['campaign_actions'], 'full_refresh');
    expect(result.exitCode).toBe(0);
    expect(statusesOf(result.messages, 'campaign_actions').at(-1)).toBe('COMPLETE');
    expect(warnings(result.messages)).toEqual([
      expect.stringMatching(new RegExp(`campaigns /v1/campaigns/${gone}/actions answered 404`)),
    ]);
    const records = recordsOf(result.messages, 'campaign_actions');
    expect(records.some((record) => record.campaign_id === gone)).toBe(false);
    expect(records.length).toBeGreaterThan(0);
  });
});

test('a parent stream that failed is not read again by each child: they fail at once with its error', async () => {
  const target = await simulator();
  target.injectFaults('http_500', 1000, /^\/v1\/campaigns$/);
  const children = ['campaign_actions', 'campaign_metrics', 'campaign_messages'];
  const result = await read(target, ['campaigns', ...children], 'full_refresh');
  expect(result.exitCode).toBe(1);
  const campaignListReads = target.stats.log.filter((entry) => entry.path === '/v1/campaigns').length;
  expect(campaignListReads).toBe(1 + Number(FAST_RETRIES.CIO_MAX_RETRIES));
  for (const child of children) {
    expect(statusesOf(result.messages, child)).toEqual(['STARTED', 'INCOMPLETE']);
    const [error] = errorsOf(result.messages).filter((e) => e.stream_descriptor?.name === child);
    expect(error?.message).toMatch(/parent stream campaigns failed earlier in this sync/);
    expect(error?.failure_type).toBe('transient_error');
  }
});

describe('per-person streams read per person checkpoint their progress through the people', () => {
  const EVERY_CHECKPOINT = { ...FAST_RETRIES, CIO_CHECKPOINT_RECORDS: '1' };
  const personRequests = (target: Simulator) =>
    target.stats.log.filter((entry) => /^\/v1\/customers\/[^/]+\/\w+$/.test(entry.path)).length;
  const keyOf = (record: JsonObject) => `${String(record.cio_id)}/${String(record.id)}`;

  test.each([
    ['customer_segments', 'full_refresh'],
    ['customer_activities', 'incremental'],
    ['customer_messages', 'incremental'],
  ])(
    '%s (%s) killed halfway resumes with the next person: no loss, at most 60 percent of the requests again',
    async (stream, mode) => {
      const target = await simulator({ workspace: { people: 600, activities: 1200, deliveries: 1800 } });
      // Deliveries span the last 400 days: a start_date there keeps customer_messages to three windows a person.
      const startDate = new Date((WORKSPACE_NOW - 410 * DAY) * 1000).toISOString();
      const run = (extra: { killWhen?: (line: string) => boolean; state?: StreamStateMessage[] } = {}) =>
        runConnector('read', {
          config: simulatorConfig(target, {
            requests_per_second: 1000,
            start_date: startDate,
            per_person_method: 'per_person',
          }),
          catalog: configuredCatalog([stream], mode),
          env: EVERY_CHECKPOINT,
          ...extra,
        });
      const clean = await run();
      expect(clean.exitCode).toBe(0);
      const cleanKeys = new Set(recordsOf(clean.messages, stream).map(keyOf));
      const cleanRequests = personRequests(target);
      // Killed at the first checkpoint at which half of the people (in search order) are done.
      const order = allPeople(target.workspace).map((person) => person.cio_id);
      const halfDone = (line: string): boolean => {
        if (!line.includes('"type":"STATE"')) return false;
        const state =
          (JSON.parse(line) as AirbyteMessage & { type: 'STATE' }).state.stream.stream_state ?? {};
        const people = (state.people ?? (state.resume as JsonObject | undefined)?.people) as
          | JsonObject
          | undefined;
        return order.indexOf(String(people?.after)) >= order.length / 2;
      };

      target.resetStats();
      const killed = committedPart(await run({ killWhen: halfDone }));
      const resumeFrom = finalStates(killed);
      const progress = (
        mode === 'incremental'
          ? resumeFrom[0]?.stream.stream_state?.people
          : (resumeFrom[0]?.stream.stream_state?.resume as JsonObject | undefined)?.people
      ) as JsonObject | undefined;
      expect(progress?.after).toBeDefined();
      // When the killed attempt's sweep began, as it saved it: the resumed sweep keeps it as its bound.
      const sweepStart = progress?.started;
      expect(typeof sweepStart).toBe('number');

      target.resetStats();
      const resumed = await run({ state: resumeFrom });
      expect(resumed.exitCode).toBe(0);
      expect(personRequests(target)).toBeLessThanOrEqual(0.6 * cleanRequests);
      const together = new Set(
        [...recordsOf(killed, stream), ...recordsOf(resumed.messages, stream)].map(keyOf),
      );
      for (const key of cleanKeys) expect(together.has(key), key).toBe(true);
      const final = statesOf(resumed.messages, stream).at(-1)?.state.stream.stream_state as JsonObject;
      if (mode === 'full_refresh') expect(final).toEqual({ __ab_no_cursor_state_message: true });
      else {
        // The people read by the killed attempt were read as of its start: the cursor stays there.
        expect(Object.keys(final)).not.toContain('people');
        const cursor = Object.values(final).find((value) => typeof value === 'number') as number | undefined;
        if (cursor !== undefined) expect(cursor).toBeLessThanOrEqual(sweepStart as number);
        // Windows end at the sweep's start exactly; the activities cursor is the newest activity, not later.
        if (stream === 'customer_messages') expect(cursor).toBe(sweepStart);
      }
    },
    120_000,
  );
});

test('per-parent checkpoints do not grow with the parents finished, even checkpointing at every chance', async () => {
  const target = await simulator({ workspace: { newsletters: 400, deliveries: 4000 } });
  const result = await runConnector('read', {
    config: simulatorConfig(target, { requests_per_second: 1000 }),
    catalog: configuredCatalog(['newsletter_messages'], 'incremental'),
    env: { ...FAST_RETRIES, CIO_CHECKPOINT_RECORDS: '1' },
  });
  expect(result.exitCode).toBe(0);
  const states = statesOf(result.messages, 'newsletter_messages').map((message) =>
    JSON.stringify(message.state.stream.stream_state),
  );
  expect(states.length).toBeGreaterThan(50);
  // A position per finished newsletter would take 400 × ~17 bytes; only those in progress are named.
  for (const state of states) expect(state.length).toBeLessThan(3000);
  expect(JSON.parse(states.at(-1) ?? '{}')).toEqual({ created: expect.any(Number) });
});

test('esp_suppressions is full refresh only: offset pages shift when a suppression is lifted mid-read', async () => {
  const target = await simulator();
  const result = await runConnector('discover', { config: simulatorConfig(target) });
  const stream = ofType(result.messages, 'CATALOG')[0]?.catalog.streams.find(
    (candidate) => candidate.name === 'esp_suppressions',
  );
  expect(stream?.supported_sync_modes).toEqual(['full_refresh']);
  expect(stream?.source_defined_cursor).toBeUndefined();
});
