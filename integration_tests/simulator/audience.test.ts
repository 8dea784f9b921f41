import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  items,
  type JsonObject,
  okBody,
  readAll,
  readPages,
  request,
  roundTrip,
} from './audience-test-helpers.js';
import {
  activitiesFor,
  allCampaignActions,
  allPeople,
  customerAttributesItem,
  type DeliveryParentKind,
  deliveriesBetween,
  EMPTY_SEGMENT_INDEX,
  generateWorkspace,
  MESSAGES_MAX_SPAN_SECONDS,
  type MessageDelivery,
  parentDeliveries,
  parsePeopleFilter,
  personDeliveries,
  personRelationships,
  personSegments,
  RELATED_OBJECT_COUNT,
  relatedObjectId,
  type Simulator,
  segmentMembers,
  segmentUsage,
  startSimulator,
  WORKSPACE_NOW,
  type Workspace,
} from './index.js';

const DAY = 86_400;
const NOW = WORKSPACE_NOW;
const EVERYONE = { filter: { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] } };

let simulator: Simulator;
let ws: Workspace;

beforeAll(async () => {
  simulator = await startSimulator({ requestsPerSecond: null });
  ws = simulator.workspace;
});

afterAll(async () => {
  await simulator.close();
});

const cioIdsOf = (records: readonly JsonObject[]) => records.map((record) => record.cio_id);
const idsOf = (records: readonly object[]) => records.map((record) => (record as { id?: unknown }).id);

describe('generated people, deliveries and activities', () => {
  it('have the default sizes and the live quirks', () => {
    expect(ws.people).toHaveLength(60);
    expect(ws.deliveries.length).toBe(400);
    expect(ws.transactionalMessages).toHaveLength(4);
    expect(ws.activities.length).toBeGreaterThanOrEqual(150);
    const live = allPeople(ws);
    expect(live.some((person) => person.id === null && person.email !== null)).toBe(true);
    expect(live.some((person) => person.email === null && person.id !== null)).toBe(true);
    expect(ws.people.some((person) => person.deleted)).toBe(true);
    expect(live.some((person) => person.devices.length === 2)).toBe(true);
    expect(live.some((person) => person.devices.length === 0)).toBe(true);
    expect(live.some((person) => person.relationships.length > 0)).toBe(true);
    for (const person of ws.people) {
      expect(Object.values(person.attributes).every((value) => typeof value === 'string')).toBe(true);
      expect(person.attributes.cio_id).toBe(person.cio_id);
      if (person.attributes.cio_subscription_preferences !== undefined) {
        expect(person.timestamps._cio_subscription_preferences_computed).toBe(0);
        expect(JSON.parse(person.attributes.cio_subscription_preferences)).toHaveProperty('topics');
      }
    }
    expect(new Set(ws.people.map((person) => person.cio_id)).size).toBe(ws.people.length);
    const emptySegment = ws.segments[EMPTY_SEGMENT_INDEX];
    expect(emptySegment && segmentMembers(ws, emptySegment.id)).toEqual([]);
    const contents = [...ws.transactionalContents.values()];
    expect(contents.every((variants) => variants.length >= 1 && variants.length <= 3)).toBe(true);
  });

  it('give every delivery exactly one real parent, a person and sane metrics, newest first', () => {
    const deliveries = ws.deliveries.all();
    const actionIds = new Set(allCampaignActions(ws).map((action) => Number(action.id)));
    const kinds = new Set<string>();
    for (const [index, delivery] of deliveries.entries()) {
      const parents = [
        delivery.campaign_id,
        delivery.broadcast_id,
        delivery.newsletter_id,
        delivery.transactional_message_id,
      ].filter((id) => id !== null);
      expect(parents).toHaveLength(1);
      if (delivery.campaign_id !== null) {
        kinds.add('campaign');
        expect(actionIds.has(delivery.action_id ?? -1)).toBe(true);
      }
      if (delivery.broadcast_id !== null) {
        kinds.add('broadcast');
        const broadcast = ws.broadcasts.find((candidate) => candidate.id === delivery.broadcast_id);
        expect(broadcast?.actions.map((action) => action.id)).toContain(delivery.action_id);
      }
      if (delivery.newsletter_id !== null) {
        kinds.add('newsletter');
        const newsletter = ws.newsletters.find((candidate) => candidate.id === delivery.newsletter_id);
        expect(newsletter?.content_ids).toContain(delivery.content_id);
        expect(delivery.action_id).toBeNull();
      }
      if (delivery.transactional_message_id !== null) kinds.add('transactional');
      for (const at of Object.values(delivery.metrics)) {
        expect(at).toBeGreaterThanOrEqual(delivery.created);
        expect(at).toBeLessThanOrEqual(NOW);
      }
      expect(delivery.created).toBeGreaterThan(NOW - 400 * DAY);
      expect(delivery.created).toBeLessThanOrEqual(deliveries[index - 1]?.created ?? NOW);
    }
    expect([...kinds].sort()).toEqual(['broadcast', 'campaign', 'newsletter', 'transactional']);
    expect(new Set(idsOf(deliveries)).size).toBe(deliveries.length);
    expect(deliveries.some((delivery) => delivery.customer_identifiers === null)).toBe(true);
    expect(deliveries.some((delivery) => delivery.failure_message !== null)).toBe(true);
    expect(deliveries.some((delivery) => delivery.forgotten)).toBe(true);
    expect(deliveries.some((delivery) => delivery.customer_id === null)).toBe(true);
  });

  it('is deterministic and keeps people apart from the delivery count', () => {
    const json = (workspace: Workspace) =>
      JSON.stringify([workspace.people, workspace.deliveries, workspace.activities]);
    expect(json(generateWorkspace({ seed: 5 }))).toBe(json(generateWorkspace({ seed: 5 })));
    expect(json(generateWorkspace({ seed: 5 }))).not.toBe(json(generateWorkspace({ seed: 6 })));
    const more = generateWorkspace({ deliveries: 900 });
    expect(JSON.stringify(more.people)).toBe(JSON.stringify(ws.people));
  });

  it('generates many deliveries and looks windows up by date', () => {
    const big = generateWorkspace({ deliveries: 200_000, deliveryDays: 400 });
    expect(big.deliveries).toHaveLength(200_000);
    const window = deliveriesBetween(big, NOW - 3 * DAY, NOW);
    expect(window.length).toBeGreaterThan(500);
    expect(window.every((delivery) => delivery.created >= NOW - 3 * DAY)).toBe(true);
    expect(big.deliveries.at(199_999).created).toBeGreaterThanOrEqual(NOW - 400 * DAY);
  });
});

describe('people filter', () => {
  const matching = (filter: unknown) => {
    const parsed = parsePeopleFilter(filter);
    if (!parsed.ok) throw new Error(parsed.error);
    return allPeople(ws).filter(parsed.matches);
  };

  it('evaluates and, or, not, segment and attribute eq/exists', () => {
    const live = allPeople(ws);
    expect(matching(EVERYONE.filter)).toEqual(live);
    expect(matching({ attribute: { field: 'id', operator: 'exists' } })).toEqual(
      live.filter((person) => person.id !== null),
    );
    const pro = live.filter((person) => person.attributes.plan === 'pro');
    expect(pro.length).toBeGreaterThan(0);
    expect(matching({ attribute: { field: 'plan', operator: 'eq', value: 'pro' } })).toEqual(pro);
    expect(matching({ not: { attribute: { field: 'plan', operator: 'eq', value: 'pro' } } })).toEqual(
      live.filter((person) => !pro.includes(person)),
    );
    const segment = ws.segments[0]?.id ?? 0;
    expect(
      matching({
        or: [{ segment: { id: segment } }, { attribute: { field: 'plan', operator: 'eq', value: 'pro' } }],
      }),
    ).toEqual(live.filter((person) => person.segment_ids.includes(segment) || pro.includes(person)));
    expect(
      matching({
        and: [{ segment: { id: segment } }, { attribute: { field: 'plan', operator: 'eq', value: 'pro' } }],
      }),
    ).toEqual(live.filter((person) => person.segment_ids.includes(segment) && pro.includes(person)));
    expect(matching({ segment: { id: 999_999 } })).toEqual([]);
  });

  it('rejects malformed filters', () => {
    for (const filter of [
      null,
      [],
      {},
      { and: {} },
      { and: [], or: [] },
      { not: [] },
      { segment: { id: 'x' } },
      { attribute: { field: 'plan', operator: 'gt', value: '1' } },
      { attribute: { field: 'plan', operator: 'eq' } },
      { attribute: { operator: 'exists' } },
      { and: [{ nope: {} }] },
    ]) {
      expect(parsePeopleFilter(filter).ok).toBe(false);
    }
  });
});

describe('POST /v1/customers and /v1/customers/attributes', () => {
  it('pages a search over everyone exactly once, id-less and email-less people included', async () => {
    const pages = await readPages(simulator, '/v1/customers', 'identifiers', { limit: 7 }, EVERYONE);
    expect(pages.slice(0, -1).every((page) => page.length === 7)).toBe(true);
    const found = pages.flat();
    const live = allPeople(ws);
    expect(cioIdsOf(found)).toEqual(live.map((person) => person.cio_id));
    expect(found.some((identifier) => identifier.id === null)).toBe(true);
    expect(found.some((identifier) => identifier.email === null)).toBe(true);
    const first = await okBody(simulator, '/v1/customers?limit=1000', EVERYONE);
    expect(first.ids).toEqual(live.map((person) => person.id ?? ''));
    expect(first.next).toBe('');
    const deleted = ws.people.filter((person) => person.deleted).map((person) => person.cio_id);
    expect(cioIdsOf(found).filter((cioId) => deleted.includes(cioId as string))).toEqual([]);
  });

  it('defaults to 50 per page, clamps to 1000 and answers 400 for malformed requests', async () => {
    expect(items(await okBody(simulator, '/v1/customers', EVERYONE), 'identifiers')).toHaveLength(50);
    expect(items(await okBody(simulator, '/v1/customers?limit=5000', EVERYONE), 'identifiers')).toHaveLength(
      allPeople(ws).length,
    );
    const bad = [
      ['/v1/customers', { filter: { and: [{ attribute: { field: 'x', operator: 'like' } }] } }],
      ['/v1/customers', { nofilter: true }],
      ['/v1/customers', '{"filter": '],
      ['/v1/customers?start=bogus', EVERYONE],
      ['/v1/customers?limit=0', EVERYONE],
    ] as const;
    for (const [path, body] of bad) expect((await request(simulator, path, body)).status).toBe(400);
    const none = await okBody(simulator, '/v1/customers', { filter: { segment: { id: 999_999 } } });
    expect(none).toEqual({ identifiers: [], ids: [], next: '' });
  });

  it('serves attributes unwrapped for raw cio_ids, omits unknown ones, rejects more than 100', async () => {
    const live = allPeople(ws);
    const ids = [...live.slice(0, 5).map((person) => person.cio_id), 'ffffffffffff'];
    const body = await okBody(simulator, '/v1/customers/attributes?id_type=cio_id', { ids });
    expect(items(body, 'customers')).toEqual(roundTrip(live.slice(0, 5).map(customerAttributesItem)));
    const prefixed = await okBody(simulator, '/v1/customers/attributes?id_type=cio_id', {
      ids: ids.map((id) => `cio_${id}`),
    });
    expect(prefixed).toEqual({ customers: [] });
    const deleted = ws.people.find((person) => person.deleted);
    const gone = await okBody(simulator, '/v1/customers/attributes?id_type=cio_id', {
      ids: [deleted?.cio_id],
    });
    expect(gone).toEqual({ customers: [] });
    const withId = live.filter((person) => person.id !== null).slice(0, 3);
    const byId = await okBody(simulator, '/v1/customers/attributes', {
      ids: withId.map((person) => person.id),
    });
    expect(items(byId, 'customers').map((customer) => customer.id)).toEqual(
      withId.map((person) => person.id),
    );
    const withEmail = live.find((person) => person.email !== null);
    const byEmail = await okBody(simulator, '/v1/customers/attributes?id_type=email', {
      ids: [withEmail?.email],
    });
    expect(items(byEmail, 'customers')).toHaveLength(1);
    const tooMany = Array.from({ length: 101 }, (_, index) => String(index));
    for (const [path, payload] of [
      ['/v1/customers/attributes', { ids: tooMany }],
      ['/v1/customers/attributes', { ids: [] }],
      ['/v1/customers/attributes', { ids: [1, 2] }],
      ['/v1/customers/attributes', {}],
      ['/v1/customers/attributes?id_type=nickname', { ids: ['1'] }],
    ] as const) {
      expect((await request(simulator, path, payload)).status).toBe(400);
    }
  });
});

describe('per-person endpoints', () => {
  it('serve segments, messages, activities and relationships by cio_id, id or email', async () => {
    const person = allPeople(ws).find(
      (candidate) =>
        candidate.relationships.length > 0 && candidate.id !== null && candidate.segment_ids.length > 0,
    );
    if (person === undefined) throw new Error('no person with relationships, segments and an id');
    const byCio = `/v1/customers/${person.cio_id}`;
    const segments = await okBody(simulator, `${byCio}/segments?id_type=cio_id`);
    expect(segments).toEqual({ segments: personSegments(ws, person) });
    expect(await okBody(simulator, `/v1/customers/${person.id}/segments`)).toEqual(segments);
    expect(await okBody(simulator, `/v1/customers/cio_${person.cio_id}/segments?id_type=cio_id`)).toEqual(
      segments,
    );
    const email = encodeURIComponent(person.email ?? '');
    if (person.email !== null) {
      expect(await okBody(simulator, `/v1/customers/${email}/segments?id_type=email`)).toEqual(segments);
    }
    const relationships = await readAll(simulator, `${byCio}/relationships`, 'cio_relationships', {
      id_type: 'cio_id',
      limit: 1,
    });
    expect(relationships).toEqual(roundTrip(personRelationships(person)));
    const objectIds = Array.from({ length: RELATED_OBJECT_COUNT }, (_, index) => relatedObjectId(index));
    for (const relationship of relationships) {
      expect(objectIds).toContain((relationship.identifiers as JsonObject).object_id);
      expect(relationship.object_type_id).toBe(1);
    }
    const window = { id_type: 'cio_id', start_ts: NOW - 180 * DAY, end_ts: NOW, limit: 2 };
    const messages = await readAll(simulator, `${byCio}/messages`, 'messages', window);
    expect(messages).toEqual(roundTrip(personDeliveries(ws, person, NOW - 180 * DAY, NOW)));
    const activities = await readAll(simulator, `${byCio}/activities`, 'activities', {
      id_type: 'cio_id',
      limit: 3,
    });
    expect(activities).toEqual(roundTrip(activitiesFor(ws, { person })));
  });

  it('answers 404 for unknown and deleted people, 400 for a bad id_type', async () => {
    const deleted = ws.people.find((person) => person.deleted);
    for (const path of [
      '/v1/customers/nobody/segments',
      `/v1/customers/${deleted?.cio_id}/messages?id_type=cio_id`,
      '/v1/customers/ffffffffffff/activities?id_type=cio_id',
      '/v1/customers/nobody/relationships',
    ]) {
      expect((await request(simulator, path)).status).toBe(404);
    }
    expect((await request(simulator, '/v1/customers/1/segments?id_type=handle')).status).toBe(400);
  });
});

describe('segments', () => {
  it('pages membership and serves the empty-segment quirk and 404s', async () => {
    const segment = ws.segments[0];
    if (segment === undefined) throw new Error('no segment');
    const members = segmentMembers(ws, segment.id);
    expect(members.length).toBeGreaterThan(10);
    const pages = await readPages(simulator, `/v1/segments/${segment.id}/membership`, 'identifiers', {
      limit: 4,
    });
    expect(pages.slice(0, -1).every((page) => page.length === 4)).toBe(true);
    expect(cioIdsOf(pages.flat())).toEqual(members.map((person) => person.cio_id));
    const whole = await okBody(simulator, `/v1/segments/${segment.id}/membership`);
    expect(whole.segment_id).toBe(segment.id);
    expect(whole.ids).toEqual(members.map((person) => person.id ?? ''));
    expect(whole.next).toBe('');
    const empty = ws.segments[EMPTY_SEGMENT_INDEX];
    expect(await okBody(simulator, `/v1/segments/${empty?.id}/membership`)).toEqual({
      segment_id: empty?.id,
      identifiers: null,
      ids: null,
      next: '',
    });
    expect((await request(simulator, '/v1/segments/999999/membership')).status).toBe(404);
    expect((await request(simulator, '/v1/segments/abc/membership')).status).toBe(400);
    expect((await request(simulator, '/v1/segments/999999/used_by')).status).toBe(404);
  });

  it('serves used_by consistent with campaigns and newsletters', async () => {
    let referenced = 0;
    for (const segment of ws.segments) {
      const usage = segmentUsage(ws, segment.id);
      expect(await okBody(simulator, `/v1/segments/${segment.id}/used_by`)).toEqual({
        segment_id: segment.id,
        used_by: usage,
      });
      for (const id of usage.campaigns) {
        const campaign = ws.campaigns.find((candidate) => candidate.id === id);
        const json = JSON.stringify(campaign);
        expect(json.includes(`${segment.id}`)).toBe(true);
      }
      for (const id of [...usage.sent_newsletters, ...usage.draft_newsletters]) {
        const newsletter = ws.newsletters.find((candidate) => candidate.id === id);
        expect(newsletter?.recipient_segment_ids).toContain(segment.id);
        expect(newsletter?.send_state === 'sent').toBe(usage.sent_newsletters.includes(id));
      }
      referenced += usage.campaigns.length + usage.sent_newsletters.length + usage.draft_newsletters.length;
    }
    expect(referenced).toBeGreaterThan(0);
  });
});

describe('GET /v1/messages', () => {
  const all = () => ws.deliveries.all();

  it('pages a window newest first, with inclusive bounds', async () => {
    const window = { start_ts: NOW - 120 * DAY, end_ts: NOW - 20 * DAY };
    const expected = deliveriesBetween(ws, window.start_ts, window.end_ts);
    expect(expected.length).toBeGreaterThan(40);
    const pages = await readPages(simulator, '/v1/messages', 'messages', { ...window, limit: 17 });
    expect(pages.slice(0, -1).every((page) => page.length === 17)).toBe(true);
    expect(pages.flat()).toEqual(roundTrip(expected));
    const created = pages.flat().map((delivery) => delivery.created as number);
    expect(created).toEqual([...created].sort((a, b) => b - a));
    const pick = expected[5] as MessageDelivery;
    const exact = await readAll(simulator, '/v1/messages', 'messages', {
      start_ts: pick.created,
      end_ts: pick.created,
    });
    expect(idsOf(exact)).toContain(pick.id);
    expect(exact.every((delivery) => delivery.created === pick.created)).toBe(true);
    const afterIt = await readAll(simulator, '/v1/messages', 'messages', {
      start_ts: pick.created + 1,
      end_ts: NOW,
    });
    expect(idsOf(afterIt)).not.toContain(pick.id);
  });

  it('covers at most 180 days, ending now by default', async () => {
    const capped = all().filter((delivery) => delivery.created >= NOW - MESSAGES_MAX_SPAN_SECONDS);
    expect(capped.length).toBeLessThan(all().length);
    for (const params of [{}, { start_ts: 0 }, { start_ts: 0, end_ts: NOW }, { end_ts: NOW }]) {
      const read = await readAll(simulator, '/v1/messages', 'messages', { ...params, limit: 1000 });
      expect(idsOf(read)).toEqual(idsOf(capped));
    }
    const end = NOW - 100 * DAY;
    const older = await readAll(simulator, '/v1/messages', 'messages', {
      start_ts: 0,
      end_ts: end,
      limit: 1000,
    });
    expect(idsOf(older)).toEqual(idsOf(deliveriesBetween(ws, end - MESSAGES_MAX_SPAN_SECONDS, end)));
    const page = await okBody(simulator, '/v1/messages');
    expect(items(page, 'messages')).toHaveLength(50);
  });

  it('answers messages: null for an empty window, [] past the end, 400 for malformed params', async () => {
    expect(await okBody(simulator, '/v1/messages?start_ts=0&end_ts=2591999')).toEqual({
      messages: null,
      next: '',
    });
    const first = await okBody(simulator, '/v1/messages?limit=1000');
    expect(first.next).toBe('');
    for (const query of [
      'start_ts=abc',
      'end_ts=-1',
      'start_ts=20&end_ts=10',
      'limit=0',
      'start=%%%',
      'type=carrier_pigeon',
      'metric=liked',
      'campaign_id=x',
      'drafts=maybe',
    ]) {
      expect((await request(simulator, `/v1/messages?${query}`)).status).toBe(400);
    }
  });

  it('filters by type, metric, campaign, newsletter and action, possibly ending with an empty page', async () => {
    const window = { start_ts: NOW - 180 * DAY, end_ts: NOW, limit: 7 };
    const inWindow = deliveriesBetween(ws, window.start_ts, window.end_ts);
    const email = await readPages(simulator, '/v1/messages', 'messages', { ...window, type: 'email' });
    expect(email.flat()).toEqual(roundTrip(inWindow.filter((delivery) => delivery.type === 'email')));
    const opened = await readAll(simulator, '/v1/messages', 'messages', { ...window, metric: 'opened' });
    expect(idsOf(opened)).toEqual(
      idsOf(inWindow.filter((delivery) => delivery.metrics.opened !== undefined)),
    );
    const sample = inWindow.find((delivery) => delivery.campaign_id !== null) as MessageDelivery;
    const byCampaign = await readAll(simulator, '/v1/messages', 'messages', {
      ...window,
      campaign_id: sample.campaign_id ?? 0,
    });
    expect(idsOf(byCampaign)).toEqual(
      idsOf(inWindow.filter((delivery) => delivery.campaign_id === sample.campaign_id)),
    );
    const byAction = await readAll(simulator, '/v1/messages', 'messages', {
      ...window,
      action_id: sample.action_id ?? 0,
    });
    expect(idsOf(byAction)).toEqual(
      idsOf(inWindow.filter((delivery) => delivery.action_id === sample.action_id)),
    );
    const letter = inWindow.find((delivery) => delivery.newsletter_id !== null) as MessageDelivery;
    const byNewsletter = await readAll(simulator, '/v1/messages', 'messages', {
      ...window,
      newsletter_id: letter.newsletter_id ?? 0,
    });
    expect(idsOf(byNewsletter)).toEqual(
      idsOf(inWindow.filter((delivery) => delivery.newsletter_id === letter.newsletter_id)),
    );
    expect(await okBody(simulator, '/v1/messages?drafts=true')).toEqual({ messages: null, next: '' });
  });
});

describe('filtered delivery pages', () => {
  it('can end with an empty page when the last full page stops before the window ends', async () => {
    const window = { start_ts: NOW - 180 * DAY, end_ts: NOW };
    const inWindow = deliveriesBetween(ws, window.start_ts, window.end_ts);
    const oldest = inWindow.at(-1) as MessageDelivery;
    const type = oldest.type === 'email' ? 'twilio' : 'email';
    const matching = inWindow.filter((delivery) => delivery.type === type);
    expect(matching.length).toBeGreaterThan(0);
    const pages = await readPages(simulator, '/v1/messages', 'messages', {
      ...window,
      type,
      limit: matching.length,
    });
    expect(pages.map((page) => page.length)).toEqual([matching.length, 0]);
  });

  it('serves deliveries a test appends or replaces', () => {
    const workspace = generateWorkspace({ deliveries: 50 });
    const newest = workspace.deliveries.at(0);
    const late = {
      ...newest,
      metrics: { ...newest.metrics, opened: NOW },
      deduplicate_id: `${newest.id}:${NOW}`,
    };
    workspace.deliveries.replace(0, late);
    expect(workspace.deliveries.at(0)).toEqual(late);
    const added = { ...newest, id: 'appended-delivery', created: NOW, metrics: {} };
    workspace.deliveries.append(added);
    expect(workspace.deliveries.length).toBe(51);
    expect(deliveriesBetween(workspace, NOW, NOW)[0]).toEqual(added);
    const kind = newest.campaign_id !== null ? 'campaign' : newest.broadcast_id !== null ? 'broadcast' : null;
    if (kind !== null) {
      const id = newest.campaign_id ?? newest.broadcast_id ?? 0;
      expect(parentDeliveries(workspace, kind, id, NOW, NOW)).toEqual([added]);
    }
    expect(() => workspace.deliveries.append({ ...added, created: NOW - DAY })).toThrow();
    expect(() => workspace.deliveries.replace(1, { ...added, created: 0 })).toThrow();
  });
});

describe('per-parent deliveries', () => {
  const parents = (): [DeliveryParentKind, string, number[]][] => [
    ['campaign', 'campaigns', ws.campaigns.map((campaign) => campaign.id)],
    ['broadcast', 'broadcasts', ws.broadcasts.map((broadcast) => broadcast.id)],
    ['newsletter', 'newsletters', ws.newsletters.map((newsletter) => newsletter.id)],
    ['transactional', 'transactional', ws.transactionalMessages.map((message) => message.id)],
  ];
  const parentOf: Record<DeliveryParentKind, (delivery: MessageDelivery) => number | null> = {
    campaign: (delivery) => delivery.campaign_id,
    broadcast: (delivery) => delivery.broadcast_id,
    newsletter: (delivery) => delivery.newsletter_id,
    transactional: (delivery) => delivery.transactional_message_id,
  };

  it('match filtering the global list by parent, window by window', async () => {
    const window = { start_ts: NOW - 180 * DAY, end_ts: NOW, limit: 5 };
    const global = await readAll(simulator, '/v1/messages', 'messages', { ...window, limit: 1000 });
    let total = 0;
    for (const [kind, path, ids] of parents()) {
      for (const id of ids) {
        const own = await readAll(simulator, `/v1/${path}/${id}/messages`, 'messages', window);
        const expected = (global as unknown as MessageDelivery[]).filter(
          (delivery) => parentOf[kind](delivery) === id,
        );
        expect(own).toEqual(expected);
        expect(own).toEqual(roundTrip(parentDeliveries(ws, kind, id, window.start_ts, window.end_ts)));
        total += own.length;
      }
    }
    expect(total).toBe(global.length);
  });

  it('cover 12 months per request, with per-endpoint defaults when unbounded, and 404 unknown parents', async () => {
    const campaign = ws.campaigns.find((candidate) =>
      ws.deliveries
        .all()
        .some((delivery) => delivery.campaign_id === candidate.id && delivery.created < NOW - 200 * DAY),
    );
    if (campaign === undefined) throw new Error('no campaign with old deliveries');
    const year = await readAll(simulator, `/v1/campaigns/${campaign.id}/messages`, 'messages', {
      start_ts: 0,
      end_ts: NOW,
      limit: 1000,
    });
    expect(idsOf(year)).toEqual(idsOf(parentDeliveries(ws, 'campaign', campaign.id, NOW - 365 * DAY, NOW)));
    const recent = await readAll(simulator, `/v1/campaigns/${campaign.id}/messages`, 'messages', {
      limit: 1000,
    });
    expect(idsOf(recent)).toEqual(idsOf(parentDeliveries(ws, 'campaign', campaign.id, NOW - 180 * DAY, NOW)));
    const broadcast = ws.broadcasts.find((candidate) => candidate.first_started > 0);
    if (broadcast !== undefined) {
      const firstMonth = await readAll(simulator, `/v1/broadcasts/${broadcast.id}/messages`, 'messages', {
        limit: 1000,
      });
      const start = broadcast.first_started;
      expect(idsOf(firstMonth)).toEqual(
        idsOf(parentDeliveries(ws, 'broadcast', broadcast.id, start, start + 30 * DAY)),
      );
    }
    for (const path of [
      '/v1/campaigns/999999/messages',
      '/v1/broadcasts/999999/messages',
      '/v1/newsletters/999999/messages',
      '/v1/transactional/999999/messages',
    ]) {
      expect((await request(simulator, path)).status).toBe(404);
    }
    expect((await request(simulator, '/v1/campaigns/x/messages')).status).toBe(400);
  });
});

describe('GET /v1/activities', () => {
  it('serves activities newest first, by pages of 10 by default, without deleted people unless asked', async () => {
    const visible = await readPages(simulator, '/v1/activities', 'activities');
    expect(visible.slice(0, -1).every((page) => page.length === 10)).toBe(true);
    expect(visible.flat()).toEqual(roundTrip(activitiesFor(ws)));
    const withDeleted = await readAll(simulator, '/v1/activities', 'activities', {
      deleted: 'true',
      limit: 100,
    });
    expect(withDeleted).toEqual(roundTrip(ws.activities));
    expect(withDeleted.length).toBeGreaterThan(visible.flat().length);
    const times = withDeleted.map((activity) => activity.timestamp as number);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const deletedIds = new Set(ws.people.filter((person) => person.deleted).map((person) => person.cio_id));
    const ofDeleted = withDeleted.filter((activity) =>
      deletedIds.has((activity.customer_identifiers as JsonObject | null)?.cio_id as string),
    );
    expect(ofDeleted.some((activity) => activity.type === 'profile_delete')).toBe(true);
    const types = new Set(withDeleted.map((activity) => activity.type));
    for (const type of ['event', 'page', 'attribute_change']) expect(types).toContain(type);
    expect([...types].some((type) => String(type).endsWith('_email'))).toBe(true);
  });

  it('filters by type, name and customer', async () => {
    const events = await readAll(simulator, '/v1/activities', 'activities', { type: 'event', limit: 100 });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((activity) => activity.type === 'event')).toBe(true);
    const name = events[0]?.name as string;
    const named = await readAll(simulator, '/v1/activities', 'activities', {
      type: 'event',
      name,
      limit: 100,
    });
    expect(named).toEqual(events.filter((activity) => activity.name === name));
    const deleted = ws.people.find((person) => person.deleted && person.id !== null);
    if (deleted === undefined) throw new Error('no deleted person with an id');
    const hidden = await readAll(simulator, '/v1/activities', 'activities', {
      customer_id: deleted.id ?? '',
    });
    expect(hidden).toEqual([]);
    const shown = await readAll(simulator, '/v1/activities', 'activities', {
      customer_id: deleted.id ?? '',
      deleted: 'true',
    });
    expect(shown.length).toBeGreaterThan(0);
    const byCio = await readAll(simulator, '/v1/activities', 'activities', {
      customer_id: `cio_${deleted.cio_id}`,
      id_type: 'cio_id',
      deleted: 'true',
    });
    expect(byCio).toEqual(shown);
    const unprefixed = await readAll(simulator, '/v1/activities', 'activities', {
      customer_id: deleted.cio_id,
      id_type: 'cio_id',
      deleted: 'true',
    });
    expect(unprefixed).toEqual([]);
    expect((await request(simulator, '/v1/activities?deleted=yes')).status).toBe(400);
    expect((await request(simulator, '/v1/activities?limit=500')).status).toBe(200);
    expect(
      items(await okBody(simulator, '/v1/activities?limit=500&deleted=true'), 'activities'),
    ).toHaveLength(100);
  });
});

describe('transactional messages', () => {
  it('serves the templates, one template and its variants, 404 for unknown ids', async () => {
    expect(await okBody(simulator, '/v1/transactional')).toEqual({
      messages: roundTrip(ws.transactionalMessages),
    });
    for (const message of ws.transactionalMessages) {
      expect(await okBody(simulator, `/v1/transactional/${message.id}`)).toEqual({
        message: roundTrip([message])[0],
      });
      const contents = await okBody(simulator, `/v1/transactional/${message.id}/contents`);
      expect(contents).toEqual({ contents: roundTrip(ws.transactionalContents.get(message.id)) });
    }
    expect((await request(simulator, '/v1/transactional/999999')).status).toBe(404);
    expect((await request(simulator, '/v1/transactional/999999/contents')).status).toBe(404);
  });
});
