import type { JsonObject } from '@cio-connectors/kit/json';
import type { AirbyteStream } from '@cio-connectors/kit/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  configuredCatalog,
  errorsOf,
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
import {
  expectedLinkRecords,
  expectedMonthlyRecords,
  LINK_METRIC_STREAMS,
  MONTHLY_METRIC_STREAMS,
  sortedRecords,
} from './metric-expectations.js';
import {
  activitiesFor,
  allBroadcastActions,
  allCampaignActions,
  allObjects,
  allPeople,
  deliveriesBetween,
  journeyDay,
  type MetricRef,
  metricsFor,
  personDeliveries,
  personRelationships,
  personSegments,
  SECOND_SENDING_DOMAIN,
  SENDING_DOMAIN,
  type Simulator,
  SUPPRESSION_TYPES,
  segmentMembers,
  segmentUsage,
  startSimulator,
  subscriptionPreferencesOf,
  suppressionsOf,
  triggerErrorsOf,
  withTrackedResponses,
} from './simulator/index.js';

let sim: Simulator;
let streams: AirbyteStream[];
let full: RunResult;
const FOREVER = 4_000_000_000;
const RELATIONSHIP_KEY = [['cio_id'], ['object_type_id'], ['object_id']];

/** Unlimited simulator and connector: the rate limit has its own tests; here only the data matters. */
const fastConfig = (extra: JsonObject = {}) => simulatorConfig(sim, { requests_per_second: 1000, ...extra });
/** Both sending domains: esp_suppressions reads each list once per domain (domain null without them). */
const SUPPRESSION_DOMAINS = [SENDING_DOMAIN, SECOND_SENDING_DOMAIN];
const keyOf = (record: JsonObject, primaryKey: string[][]) =>
  JSON.stringify(primaryKey.map(([field]) => record[field ?? '']));
const keys = (records: JsonObject[], primaryKey: string[][]) =>
  records.map((r) => keyOf(r, primaryKey)).sort();
const ids = (records: readonly object[]) => records.map((record) => String((record as JsonObject).id)).sort();
const records = (stream: string) => recordsOf(full.messages, stream);

beforeAll(async () => {
  sim = await startSimulator({ requestsPerSecond: null });
  const discovered = await runConnector('discover', { config: fastConfig() });
  streams = ofType(discovered.messages, 'CATALOG')[0]?.catalog.streams ?? [];
  full = await runConnector('read', {
    config: fastConfig({ esp_suppression_domains: SUPPRESSION_DOMAINS }),
    catalog: configuredCatalog(streams.map((s) => s.name)),
  });
}, 120_000);
afterAll(async () => {
  await sim.close();
});

describe('a full read of the whole catalog', () => {
  test('discovers the 57 streams and reads them all without an error', () => {
    expect(streams).toHaveLength(57);
    expect(full.exitCode).toBe(0);
    expect(errorsOf(full.messages)).toEqual([]);
    expect(protocolProblems(full)).toEqual([]);
  });

  test('every stream returns records that fit its schema, with unique, non-null primary keys', () => {
    for (const stream of streams) {
      const emitted = records(stream.name);
      expect(emitted.length, stream.name).toBeGreaterThan(0);
      const validate = recordValidator(stream.json_schema);
      for (const record of emitted) {
        expect(validate(record), `${stream.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
        for (const [field] of stream.source_defined_primary_key ?? []) {
          expect(record[field ?? ''], `${stream.name}.${field}`).not.toBeNull();
        }
      }
      const primaryKeys = keys(emitted, stream.source_defined_primary_key ?? []);
      expect(new Set(primaryKeys).size, `${stream.name} duplicates`).toBe(primaryKeys.length);
      expect(statusesOf(full.messages, stream.name)).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
      const states = statesOf(full.messages, stream.name).map((message) => message.state);
      const counted = states.reduce((sum, state) => sum + (state.sourceStats?.recordCount ?? 0), 0);
      expect(counted, `${stream.name} recordCount`).toBe(emitted.length);
      expect(states.at(-1)?.stream.stream_state).toEqual({ __ab_no_cursor_state_message: true });
      const snapshots = states.map((state) => JSON.stringify(state.stream.stream_state));
      expect(snapshots.every((snapshot, i) => i === 0 || snapshot !== snapshots[i - 1])).toBe(true);
    }
  });

  test('automation streams hold exactly the simulator records, with parent ids added', () => {
    const ws = sim.workspace;
    expect(records('campaigns')).toEqual(ws.campaigns);
    expect(keys(records('campaign_actions'), [['campaign_id'], ['id']])).toEqual(
      keys(allCampaignActions(ws) as unknown as JsonObject[], [['campaign_id'], ['id']]),
    );
    expect(keys(records('broadcast_actions'), [['broadcast_id'], ['id']])).toEqual(
      keys(
        ws.broadcasts.flatMap((b) =>
          // Integer ids, as the spec types them; the simulator sends them as strings, like live campaign actions.
          (ws.broadcastActions.get(b.id) ?? []).map((a) => ({ ...a, id: Number(a.id), broadcast_id: b.id })),
        ),
        [['broadcast_id'], ['id']],
      ),
    );
    expect(records('broadcast_actions')).toHaveLength(allBroadcastActions(ws).length);
    expect(ids(records('broadcast_triggers'))).toEqual(ids([...ws.broadcastTriggers.values()].flat()));
    const triggerErrors = ws.broadcasts.flatMap((b) =>
      (ws.broadcastTriggers.get(b.id) ?? []).flatMap((t) =>
        (triggerErrorsOf(ws).get(t.id) ?? []).map((error, index) => ({
          broadcast_id: b.id,
          trigger_id: t.id,
          index,
          line: Number(/^line (\d+)/.exec(error)?.[1]),
          error,
        })),
      ),
    );
    expect(records('broadcast_trigger_errors')).toEqual(expect.arrayContaining(triggerErrors));
    expect(records('broadcast_trigger_errors')).toHaveLength(triggerErrors.length);
    expect(keys(records('newsletter_variants'), [['newsletter_id'], ['id']])).toEqual(
      keys(
        ws.newsletters.flatMap((n) =>
          (ws.newsletterContents.get(n.id) ?? []).map((v) => ({ ...v, newsletter_id: n.id })),
        ),
        [['newsletter_id'], ['id']],
      ),
    );
    expect(records('newsletter_test_groups')).toHaveLength(
      [...ws.newsletterTestGroups.values()].flat().length,
    );
    expect(ids(records('transactional_messages'))).toEqual(ids(ws.transactionalMessages));
    expect(records('transactional_message_variants')).toHaveLength(
      [...ws.transactionalContents.values()].flat().length,
    );
  });

  test('metrics records carry the simulator counts for every entity and day', () => {
    const ws = sim.workspace;
    const checks: Array<[string, (record: JsonObject) => MetricRef]> = [
      ['campaign_metrics', (r) => ({ kind: 'campaign', campaignId: r.campaign_id as number })],
      [
        'campaign_action_metrics',
        (r) => ({
          kind: 'campaign_action',
          campaignId: r.campaign_id as number,
          actionId: r.action_id as string,
        }),
      ],
      ['broadcast_metrics', (r) => ({ kind: 'broadcast', broadcastId: r.broadcast_id as number })],
      [
        'broadcast_action_metrics',
        (r) => ({
          kind: 'broadcast_action',
          broadcastId: r.broadcast_id as number,
          actionId: String(r.action_id),
        }),
      ],
      ['newsletter_metrics', (r) => ({ kind: 'newsletter', newsletterId: r.newsletter_id as number })],
      [
        'transactional_message_metrics',
        (r) => ({ kind: 'transactional', transactionalId: r.transactional_message_id as number }),
      ],
    ];
    for (const [stream, refOf] of checks) {
      let nonZero = 0;
      for (const record of records(stream)) {
        const expected = metricsFor(ws, refOf(record), record.day as string) ?? {};
        for (const [name, value] of Object.entries(expected)) {
          const actual =
            name in record ? record[name] : (record.additional_metrics as JsonObject | undefined)?.[name];
          expect(actual, `${stream} ${record.day} ${name}`).toBe(value);
          if (value > 0) nonZero += 1;
        }
      }
      expect(nonZero, `${stream} has real numbers`).toBeGreaterThan(0);
    }
    const translated = records('campaign_action_metrics').filter((r) => r.language_variants != null);
    expect(translated.length).toBeGreaterThan(0);
    for (const record of translated) {
      for (const [actionId, counts] of Object.entries(record.language_variants as JsonObject)) {
        const ref: MetricRef = {
          kind: 'campaign_action',
          campaignId: record.campaign_id as number,
          actionId,
        };
        expect(counts, `${record.action_id} ${actionId} ${record.day}`).toEqual(
          metricsFor(ws, ref, record.day as string),
        );
      }
    }
    const campaignDays = records('campaign_metrics').filter((r) => r.campaign_id === ws.campaigns[0]?.id);
    expect(new Set(campaignDays.map((r) => r.day)).size).toBe(campaignDays.length);
    // Recomputes every entity's daily series: minutes of CPU on a loaded machine.
  }, 120_000);

  test('journey metrics hold each campaign’s days from its creation to today, with the simulator counts', () => {
    const lastDays = new Set<string>();
    for (const campaign of sim.workspace.campaigns) {
      const own = records('campaign_journey_metrics').filter((r) => r.campaign_id === campaign.id);
      const firstDay = Math.floor(campaign.created / 86_400);
      expect(own.length, `campaign ${campaign.id}`).toBeGreaterThan(0);
      own.forEach((record, index) => {
        const day = firstDay + index;
        expect(record.day).toBe(new Date(day * 86_400_000).toISOString().slice(0, 10));
        expect(record).toEqual({ campaign_id: campaign.id, day: record.day, ...journeyDay(campaign, day) });
      });
      lastDays.add(String(own.at(-1)?.day));
    }
    expect(lastDays.size).toBe(1);
    expect(new Date(`${[...lastDays][0]}T00:00:00Z`).getTime()).toBeLessThanOrEqual(Date.now());
  });

  test('link metrics hold each tracked link’s clicks, and monthly metrics each month, exactly', () => {
    for (const stream of LINK_METRIC_STREAMS) {
      const expected = expectedLinkRecords(sim.workspace, stream);
      expect(records(stream), stream).toHaveLength(expected.length);
      expect(sortedRecords(records(stream)), stream).toEqual(sortedRecords(expected));
    }
    for (const stream of MONTHLY_METRIC_STREAMS) {
      const expected = expectedMonthlyRecords(sim.workspace, stream);
      expect(records(stream), stream).toHaveLength(expected.length);
      expect(sortedRecords(records(stream)), stream).toEqual(sortedRecords(expected));
    }
  });

  test('delivery streams hold every delivery, each under its parent', () => {
    const ws = sim.workspace;
    const all = deliveriesBetween(ws, 0, FOREVER);
    expect(ids(records('messages'))).toEqual(ids(all));
    expect(records('messages')).toEqual(expect.arrayContaining(all.map(withTrackedResponses)));
    expect(records('messages').some((d) => Object.keys(d.tracked_responses as JsonObject).length > 0)).toBe(
      true,
    );
    const byParent = (field: string) => ids(all.filter((d) => (d as unknown as JsonObject)[field] != null));
    expect(ids(records('campaign_messages'))).toEqual(byParent('campaign_id'));
    expect(ids(records('broadcast_messages'))).toEqual(byParent('broadcast_id'));
    expect(ids(records('newsletter_messages'))).toEqual(byParent('newsletter_id'));
    expect(ids(records('transactional_message_deliveries'))).toEqual(byParent('transactional_message_id'));
  });

  test('activities and audience streams hold exactly the simulator records', () => {
    const ws = sim.workspace;
    const people = allPeople(ws);
    expect(ids(records('activities'))).toEqual(ids(activitiesFor(ws)));
    expect(records('activities').some((r) => r.type === 'consent' && r.name === 'opted_out')).toBe(true);
    expect(records('segments')).toEqual(
      ws.segments.map((segment) => ({ ...segment, customer_count: segmentMembers(ws, segment.id).length })),
    );
    expect(records('optouts')).toEqual(JSON.parse(JSON.stringify(ws.optouts)));
    expect(records('customer_subscription_preferences')).toEqual(
      expect.arrayContaining(
        people.map((p) => ({
          cio_id: p.cio_id,
          ...JSON.parse(JSON.stringify(subscriptionPreferencesOf(ws, p))),
        })),
      ),
    );
    expect(records('customer_subscription_preferences')).toHaveLength(people.length);
    expect(
      records('customers')
        .map((r) => r.cio_id)
        .sort(),
    ).toEqual(people.map((p) => p.cio_id).sort());
    expect(records('customers').some((r) => r.id === null)).toBe(true);
    expect(records('customers').some((r) => r.email === null)).toBe(true);
    expect(keys(records('segment_membership'), [['segment_id'], ['cio_id']])).toEqual(
      keys(
        ws.segments.flatMap((s) =>
          segmentMembers(ws, s.id).map((p) => ({ segment_id: s.id, cio_id: p.cio_id })),
        ),
        [['segment_id'], ['cio_id']],
      ),
    );
    expect(records('segment_usage')).toEqual(
      expect.arrayContaining(
        ws.segments.map((segment) => ({ segment_id: segment.id, ...segmentUsage(ws, segment.id) })),
      ),
    );
    expect(records('segment_usage')).toHaveLength(ws.segments.length);
    expect(keys(records('customer_segments'), [['cio_id'], ['id']])).toEqual(
      keys(
        people.flatMap((p) => personSegments(ws, p).map((s) => ({ ...s, cio_id: p.cio_id }))),
        [['cio_id'], ['id']],
      ),
    );
    expect(ids(records('customer_messages'))).toEqual(
      ids(people.flatMap((person) => personDeliveries(ws, person, 0, FOREVER))),
    );
    expect(ids(records('customer_activities'))).toEqual(
      ids(people.flatMap((person) => activitiesFor(ws, { person }))),
    );
    expect(keys(records('customer_relationships'), RELATIONSHIP_KEY)).toEqual(
      keys(
        people.flatMap((p) =>
          personRelationships(p).map((r) => ({
            cio_id: p.cio_id,
            object_type_id: r.object_type_id,
            ...r.identifiers,
          })),
        ),
        RELATIONSHIP_KEY,
      ),
    );
    expect(keys(records('objects'), [['object_type_id'], ['object_id']])).toEqual(
      keys(
        allObjects(ws).map((o) => ({ object_type_id: o.object_type_id, object_id: o.identifiers.object_id })),
        [['object_type_id'], ['object_id']],
      ),
    );
  });

  test('reference streams hold exactly the simulator records; webhook credentials are removed', () => {
    const ws = sim.workspace;
    expect(records('exports')).toEqual(ws.exports);
    expect(records('collections')).toEqual(ws.collections);
    expect(records('snippets')).toEqual(ws.snippets);
    expect(records('subscription_topics')).toEqual(ws.subscriptionTopics);
    expect(records('subscription_channels')).toEqual(ws.subscriptionChannels);
    expect(records('workspaces')).toEqual(ws.workspaces);
    expect(ids(records('sender_identities'))).toEqual(ids(ws.senderIdentities));
    expect(records('ip_addresses')).toEqual(ws.ipAddresses.map((ip_address) => ({ ip_address })));
    const suppressions = SUPPRESSION_DOMAINS.flatMap((domain) =>
      SUPPRESSION_TYPES.flatMap((suppression_type) =>
        suppressionsOf(ws, suppression_type, domain).map((s) => ({ ...s, suppression_type, domain })),
      ),
    );
    expect(records('esp_suppressions')).toEqual(expect.arrayContaining(suppressions));
    expect(records('esp_suppressions')).toHaveLength(suppressions.length);
    expect(ids(records('reporting_webhooks'))).toEqual(ids(ws.reportingWebhooks));
    const withCredentials = ws.reportingWebhooks.filter((w) => /\/\/[^/]*@/.test(w.endpoint));
    expect(withCredentials.length).toBeGreaterThan(0);
    for (const webhook of records('reporting_webhooks')) expect(webhook.endpoint).not.toMatch(/\/\/[^/]*@/);
    expect(full.lines.join('\n')).not.toContain('s3cr3t');
  });
});

describe('config options', () => {
  test('customers_filter scopes customers and every per-person stream', async () => {
    const ws = sim.workspace;
    const segment = ws.segments.find((s) => segmentMembers(ws, s.id).length >= 3) ?? ws.segments[0];
    const members = segmentMembers(ws, segment?.id ?? 0);
    const perPerson = [
      'customers',
      'customer_segments',
      'customer_messages',
      'customer_activities',
      'customer_relationships',
      'customer_subscription_preferences',
    ];
    const result = await runConnector('read', {
      config: fastConfig({ customers_filter: JSON.stringify({ segment: { id: segment?.id } }) }),
      catalog: configuredCatalog(perPerson),
    });
    expect(result.exitCode).toBe(0);
    const memberIds = new Set(members.map((p) => p.cio_id));
    expect(
      recordsOf(result.messages, 'customers')
        .map((r) => r.cio_id)
        .sort(),
    ).toEqual([...memberIds].sort());
    for (const stream of perPerson.slice(1)) {
      for (const record of recordsOf(result.messages, stream))
        expect(memberIds.has(record.cio_id as string)).toBe(true);
    }
    const searches = sim.stats.log.filter(
      (entry) => entry.method === 'POST' && entry.path === '/v1/customers',
    );
    expect(searches.length).toBeGreaterThan(0);
  });

  test('message_types, activity_types, customer_attributes and deleted people activities', async () => {
    const ws = sim.workspace;
    const result = await runConnector('read', {
      config: fastConfig({
        message_types: ['email'],
        activity_types: ['event'],
        customer_attributes: ['email'],
        include_deleted_people_activities: true,
      }),
      catalog: configuredCatalog(['messages', 'activities', 'customers']),
    });
    expect(result.exitCode).toBe(0);
    expect(ids(recordsOf(result.messages, 'messages'))).toEqual(
      ids(deliveriesBetween(ws, 0, FOREVER).filter((d) => d.type === 'email')),
    );
    expect(ids(recordsOf(result.messages, 'activities'))).toEqual(
      ids(activitiesFor(ws, { deleted: true, type: 'event' })),
    );
    for (const customer of recordsOf(result.messages, 'customers')) {
      expect(Object.keys(customer.attributes as JsonObject).every((name) => name === 'email')).toBe(true);
    }
  });

  test('start_date limits windowed streams to what happened since', async () => {
    const ws = sim.workspace;
    const all = deliveriesBetween(ws, 0, FOREVER);
    const middle = all[Math.floor(all.length / 2)]?.created ?? 0;
    const result = await runConnector('read', {
      config: fastConfig({ start_date: new Date(middle * 1000).toISOString() }),
      catalog: configuredCatalog(['messages']),
    });
    expect(ids(recordsOf(result.messages, 'messages'))).toEqual(ids(deliveriesBetween(ws, middle, FOREVER)));
  });
});
