import type { JsonObject } from '@cio-connectors/kit/json';
import { ActivitiesStream } from './activities.js';
import type { Stream } from './base.js';
import { CustomerActivitiesStream } from './customer-activities.js';
import { CustomerMessagesStream } from './customer-messages.js';
import { CustomerRelationshipsStream } from './customer-relationships.js';
import { CustomerSegmentsStream } from './customer-segments.js';
import { CustomerSubscriptionPreferencesStream } from './customer-subscription-preferences.js';
import { CustomersStream } from './customers.js';
import { parentDeliveries } from './deliveries.js';
import { journeyMetrics } from './journey-metrics.js';
import { linkMetrics } from './link-metrics.js';
import { childList, list, perParent } from './lists.js';
import { MessagesStream } from './messages.js';
import { dailyMetrics } from './metrics.js';
import { monthlyMetrics } from './monthly-metrics.js';
import { ObjectsStream } from './objects.js';
import { segmentUsage, triggerError, withoutCredentials } from './record-steps.js';
import { SegmentMembershipStream } from './segment-membership.js';
import { segmentSize } from './segments.js';

const SUPPRESSION_TYPES = ['bounces', 'blocks', 'spam_reports', 'invalid_emails'] as const;

/**
 * Every stream of the catalog, in discover order: one entry per stream, each a family's factory (or, for the
 * streams with logic of their own, their class) and what differs. Parents are built once and handed to their
 * children, so the catalog holds one object per stream. `check`'s probes are derived from it (probes.ts).
 */
export function allStreams(): Stream[] {
  // Parents: lists whose records other streams read per record.
  const campaigns = list({
    name: 'campaigns',
    path: '/v1/campaigns',
    envelopeKey: 'campaigns',
    cursorField: 'updated',
    partitionFields: ['id', 'created'],
    item: { path: '/v1/campaigns/{id}', fields: { campaign_id: 'id' } },
  });
  const campaignActions = childList(campaigns, {
    name: 'campaign_actions',
    resource: 'actions',
    cursorField: 'updated',
    partitionFields: ['campaign_id', 'id', 'created'],
    item: {
      path: '/v1/campaigns/{campaign_id}/actions/{id}',
      fields: { campaign_id: 'campaign_id', action_id: 'id' },
    },
  });
  const broadcasts = list({
    name: 'broadcasts',
    path: '/v1/broadcasts',
    envelopeKey: 'broadcasts',
    cursorField: 'updated',
    partitionFields: ['id', 'created'],
    item: { path: '/v1/broadcasts/{id}', fields: { broadcast_id: 'id' } },
  });
  const broadcastActions = childList(broadcasts, {
    name: 'broadcast_actions',
    resource: 'actions',
    cursorField: 'updated',
    partitionFields: ['broadcast_id', 'id', 'created'],
    item: {
      path: '/v1/broadcasts/{broadcast_id}/actions/{id}',
      fields: { broadcast_id: 'broadcast_id', action_id: 'id' },
    },
  });
  const newsletters = list({
    name: 'newsletters',
    path: '/v1/newsletters',
    envelopeKey: 'newsletters',
    cursorField: 'updated',
    // No documented maximum; 100 is what the API is known to honour.
    pageSize: 100,
    partitionFields: ['id', 'created'],
    item: { path: '/v1/newsletters/{id}', fields: { newsletter_id: 'id' } },
    probe: { path: '/v1/newsletters', params: { limit: 1 } },
  });
  const newsletterVariants = childList(newsletters, {
    name: 'newsletter_variants',
    resource: 'contents',
    cursorField: 'updated',
    partitionFields: ['newsletter_id', 'id'],
    item: {
      path: '/v1/newsletters/{newsletter_id}/contents/{id}',
      fields: { newsletter_id: 'newsletter_id', content_id: 'id' },
    },
  });
  const transactionalMessages = list({
    name: 'transactional_messages',
    path: '/v1/transactional',
    envelopeKey: 'messages',
    cursorField: 'updated_at',
    partitionFields: ['id', 'created_at'],
    item: { path: '/v1/transactional/{id}', fields: { transactional_message_id: 'id' } },
  });
  // Each segment emitted with its size (one count request per segment emitted: see segments.ts).
  const segments = list({
    name: 'segments',
    path: '/v1/segments',
    envelopeKey: 'segments',
    cursorField: 'updated_at',
    partitionFields: ['id', 'customer_count'],
    lookup: segmentSize,
  });
  const broadcastTriggers = childList(broadcasts, {
    name: 'broadcast_triggers',
    resource: 'triggers',
    partitionFields: ['broadcast_id', 'id'],
  });
  const objectTypes = list({ name: 'object_types', path: '/v1/object_types', envelopeKey: 'types' });
  // Also what bulk customer_subscription_preferences joins each person's choices with.
  const subscriptionTopics = list({
    name: 'subscription_topics',
    path: '/v1/subscription_topics',
    envelopeKey: 'topics',
  });
  const objects = new ObjectsStream(objectTypes);

  return [
    // Automation and messaging
    campaigns,
    campaignActions,
    dailyMetrics(campaigns, { name: 'campaign_metrics', version: 2 }),
    dailyMetrics(campaignActions, { name: 'campaign_action_metrics', version: 2 }),
    linkMetrics(campaigns, { name: 'campaign_link_metrics' }),
    linkMetrics(campaignActions, { name: 'campaign_action_link_metrics' }),
    journeyMetrics(campaigns),
    parentDeliveries(campaigns, { name: 'campaign_messages' }),
    broadcasts,
    broadcastActions,
    broadcastTriggers,
    // One record per error string, keyed by its place in the list (note the /campaigns/ prefix). The docs give
    // `limit` no default or maximum: 100, the smallest documented maximum of the App API's lists.
    perParent(broadcastTriggers, {
      name: 'broadcast_trigger_errors',
      path: '/v1/campaigns/{broadcast_id}/triggers/{id}/errors',
      envelopeKey: 'errors',
      primaryKey: [['broadcast_id'], ['trigger_id'], ['index']],
      parentFields: { broadcast_id: 'broadcast_id', trigger_id: 'id' },
      pageSize: 100,
      transform: triggerError,
    }),
    dailyMetrics(broadcasts, { name: 'broadcast_metrics', version: 1 }),
    dailyMetrics(broadcastActions, { name: 'broadcast_action_metrics', version: 1 }),
    monthlyMetrics(broadcasts, { name: 'broadcast_metrics_monthly' }),
    monthlyMetrics(broadcastActions, { name: 'broadcast_action_metrics_monthly' }),
    linkMetrics(broadcasts, { name: 'broadcast_link_metrics' }),
    linkMetrics(broadcastActions, { name: 'broadcast_action_link_metrics' }),
    parentDeliveries(broadcasts, { name: 'broadcast_messages' }),
    newsletters,
    newsletterVariants,
    childList(newsletters, { name: 'newsletter_test_groups', resource: 'test_groups' }),
    dailyMetrics(newsletters, { name: 'newsletter_metrics', version: 1 }),
    monthlyMetrics(newsletters, { name: 'newsletter_metrics_monthly' }),
    linkMetrics(newsletters, { name: 'newsletter_link_metrics' }),
    linkMetrics(newsletterVariants, { name: 'newsletter_variant_link_metrics' }),
    parentDeliveries(newsletters, { name: 'newsletter_messages' }),
    transactionalMessages,
    childList(transactionalMessages, {
      name: 'transactional_message_variants',
      resource: 'contents',
      cursorField: 'updated',
    }),
    dailyMetrics(transactionalMessages, { name: 'transactional_message_metrics', version: 1 }),
    monthlyMetrics(transactionalMessages, { name: 'transactional_message_metrics_monthly' }),
    linkMetrics(transactionalMessages, { name: 'transactional_message_link_metrics' }),
    parentDeliveries(transactionalMessages, { name: 'transactional_message_deliveries' }),
    new MessagesStream(),
    new ActivitiesStream(),
    // Audience
    segments,
    new SegmentMembershipStream(segments),
    // What uses each segment: one record per segment.
    perParent(segments, {
      name: 'segment_usage',
      path: '/v1/segments/{id}/used_by',
      envelopeKey: 'used_by',
      primaryKey: [['segment_id']],
      parentFields: { segment_id: 'id' },
      extract: segmentUsage,
    }),
    new CustomersStream(),
    new CustomerSegmentsStream(segments),
    new CustomerMessagesStream(),
    new CustomerActivitiesStream(),
    new CustomerRelationshipsStream(objectTypes, objects),
    new CustomerSubscriptionPreferencesStream(subscriptionTopics),
    // SMS and WhatsApp opt-outs carry no time: full refresh only.
    list({
      name: 'optouts',
      path: '/v1/optouts',
      envelopeKey: 'optouts',
      primaryKey: [['cio_id']],
      pageSize: 1000,
      probe: { path: '/v1/optouts', params: { limit: 1 } },
    }),
    objectTypes,
    objects,
    // Workspace and reference data
    list({ name: 'exports', path: '/v1/exports', envelopeKey: 'exports', cursorField: 'updated_at' }),
    list({
      name: 'collections',
      path: '/v1/collections',
      envelopeKey: 'collections',
      cursorField: 'updated_at',
    }),
    list({
      name: 'snippets',
      path: '/v1/snippets',
      envelopeKey: 'snippets',
      primaryKey: [['name']],
      cursorField: 'updated_at',
    }),
    // Two lists, hidden=false and hidden=true. The spec says hidden=true includes the hidden senders (live, it
    // answered only those), so each keeps the senders whose own `hidden` flag matches: each is emitted once.
    list({
      name: 'sender_identities',
      path: '/v1/sender_identities',
      envelopeKey: 'sender_identities',
      pageSize: 100,
      probe: { path: '/v1/sender_identities', params: { limit: 1 } },
      slices: () =>
        [false, true].map((hidden) => ({
          params: { hidden },
          belongs: (sender: JsonObject) => (sender.hidden === true) === hidden,
        })),
    }),
    subscriptionTopics,
    list({ name: 'subscription_channels', path: '/v1/subscription_channels', envelopeKey: 'channels' }),
    list({
      name: 'reporting_webhooks',
      path: '/v1/reporting_webhooks',
      envelopeKey: 'reporting_webhooks',
      transform: (item) => {
        const webhook = item as JsonObject;
        return { ...webhook, endpoint: withoutCredentials(webhook.endpoint) };
      },
    }),
    // check's own first request reads it.
    list({ name: 'workspaces', path: '/v1/workspaces', envelopeKey: 'workspaces', probe: null }),
    // The addresses Customer.io sends webhooks from, one record per address; they need no key.
    list({
      name: 'ip_addresses',
      path: '/v1/info/ip_addresses',
      envelopeKey: 'ip_addresses',
      primaryKey: [['ip_address']],
      transform: (address) => ({ ip_address: address }),
      probe: null,
    }),
    // Each suppression type of each domain of esp_suppression_domains (without domains, the workspace's default
    // list, domain null). Offset pages: a suppression lifted mid-read shifts the rest by one, so a cursor could
    // move past a record for good; full refresh only, and the next full read picks it up.
    list({
      name: 'esp_suppressions',
      path: '/v1/esp/suppression',
      envelopeKey: 'suppressions',
      primaryKey: [['suppression_type'], ['domain'], ['email']],
      pagination: 'offset',
      pageSize: 1000,
      probe: { path: '/v1/esp/suppression/bounces', params: { limit: 1 } },
      slices: (context) => {
        const domains = context.config.espSuppressionDomains;
        return (domains.length === 0 ? [null] : domains).flatMap((domain) =>
          SUPPRESSION_TYPES.map((type) => ({
            path: `/v1/esp/suppression/${type}`,
            ...(domain === null ? {} : { params: { domain } }),
            fields: { suppression_type: type, domain },
          })),
        );
      },
    }),
  ];
}
