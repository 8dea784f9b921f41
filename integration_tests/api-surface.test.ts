// Issue 13: what Airbyte's Customer.io connector 1.0 and the App API offer, read faithfully, end to end
// against the simulator: suppressions per sending domain, in-app survey responses, sender identities once,
// the wrong data center, and types that follow the spec.

import type { JsonObject } from '@cio-connectors/kit/json';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  configuredCatalog,
  errorsOf,
  ofType,
  protocolProblems,
  recordsOf,
  runConnector,
  simulatorConfig,
  statusesOf,
} from './harness.js';
import {
  SECOND_SENDING_DOMAIN,
  SENDING_DOMAIN,
  type Simulator,
  SUPPRESSION_TYPES,
  startSimulator,
  suppressionsOf,
} from './simulator/index.js';

let sim: Simulator;

const fastConfig = (extra: JsonObject = {}) => simulatorConfig(sim, { requests_per_second: 1000, ...extra });
const readStreams = (names: string[], extra: JsonObject = {}) =>
  runConnector('read', { config: fastConfig(extra), catalog: configuredCatalog(names) });
const requestsTo = (pattern: RegExp) => sim.stats.log.filter((entry) => pattern.test(entry.path));

beforeAll(async () => {
  sim = await startSimulator({ requestsPerSecond: null });
});
afterAll(async () => {
  await sim.close();
});

describe('esp_suppressions per sending domain', () => {
  test('without esp_suppression_domains: the default list of each type once, with domain null', async () => {
    sim.resetStats();
    const result = await readStreams(['esp_suppressions']);
    expect(result.exitCode).toBe(0);
    const expected = SUPPRESSION_TYPES.flatMap((suppression_type) =>
      suppressionsOf(sim.workspace, suppression_type).map((s) => ({ ...s, suppression_type, domain: null })),
    );
    const emitted = recordsOf(result.messages, 'esp_suppressions');
    expect(emitted).toEqual(expect.arrayContaining(expected));
    expect(emitted).toHaveLength(expected.length);
    expect(requestsTo(/^\/v1\/esp\/suppression\//).every((entry) => entry.query.domain === undefined)).toBe(
      true,
    );
  });

  test('with domains: each of the four lists once per domain, keyed on (suppression_type, domain, email)', async () => {
    sim.resetStats();
    const domains = [SENDING_DOMAIN, ` ${SECOND_SENDING_DOMAIN.toUpperCase()} `, 'unused.example'];
    const result = await readStreams(['esp_suppressions'], { esp_suppression_domains: domains });
    expect(result.exitCode).toBe(0);
    const emitted = recordsOf(result.messages, 'esp_suppressions');
    for (const domain of [SENDING_DOMAIN, SECOND_SENDING_DOMAIN]) {
      const expected = SUPPRESSION_TYPES.flatMap((suppression_type) =>
        suppressionsOf(sim.workspace, suppression_type, domain).map((s) => ({
          ...s,
          suppression_type,
          domain,
        })),
      );
      expect(expected.length, domain).toBeGreaterThan(0);
      expect(emitted.filter((record) => record.domain === domain)).toEqual(expected);
    }
    expect(emitted.filter((record) => record.domain === 'unused.example')).toEqual([]);
    const asked = requestsTo(/^\/v1\/esp\/suppression\//).map(
      (entry) => `${entry.path}?${entry.query.domain}`,
    );
    expect(new Set(asked).size).toBe(3 * SUPPRESSION_TYPES.length);
    const discovered = await runConnector('discover', { config: fastConfig() });
    const stream = ofType(discovered.messages, 'CATALOG')[0]?.catalog.streams.find(
      (candidate) => candidate.name === 'esp_suppressions',
    );
    expect(stream?.source_defined_primary_key).toEqual([['suppression_type'], ['domain'], ['email']]);
    expect(stream?.supported_sync_modes).toEqual(['full_refresh']);
  });
});

describe('in-app survey responses', () => {
  const deliveryStreams = [
    'messages',
    'campaign_messages',
    'broadcast_messages',
    'newsletter_messages',
    'transactional_message_deliveries',
  ];

  test('every delivery list is asked for tracked_responses, and each delivery carries them', async () => {
    sim.resetStats();
    const result = await readStreams(deliveryStreams);
    expect(result.exitCode).toBe(0);
    const lists = requestsTo(
      /^\/v1\/(messages|(campaigns|broadcasts|newsletters|transactional)\/\d+\/messages)$/,
    );
    expect(lists.length).toBeGreaterThan(deliveryStreams.length);
    expect(lists.every((entry) => entry.query.get_tracked_responses === 'true')).toBe(true);
    for (const stream of deliveryStreams) {
      const records = recordsOf(result.messages, stream);
      expect(records.length, stream).toBeGreaterThan(0);
      expect(
        records.every((record) => typeof record.tracked_responses === 'object'),
        stream,
      ).toBe(true);
    }
    const answered = recordsOf(result.messages, 'messages').filter(
      (record) => Object.keys(record.tracked_responses as JsonObject).length > 0,
    );
    expect(answered.length).toBeGreaterThan(0);
    for (const record of answered) {
      expect(record.type).toBe('in_app');
      for (const response of Object.values(record.tracked_responses as Record<string, JsonObject>)) {
        expect(response).toEqual({ id: expect.any(String), ts: expect.any(Number) });
      }
    }
  });
});

describe('sender identities', () => {
  test('hidden=true includes the hidden senders; each sender is emitted once, from the list matching its flag', async () => {
    sim.resetStats();
    const result = await readStreams(['sender_identities']);
    expect(result.exitCode).toBe(0);
    const senders = recordsOf(result.messages, 'sender_identities');
    const ids = senders.map((sender) => sender.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(sim.workspace.senderIdentities.map((sender) => sender.id).sort());
    expect(senders.some((sender) => sender.hidden === true)).toBe(true);
    const asked = requestsTo(/^\/v1\/sender_identities$/).map((entry) => entry.query.hidden);
    expect(new Set(asked)).toEqual(new Set(['false', 'true']));
  });
});

describe('a key of the other data center', () => {
  let wrong: Simulator;
  beforeAll(async () => {
    wrong = await startSimulator({ requestsPerSecond: null, wrongDatacenter: true });
  });
  afterAll(async () => {
    await wrong.close();
  });
  const config = () => simulatorConfig(wrong, { requests_per_second: 1000 });

  test('check fails with a message telling to change region', async () => {
    const result = await runConnector('check', { config: config() });
    expect(result.exitCode).toBe(0);
    expect(protocolProblems(result)).toEqual([]);
    const statuses = ofType(result.messages, 'CONNECTION_STATUS').map((m) => m.connectionStatus);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]?.status).toBe('FAILED');
    expect(statuses[0]?.message).toMatch(/wrong datacenter.*Change "region"/);
  });

  test('read fails every stream with a config_error telling to change region, without retrying', async () => {
    wrong.resetStats();
    const result = await runConnector('read', {
      config: config(),
      catalog: configuredCatalog(['campaigns', 'segments']),
    });
    expect(protocolProblems(result)).toEqual([]);
    const errors = errorsOf(result.messages);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.failure_type).toBe('config_error');
      expect(error.message).toMatch(/Change "region"/);
    }
    for (const stream of ['campaigns', 'segments']) {
      expect(statusesOf(result.messages, stream).at(-1)).toBe('INCOMPLETE');
    }
    expect(wrong.stats.byStatus[301]).toBeLessThanOrEqual(2);
  });
});

describe('types that follow the API', () => {
  test('broadcast action ids are integers, as their metrics action_id; audience filters stay as sent', async () => {
    const result = await readStreams(['broadcast_actions', 'broadcast_action_metrics', 'campaigns'], {
      start_date: '2020-01-01T00:00:00Z',
    });
    expect(result.exitCode).toBe(0);
    const actions = recordsOf(result.messages, 'broadcast_actions');
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((action) => Number.isInteger(action.id))).toBe(true);
    const actionIds = new Set(actions.map((action) => action.id));
    const metrics = recordsOf(result.messages, 'broadcast_action_metrics');
    expect(metrics.every((record) => actionIds.has(record.action_id))).toBe(true);
    const audiences = recordsOf(result.messages, 'campaigns').flatMap((campaign) =>
      campaign.audience == null ? [] : [campaign.audience as JsonObject],
    );
    const kinds = new Set(audiences.map((audience) => typeof audience.person_filters));
    expect(kinds).toEqual(new Set(['object', 'string']));
    expect(errorsOf(result.messages)).toEqual([]);
  });

  test('customer_messages.msg_template_id is a string, as the spec types it for that endpoint', async () => {
    const result = await readStreams(['customer_messages'], {
      customers_filter: JSON.stringify({ segment: { id: sim.workspace.segments[0]?.id } }),
    });
    expect(result.exitCode).toBe(0);
    const templates = recordsOf(result.messages, 'customer_messages')
      .map((record) => record.msg_template_id)
      .filter((value) => value !== null);
    expect(templates.length).toBeGreaterThan(0);
    expect(templates.every((value) => typeof value === 'string' && /^\d+$/.test(value))).toBe(true);
  });
});
