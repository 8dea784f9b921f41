import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  DAY,
  expectSeriesMatch,
  type JsonObject,
  list,
  ok,
  roundTrip,
  seriesOf,
  status,
  v1Days,
  v2Days,
  v2Path,
  withSimulator,
} from './catalog-test-helpers.js';
import { RELATED_OBJECT_COUNT, relatedCioObjectId, relatedObjectId } from './generate-people.js';
import {
  allObjects,
  CURRENT_UTC_DAY,
  dayString,
  EXTRA_SERIES_KEY,
  expectedSeries,
  METRIC_SERIES_KEYS,
  type MetricRef,
  type Simulator,
  seriesKeysFor,
  startSimulator,
  WORKSPACE_NOW,
  type Workspace,
} from './index.js';

const TODAY = dayString(CURRENT_UTC_DAY);

let simulator: Simulator;
let workspace: Workspace;

beforeAll(async () => {
  simulator = await startSimulator({ requestsPerSecond: null });
  workspace = simulator.workspace;
});

afterAll(async () => {
  await simulator.close();
});

function startedCampaign() {
  const campaign = workspace.campaigns.find(
    (candidate) =>
      candidate.first_started > 0 && (workspace.campaignActions.get(candidate.id)?.length ?? 0) > 3,
  );
  if (!campaign) throw new Error('no started campaign with actions');
  return campaign;
}

describe('campaign metrics, version 2', () => {
  it('answers one element per UTC day from day(start) to day(end), oldest first, with ISO echoes', async () => {
    const campaign = startedCampaign();
    const start = (CURRENT_UTC_DAY - 10) * DAY + 23 * 3_600; // 23:00 UTC ten days ago
    const body = await ok(simulator, v2Path(`/v1/campaigns/${campaign.id}/metrics`, start, WORKSPACE_NOW));
    expect(body.start).toBe(new Date(start * 1000).toISOString().replace('.000Z', 'Z'));
    expect(body.end).toBe('2026-09-21T14:13:20Z');
    expect(body.res).toBe('days');
    const series = seriesOf(body);
    expect(Object.keys(series)).toEqual([...METRIC_SERIES_KEYS]);
    const days = v2Days(start, WORKSPACE_NOW);
    expect(days).toHaveLength(11);
    expect(days.at(-1)).toBe(TODAY);
    expectSeriesMatch(workspace, { kind: 'campaign', campaignId: campaign.id }, series, days);
    expect(Math.max(...(series.sent ?? []))).toBeGreaterThan(0);
    const future = seriesOf(
      await ok(
        simulator,
        v2Path(`/v1/campaigns/${campaign.id}/metrics`, WORKSPACE_NOW + DAY, WORKSPACE_NOW + 5 * DAY),
      ),
    );
    expect(
      Object.values(future)
        .flat()
        .every((count) => count === 0),
    ).toBe(true);
  });

  it('reports the same number for a day whatever the window, in v1 too', async () => {
    const campaign = startedCampaign();
    const path = `/v1/campaigns/${campaign.id}/metrics`;
    const day = CURRENT_UTC_DAY - 3;
    const narrow = seriesOf(await ok(simulator, v2Path(path, day * DAY + 500, day * DAY + 600)));
    const wide = seriesOf(
      await ok(simulator, v2Path(path, (day - 30) * DAY, (day + 5) * DAY - 1, '&tz=UTC')),
    );
    const v1 = seriesOf(await ok(simulator, `${path}?period=days&steps=10`));
    for (const key of METRIC_SERIES_KEYS) {
      expect(narrow[key]).toHaveLength(1);
      expect(wide[key]?.[30]).toBe(narrow[key]?.[0]);
      expect(v1[key]?.[6]).toBe(narrow[key]?.[0]);
    }
    expect(
      expectedSeries(
        workspace,
        { kind: 'campaign', campaignId: campaign.id },
        dayString(day),
        dayString(day),
      ),
    ).toEqual(narrow);
  });

  it('counts nothing before a campaign started, and nothing for a never-started one', async () => {
    const campaign = startedCampaign();
    const firstDay = Math.floor(campaign.first_started / DAY);
    const series = seriesOf(
      await ok(
        simulator,
        v2Path(`/v1/campaigns/${campaign.id}/metrics`, (firstDay - 5) * DAY, (firstDay + 20) * DAY),
      ),
    );
    expect(series.created?.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(series.created?.slice(5).some((count) => count > 0)).toBe(true);
    const draft = workspace.campaigns.find((candidate) => candidate.first_started === 0);
    const idle = seriesOf(
      await ok(
        simulator,
        v2Path(`/v1/campaigns/${draft?.id}/metrics`, WORKSPACE_NOW - 40 * DAY, WORKSPACE_NOW),
      ),
    );
    expect(
      Object.values(idle)
        .flat()
        .every((count) => count === 0),
    ).toBe(true);
  });

  it('serves action metrics with the channel series of the action', async () => {
    const campaign = startedCampaign();
    const actions = workspace.campaignActions.get(campaign.id) ?? [];
    const start = WORKSPACE_NOW - 6 * DAY;
    for (const action of actions) {
      const path = `/v1/campaigns/${campaign.id}/actions/${action.id}/metrics`;
      const series = seriesOf(await ok(simulator, v2Path(path, start, WORKSPACE_NOW)));
      expect(Object.keys(series)).toEqual(seriesKeysFor(action.type));
      const ref: MetricRef = { kind: 'campaign_action', campaignId: campaign.id, actionId: action.id };
      expectSeriesMatch(workspace, ref, series, v2Days(start, WORKSPACE_NOW));
    }
    expect(seriesKeysFor('webhook')).not.toContain('prefetch_opened');
    expect(seriesKeysFor('twilio')).toContain(EXTRA_SERIES_KEY);
    const other = workspace.campaigns.find((candidate) => candidate.id !== campaign.id);
    const foreign = (workspace.campaignActions.get(other?.id ?? 0) ?? [])[0];
    const base = `/v1/campaigns/${campaign.id}/actions`;
    expect(await status(simulator, v2Path(`${base}/999999/metrics`, start, WORKSPACE_NOW))).toBe(404);
    if (foreign)
      expect(await status(simulator, v2Path(`${base}/${foreign.id}/metrics`, start, WORKSPACE_NOW))).toBe(
        404,
      );
    expect(await status(simulator, v2Path(`${base}/abc/metrics`, start, WORKSPACE_NOW))).toBe(400);
  });

  it('rejects malformed or unsupported parameters with 400 and unknown campaigns with 404', async () => {
    const path = `/v1/campaigns/${startedCampaign().id}/metrics`;
    const now = WORKSPACE_NOW;
    const bad = [
      `${path}?version=2&start=${now - DAY}&end=${now}`,
      `${path}?version=2&res=fortnights&start=${now - DAY}&end=${now}`,
      `${path}?version=2&res=weeks&start=${now - DAY}&end=${now}`,
      `${path}?version=2&res=hourly&start=${now - DAY}&end=${now}`,
      `${path}?version=2&res=days&end=${now}`,
      `${path}?version=2&res=days&start=abc&end=${now}`,
      v2Path(path, now, now - DAY),
      v2Path(path, now - 3_654 * DAY, now),
      v2Path(path, now - DAY, now, '&tz=Europe/Berlin'),
      v2Path(path, now - DAY, now, '&type=carrier_pigeon'),
    ];
    for (const request of bad) expect(await status(simulator, request), request).toBe(400);
    expect(await status(simulator, v2Path(path, now - 3_650 * DAY, now))).toBe(200);
    expect(await status(simulator, v2Path('/v1/campaigns/999999/metrics', now - DAY, now))).toBe(404);
    expect(await status(simulator, v2Path('/v1/campaigns/x1/metrics', now - DAY, now))).toBe(400);
    const v1 = await ok(simulator, `${path}?period=days&steps=3`);
    expect(Object.keys(v1)).toEqual(['metric']);
  });
});

describe('version-1 metrics (period/steps)', () => {
  function refs(): [string, MetricRef][] {
    const broadcast = workspace.broadcasts.find(
      (candidate) =>
        candidate.first_started > 0 &&
        workspace.broadcastActions.get(candidate.id)?.some((action) => action.sending_state === 'automatic'),
    );
    const action = workspace.broadcastActions
      .get(broadcast?.id ?? 0)
      ?.find((a) => a.sending_state === 'automatic');
    const newsletter = [...workspace.newsletters]
      .filter((candidate) => candidate.sent_at !== null)
      .sort((a, b) => (b.sent_at ?? 0) - (a.sent_at ?? 0))[0];
    const transactional = workspace.transactionalMessages[0];
    if (!broadcast || !action || !newsletter || !transactional) throw new Error('missing metric subjects');
    return [
      [`/v1/broadcasts/${broadcast.id}/metrics`, { kind: 'broadcast', broadcastId: broadcast.id }],
      [
        `/v1/broadcasts/${broadcast.id}/actions/${action.id}/metrics`,
        { kind: 'broadcast_action', broadcastId: broadcast.id, actionId: action.id },
      ],
      [`/v1/newsletters/${newsletter.id}/metrics`, { kind: 'newsletter', newsletterId: newsletter.id }],
      [
        `/v1/transactional/${transactional.id}/metrics`,
        { kind: 'transactional', transactionalId: transactional.id },
      ],
    ];
  }

  it('answers `steps` days ending with the current UTC day', async () => {
    for (const [path, ref] of refs()) {
      const series = seriesOf(await ok(simulator, `${path}?period=days&steps=12`));
      expectSeriesMatch(workspace, ref, series, v1Days(12));
      expect(
        Object.values(series)
          .flat()
          .some((count) => count > 0),
        path,
      ).toBe(true);
    }
  });

  it('answers 2 days for steps=1 and 45 for steps=0 or none, as documented', async () => {
    const [path] = refs()[0] ?? [''];
    for (const [query, length] of [
      ['?period=days&steps=1', 2],
      ['?period=days&steps=2', 2],
      ['?period=days&steps=0', 45],
      ['?steps=45', 45],
      ['', 45],
    ] as const) {
      const series = seriesOf(await ok(simulator, `${path}${query}`));
      expect(series.sent, query).toHaveLength(length);
    }
  });

  it('rejects bad periods and steps, and unknown parents', async () => {
    const [[broadcastPath]] = refs() as [[string, MetricRef]];
    for (const query of [
      '?period=days&steps=46',
      '?period=weeks&steps=2',
      '?period=fortnight',
      '?steps=-1',
      '?steps=x',
    ]) {
      expect(await status(simulator, `${broadcastPath}${query}`), query).toBe(400);
    }
    for (const path of [
      '/v1/broadcasts/999999/metrics',
      '/v1/broadcasts/999999/actions/1/metrics',
      `/v1/broadcasts/${workspace.broadcasts[0]?.id}/actions/999999/metrics`,
      '/v1/newsletters/999999/metrics',
      '/v1/transactional/999999/metrics',
    ]) {
      expect(await status(simulator, path), path).toBe(404);
    }
    expect(await status(simulator, '/v1/newsletters/abc/metrics')).toBe(400);
  });
});

describe('broadcast children', () => {
  it('lists one action per entry of the broadcast, ids as strings, broadcast_id on some only', async () => {
    const actions: JsonObject[] = [];
    for (const broadcast of workspace.broadcasts) {
      const served = list(await ok(simulator, `/v1/broadcasts/${broadcast.id}/actions`), 'actions');
      expect(Object.keys(await ok(simulator, `/v1/broadcasts/${broadcast.id}/actions`))).toEqual(['actions']);
      expect(served.map((action) => action.id)).toEqual(broadcast.actions.map((ref) => String(ref.id)));
      expect(served.map((action) => action.type)).toEqual(broadcast.actions.map((ref) => ref.type));
      for (const action of served)
        if ('broadcast_id' in action) expect(action.broadcast_id).toBe(broadcast.id);
      actions.push(...served);
    }
    expect(actions.some((action) => 'broadcast_id' in action)).toBe(true);
    expect(actions.some((action) => !('broadcast_id' in action))).toBe(true);
  });

  it('lists triggers, none for some broadcasts', async () => {
    const counts: number[] = [];
    for (const broadcast of workspace.broadcasts) {
      const triggers = list(await ok(simulator, `/v1/broadcasts/${broadcast.id}/triggers`), 'triggers');
      expect(triggers).toEqual(roundTrip(workspace.broadcastTriggers.get(broadcast.id)));
      for (const trigger of triggers) expect(trigger.broadcast_id).toBe(broadcast.id);
      counts.push(triggers.length);
    }
    expect(counts).toContain(0);
    expect(Math.max(...counts)).toBeGreaterThan(1);
  });

  it('answers 404 for unknown broadcasts and 400 for malformed ids', async () => {
    for (const child of ['actions', 'triggers']) {
      expect(await status(simulator, `/v1/broadcasts/999999/${child}`)).toBe(404);
      expect(await status(simulator, `/v1/broadcasts/zero/${child}`)).toBe(400);
    }
  });
});

describe('newsletter children', () => {
  it('lists one variant per content id, and test groups for A/B tested newsletters only', async () => {
    let abTested = 0;
    let multiLanguage = 0;
    for (const newsletter of workspace.newsletters) {
      const contents = list(await ok(simulator, `/v1/newsletters/${newsletter.id}/contents`), 'contents');
      expect(contents.map((content) => content.id)).toEqual(newsletter.content_ids);
      for (const content of contents) {
        expect(content.newsletter_id).toBe(newsletter.id);
        expect(typeof content.updated).toBe('number');
      }
      const groups = list(await ok(simulator, `/v1/newsletters/${newsletter.id}/test_groups`), 'test_groups');
      if (groups.length > 0) {
        abTested += 1;
        expect(groups.flatMap((group) => group.content_ids as number[])).toEqual(newsletter.content_ids);
        expect(groups.map((group) => group.name)).toEqual(['A', 'B', 'C'].slice(0, groups.length));
        expect(groups.filter((group) => group.winner === true).length).toBe(
          newsletter.send_state === 'sent' ? 1 : 0,
        );
      }
      if (new Set(contents.map((content) => content.language)).size > 1) multiLanguage += 1;
    }
    expect(abTested).toBeGreaterThan(0);
    expect(multiLanguage).toBeGreaterThan(0);
    expect(abTested + multiLanguage).toBeLessThan(workspace.newsletters.length);
  });

  it('answers 404 for unknown newsletters', async () => {
    for (const child of ['contents', 'test_groups']) {
      expect(await status(simulator, `/v1/newsletters/999999/${child}`)).toBe(404);
      expect(await status(simulator, `/v1/newsletters/-1/${child}`)).toBe(400);
    }
  });
});

describe('objects', () => {
  const exists = (typeId: string) => ({
    object_type_id: typeId,
    filter: { and: [{ object_attribute: { field: 'object_id', operator: 'exists', type_id: typeId } }] },
  });

  async function searchAll(body: unknown, limit: number): Promise<JsonObject[][]> {
    const pages: JsonObject[][] = [];
    let start = '';
    do {
      const query = new URLSearchParams({ limit: String(limit), ...(start ? { start } : {}) });
      const page = await ok(simulator, `/v1/objects?${query}`, body);
      const identifiers = list(page, 'identifiers');
      expect(page.ids).toEqual(identifiers.map((identifier) => identifier.object_id));
      pages.push(identifiers);
      start = page.next as string;
    } while (start !== '' && pages.length < 100);
    return pages;
  }

  it('lists object types with string ids', async () => {
    const types = list(await ok(simulator, '/v1/object_types'), 'types');
    expect(types.map((type) => type.id)).toEqual(['1', '2', '3']);
    expect(types.some((type) => type.enabled === false)).toBe(true);
  });

  it('pages through every object of a type, and type 1 holds the accounts people relate to', async () => {
    const pages = await searchAll(exists('1'), 5);
    const expected = allObjects(workspace, '1');
    expect(pages.map((page) => page.length)).toEqual([5, 5, 2]);
    expect(pages.flat()).toEqual(expected.map((object) => object.identifiers));
    for (let index = 0; index < RELATED_OBJECT_COUNT; index++) {
      expect(pages.flat()).toContainEqual({
        object_id: relatedObjectId(index),
        cio_object_id: relatedCioObjectId(relatedObjectId(index)),
      });
    }
    const related = workspace.people.flatMap((person) => person.relationships);
    expect(related.length).toBeGreaterThan(0);
    for (const relation of related) {
      expect(expected.map((object) => object.identifiers)).toContainEqual({
        object_id: relation.object_id,
        cio_object_id: relation.cio_object_id,
      });
    }
    expect((await searchAll(exists('2'), 100)).flat()).toHaveLength(allObjects(workspace, '2').length);
    expect(await searchAll(exists('3'), 100)).toEqual([[]]);
    expect(await searchAll(exists('9'), 100)).toEqual([[]]);
  });

  it('filters with eq, or and not', async () => {
    const accounts = allObjects(workspace, '1');
    const eq = (field: string, value: string) => ({
      object_attribute: { field, operator: 'eq', type_id: '1', value },
    });
    const search = async (filter: unknown) =>
      (await searchAll({ object_type_id: 1, filter }, 1000)).flat().map((identifier) => identifier.object_id);
    const pro = accounts
      .filter((object) => object.attributes.plan === 'pro')
      .map((o) => o.identifiers.object_id);
    expect(await search(eq('plan', 'pro'))).toEqual(pro);
    expect(await search({ not: eq('plan', 'pro') })).toHaveLength(accounts.length - pro.length);
    expect(
      await search({
        or: [eq('object_id', 'acct_002'), eq('cio_object_id', relatedCioObjectId('acct_004'))],
      }),
    ).toEqual(['acct_002', 'acct_004']);
  });

  it('rejects malformed searches', async () => {
    const condition = { field: 'plan', operator: 'eq', type_id: '1', value: 'pro' };
    const bodies: unknown[] = [
      undefined,
      { filter: { object_attribute: condition } },
      { object_type_id: '1' },
      { object_type_id: '1', filter: { object_attribute: { ...condition, type_id: '2' } } },
      { object_type_id: '1', filter: { object_attribute: { ...condition, operator: 'gt' } } },
      { object_type_id: '1', filter: { object_attribute: { field: 'plan', operator: 'eq', type_id: '1' } } },
      { object_type_id: '1', filter: { and: condition } },
      { object_type_id: '1', filter: { and: [], or: [] } },
      { object_type_id: '1', filter: { attribute: condition } },
    ];
    for (const body of bodies) {
      const reply = await call(simulator, '/v1/objects', body ?? '');
      expect(reply.status, JSON.stringify(body)).toBe(400);
    }
    expect(await status(simulator, '/v1/objects?start=nope', exists('1'))).toBe(400);
    expect(await status(simulator, '/v1/objects')).toBe(405);
  });

  it('serves attributes by object_id or cio_object_id', async () => {
    for (const object of allObjects(workspace)) {
      const { object_id, cio_object_id } = object.identifiers;
      const byId = await ok(simulator, `/v1/objects/${object.object_type_id}/${object_id}/attributes`);
      expect(byId).toEqual({ object: roundTrip(object) });
      const byCio = await ok(
        simulator,
        `/v1/objects/${object.object_type_id}/${cio_object_id}/attributes?id_type=cio_object_id`,
      );
      expect(byCio).toEqual(byId);
    }
    expect(await status(simulator, '/v1/objects/1/acct_999/attributes')).toBe(404);
    expect(await status(simulator, '/v1/objects/2/acct_001/attributes')).toBe(404);
    expect(await status(simulator, '/v1/objects/1/acct_001/attributes?id_type=email')).toBe(400);
    expect(await status(simulator, '/v1/objects/one/acct_001/attributes')).toBe(400);
  });
});

describe('reference data and suppressions', () => {
  it('serves each list under its envelope key', async () => {
    const expectations: [string, string, unknown][] = [
      ['/v1/exports', 'exports', workspace.exports],
      ['/v1/collections', 'collections', workspace.collections],
      ['/v1/snippets', 'snippets', workspace.snippets],
      ['/v1/subscription_topics', 'topics', workspace.subscriptionTopics],
      ['/v1/subscription_channels', 'channels', workspace.subscriptionChannels],
      ['/v1/reporting_webhooks', 'reporting_webhooks', workspace.reportingWebhooks],
    ];
    for (const [path, key, expected] of expectations) {
      const body = await ok(simulator, path);
      expect(Object.keys(body)).toEqual([key]);
      expect(body[key]).toEqual(roundTrip(expected));
      expect(list(body, key).length).toBeGreaterThan(0);
    }
    expect(workspace.snippets.some((snippet) => snippet.value.includes('{{'))).toBe(true);
    expect(workspace.reportingWebhooks.some((hook) => new URL(hook.endpoint).password !== '')).toBe(true);
    expect(new Set(workspace.exports.map((item) => item.status))).toEqual(
      new Set(['done', 'pending', 'failed']),
    );
  });

  it('pages suppressions by offset, with null past the end and for empty types', async () => {
    const bounces = workspace.espSuppressions.bounces;
    expect(bounces).toHaveLength(12);
    const pages: unknown[] = [];
    for (let offset = 0; offset <= bounces.length; offset += 5) {
      const body = await ok(simulator, `/v1/esp/suppression/bounces?limit=5&offset=${offset}`);
      expect(Object.keys(body)).toEqual(['category', 'suppressions']);
      expect(body.category).toBe('bounces');
      pages.push(body.suppressions);
    }
    expect(pages.map((page) => (Array.isArray(page) ? page.length : page))).toEqual([5, 5, 2]);
    expect(pages.flat()).toEqual(roundTrip(bounces));
    const past = await ok(simulator, '/v1/esp/suppression/bounces?limit=5&offset=15');
    expect(past.suppressions).toBeNull();
    expect((await ok(simulator, '/v1/esp/suppression/invalid_emails')).suppressions).toBeNull();
    expect(list(await ok(simulator, '/v1/esp/suppression/bounces?limit=5000'), 'suppressions')).toHaveLength(
      12,
    );
    expect(list(await ok(simulator, '/v1/esp/suppression/blocks'), 'suppressions')).toHaveLength(4);
    expect((await ok(simulator, '/v1/esp/suppression/spam_reports')).category).toBe('spam');
    expect((await ok(simulator, '/v1/esp/suppression/bounces?domain=other.example')).suppressions).toBeNull();
    for (const path of ['unsubscribes', 'bounces?limit=0', 'bounces?offset=-1', 'bounces?limit=ten']) {
      expect(await status(simulator, `/v1/esp/suppression/${path}`), path).toBe(400);
    }
  });

  it('defaults the suppression limit to 100 and caps it at 1000', async () => {
    await withSimulator({ requestsPerSecond: null, workspace: { suppressions: 1_200 } }, async (large) => {
      const page = async (query: string) =>
        list(await ok(large, `/v1/esp/suppression/bounces${query}`), 'suppressions').length;
      expect(await page('')).toBe(100);
      expect(await page('?limit=5000')).toBe(1000);
      expect(await page('?limit=1000&offset=1000')).toBe(200);
    });
  });
});
