// The simulator's opt-outs, consent activities, journey metrics, subscription preferences, broadcast trigger
// errors and segment counts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, DAY, list, ok, status } from './catalog-test-helpers.js';
import {
  activitiesFor,
  allPeople,
  JOURNEY_METRIC_KEYS,
  MAX_JOURNEY_WINDOW_DAYS,
  MAX_OPTOUTS_LIMIT,
  type Simulator,
  segmentMembers,
  startSimulator,
  subscriptionPreferencesOf,
  triggerErrorsOf,
  WORKSPACE_NOW,
  type Workspace,
} from './index.js';

let simulator: Simulator;
let workspace: Workspace;

beforeAll(async () => {
  simulator = await startSimulator({ requestsPerSecond: null });
  workspace = simulator.workspace;
});
afterAll(async () => {
  await simulator.close();
});

describe('GET /v1/optouts', () => {
  it('lists the opted-out people page by page, each with their senders and channels', async () => {
    const served: unknown[] = [];
    let start = '';
    do {
      const body = await ok(
        simulator,
        `/v1/optouts?limit=4${start ? `&start=${encodeURIComponent(start)}` : ''}`,
      );
      const page = list(body, 'optouts');
      expect(page.length).toBeLessThanOrEqual(4);
      served.push(...page);
      start = body.next as string;
    } while (start !== '');
    expect(served).toEqual(JSON.parse(JSON.stringify(workspace.optouts)));
    expect(workspace.optouts.length).toBeGreaterThan(4);
    const channels = workspace.optouts.flatMap((entry) => entry.optouts.map((optout) => optout.channel));
    expect(new Set(channels)).toEqual(new Set(['sms', 'whatsapp']));
  });

  it('keeps the people opted out of one sender with `from`; limit is clamped to 1000; bad tokens are 400', async () => {
    const sender = workspace.optouts[0]?.optouts[0]?.from ?? '';
    const body = await ok(
      simulator,
      `/v1/optouts?limit=${MAX_OPTOUTS_LIMIT + 5}&from=${encodeURIComponent(sender)}`,
    );
    const page = list(body, 'optouts');
    expect(page.length).toBeGreaterThan(0);
    for (const entry of page) {
      expect((entry.optouts as Array<{ from: string }>).every((optout) => optout.from === sender)).toBe(true);
    }
    expect(await status(simulator, '/v1/optouts?start=bogus')).toBe(400);
  });
});

describe('consent activities', () => {
  it('are activities of type consent named opted_in or opted_out, filtered by type and name', async () => {
    const consent = activitiesFor(workspace, { type: 'consent' });
    expect(new Set(consent.map((activity) => activity.name))).toEqual(new Set(['opted_in', 'opted_out']));
    expect(consent.filter((activity) => activity.name === 'opted_out')).toHaveLength(
      workspace.optouts.flatMap((entry) => entry.optouts).length,
    );
    const body = await ok(simulator, '/v1/activities?type=consent&name=opted_in&limit=100');
    const served = list(body, 'activities');
    expect(served.length).toBeGreaterThan(0);
    expect(served.every((activity) => activity.type === 'consent' && activity.name === 'opted_in')).toBe(
      true,
    );
    expect(served[0]?.data).toEqual({ channel: expect.any(String), from: expect.any(String) });
  });
});

describe('GET /v1/campaigns/{id}/journey_metrics', () => {
  const started = () => workspace.campaigns.find((campaign) => campaign.first_started > 0);

  it('answers one count per day of the window for each journey metric', async () => {
    const campaign = started();
    const end = WORKSPACE_NOW;
    const start = end - 9 * DAY;
    const body = await ok(
      simulator,
      `/v1/campaigns/${campaign?.id}/journey_metrics?start=${start}&end=${end}&resolution=daily`,
    );
    const series = body.journey_metric as Record<string, number[]>;
    expect(Object.keys(series).sort()).toEqual([...JOURNEY_METRIC_KEYS].sort());
    for (const values of Object.values(series)) expect(values).toHaveLength(10);
    series.started?.forEach((count, day) => {
      expect(series.activated?.[day]).toBeLessThanOrEqual(count);
      expect((series.activated?.[day] ?? 0) + (series.never_activated?.[day] ?? 0)).toBe(count);
    });
  });

  it('requires start, end and resolution, refuses start after end and windows over the assumed limit', async () => {
    const base = `/v1/campaigns/${started()?.id}/journey_metrics`;
    const end = WORKSPACE_NOW;
    expect(await status(simulator, `${base}?start=${end}&end=${end}`)).toBe(400);
    expect(await status(simulator, `${base}?end=${end}&resolution=days`)).toBe(400);
    expect(await status(simulator, `${base}?start=${end}&end=${end - DAY}&resolution=days`)).toBe(400);
    expect(await status(simulator, `${base}?start=${end}&end=${end}&resolution=fortnightly`)).toBe(400);
    const tooLong = end - MAX_JOURNEY_WINDOW_DAYS * DAY;
    expect(await status(simulator, `${base}?start=${tooLong}&end=${end}&resolution=days`)).toBe(400);
    expect(
      await status(simulator, `/v1/campaigns/999999/journey_metrics?start=1&end=2&resolution=days`),
    ).toBe(404);
  });
});

describe('GET /v1/customers/{id}/subscription_preferences', () => {
  it("answers each workspace topic with the person's choice, or the topic's default", async () => {
    const people = allPeople(workspace);
    const withChoice = people.find((person) => person.attributes.cio_subscription_preferences !== undefined);
    const withoutChoice = people.find(
      (person) => person.attributes.cio_subscription_preferences === undefined,
    );
    if (withChoice === undefined || withoutChoice === undefined)
      throw new Error('the workspace lacks a case');
    for (const person of [withChoice, withoutChoice]) {
      const body = await ok(
        simulator,
        `/v1/customers/${person?.cio_id}/subscription_preferences?id_type=cio_id`,
      );
      expect(body.customer).toEqual(JSON.parse(JSON.stringify(subscriptionPreferencesOf(workspace, person))));
    }
    const defaults = subscriptionPreferencesOf(workspace, withoutChoice).topics.map(
      (topic) => topic.subscribed,
    );
    expect(defaults).toEqual(workspace.subscriptionTopics.map((topic) => topic.subscribed_by_default));
    expect(await status(simulator, '/v1/customers/nobody/subscription_preferences?id_type=cio_id')).toBe(404);
  });
});

describe('GET /v1/campaigns/{broadcast_id}/triggers/{trigger_id}/errors', () => {
  it('pages each trigger’s errors by integer offset, with next 0 on the last page', async () => {
    const errors = triggerErrorsOf(workspace);
    const pagesSeen: number[] = [];
    for (const broadcast of workspace.broadcasts) {
      for (const trigger of workspace.broadcastTriggers.get(broadcast.id) ?? []) {
        const served: unknown[] = [];
        let start = 0;
        let pages = 0;
        do {
          const body = await ok(
            simulator,
            `/v1/campaigns/${broadcast.id}/triggers/${trigger.id}/errors?start=${start}&limit=100`,
          );
          served.push(...list(body, 'errors'));
          start = body.next as number;
          pages += 1;
        } while (start !== 0);
        expect(served).toEqual(errors.get(trigger.id) ?? []);
        pagesSeen.push(pages);
      }
    }
    expect(Math.max(...pagesSeen)).toBeGreaterThan(1);
    expect([...errors.values()].some((list) => list.length === 0)).toBe(true);
  });

  it('answers 404 for a trigger of another broadcast and 400 for malformed ids', async () => {
    const [first, second] = workspace.broadcasts.filter(
      (b) => (workspace.broadcastTriggers.get(b.id) ?? []).length > 0,
    );
    const trigger = workspace.broadcastTriggers.get(first?.id ?? 0)?.[0];
    if (second !== undefined) {
      expect(await status(simulator, `/v1/campaigns/${second.id}/triggers/${trigger?.id}/errors`)).toBe(404);
    }
    expect(await status(simulator, `/v1/campaigns/${first?.id}/triggers/x/errors`)).toBe(400);
    expect(
      (await call(simulator, `/v1/campaigns/${first?.id}/triggers/${trigger?.id}/errors?start=-1`)).status,
    ).toBe(400);
  });
});

describe('GET /v1/segments/{id}/customer_count', () => {
  it("counts the segment's members", async () => {
    for (const segment of workspace.segments) {
      const body = await ok(simulator, `/v1/segments/${segment.id}/customer_count`);
      expect(body).toEqual({ count: segmentMembers(workspace, segment.id).length, segment_id: segment.id });
    }
    expect(await status(simulator, '/v1/segments/999999/customer_count')).toBe(404);
  });
});
