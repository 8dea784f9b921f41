import { expect, test } from 'vitest';
import { familyProbes } from '../src/probes.js';
import { allStreams } from '../src/streams/index.js';

const probes = familyProbes(allStreams());

test("check's probes cover every catalog stream once, but the two that need none", () => {
  const probed = probes.flatMap((probe) => probe.streams);
  expect(new Set(probed).size).toBe(probed.length);
  // workspaces is check's own first request; ip_addresses needs no key.
  const unprobed = allStreams()
    .map((stream) => stream.name)
    .filter((name) => !probed.includes(name));
  expect(unprobed).toEqual(['workspaces', 'ip_addresses']);
});

test('check sends one request per family, in catalog order, as before the stream table', () => {
  expect(
    probes.map(({ method, path, params }) => `${method ?? 'GET'} ${path} ${JSON.stringify(params ?? {})}`),
  ).toEqual([
    'GET /v1/campaigns {}',
    'GET /v1/broadcasts {}',
    'GET /v1/newsletters {"limit":1}',
    'GET /v1/transactional {}',
    'GET /v1/messages {"limit":1}',
    'GET /v1/activities {"limit":1}',
    'GET /v1/segments {}',
    'POST /v1/customers {"limit":1}',
    'GET /v1/optouts {"limit":1}',
    'GET /v1/object_types {}',
    'GET /v1/exports {}',
    'GET /v1/collections {}',
    'GET /v1/snippets {}',
    'GET /v1/sender_identities {"limit":1}',
    'GET /v1/subscription_topics {}',
    'GET /v1/subscription_channels {}',
    'GET /v1/reporting_webhooks {}',
    'GET /v1/esp/suppression/bounces {"limit":1}',
  ]);
  const customers = probes.find((probe) => probe.path === '/v1/customers');
  expect(customers?.body).toEqual({
    filter: { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] },
  });
  expect(customers?.streams).toEqual([
    'customers',
    'customer_segments',
    'customer_messages',
    'customer_activities',
    'customer_relationships',
    'customer_subscription_preferences',
  ]);
  expect(probes.find((probe) => probe.path === '/v1/campaigns')?.streams).toContain(
    'campaign_journey_metrics',
  );
  expect(probes.find((probe) => probe.path === '/v1/broadcasts')?.streams).toContain(
    'broadcast_trigger_errors',
  );
});
