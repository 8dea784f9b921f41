import { ActivitiesStream } from './activities.js';
import type { Stream } from './base.js';
import { BroadcastActionLinkMetricsStream } from './broadcast-action-link-metrics.js';
import { BroadcastActionMetricsStream } from './broadcast-action-metrics.js';
import { BroadcastActionMetricsMonthlyStream } from './broadcast-action-metrics-monthly.js';
import { BroadcastActionsStream } from './broadcast-actions.js';
import { BroadcastLinkMetricsStream } from './broadcast-link-metrics.js';
import { BroadcastMessagesStream } from './broadcast-messages.js';
import { BroadcastMetricsStream } from './broadcast-metrics.js';
import { BroadcastMetricsMonthlyStream } from './broadcast-metrics-monthly.js';
import { BroadcastTriggersStream } from './broadcast-triggers.js';
import { BroadcastsStream } from './broadcasts.js';
import { CampaignActionLinkMetricsStream } from './campaign-action-link-metrics.js';
import { CampaignActionMetricsStream } from './campaign-action-metrics.js';
import { CampaignActionsStream } from './campaign-actions.js';
import { CampaignLinkMetricsStream } from './campaign-link-metrics.js';
import { CampaignMessagesStream } from './campaign-messages.js';
import { CampaignMetricsStream } from './campaign-metrics.js';
import { CampaignsStream } from './campaigns.js';
import { CollectionsStream } from './collections.js';
import { CustomerActivitiesStream } from './customer-activities.js';
import { CustomerMessagesStream } from './customer-messages.js';
import { CustomerRelationshipsStream } from './customer-relationships.js';
import { CustomerSegmentsStream } from './customer-segments.js';
import { CustomersStream } from './customers.js';
import { EspSuppressionsStream } from './esp-suppressions.js';
import { ExportsStream } from './exports.js';
import { IpAddressesStream } from './ip-addresses.js';
import { MessagesStream } from './messages.js';
import { NewsletterLinkMetricsStream } from './newsletter-link-metrics.js';
import { NewsletterMessagesStream } from './newsletter-messages.js';
import { NewsletterMetricsStream } from './newsletter-metrics.js';
import { NewsletterMetricsMonthlyStream } from './newsletter-metrics-monthly.js';
import { NewsletterTestGroupsStream } from './newsletter-test-groups.js';
import { NewsletterVariantLinkMetricsStream } from './newsletter-variant-link-metrics.js';
import { NewsletterVariantsStream } from './newsletter-variants.js';
import { NewslettersStream } from './newsletters.js';
import { ObjectTypesStream } from './object-types.js';
import { ObjectsStream } from './objects.js';
import { ReportingWebhooksStream } from './reporting-webhooks.js';
import { SegmentMembershipStream } from './segment-membership.js';
import { SegmentUsageStream } from './segment-usage.js';
import { SegmentsStream } from './segments.js';
import { SenderIdentitiesStream } from './sender-identities.js';
import { SnippetsStream } from './snippets.js';
import { SubscriptionChannelsStream } from './subscription-channels.js';
import { SubscriptionTopicsStream } from './subscription-topics.js';
import { TransactionalMessageDeliveriesStream } from './transactional-message-deliveries.js';
import { TransactionalMessageLinkMetricsStream } from './transactional-message-link-metrics.js';
import { TransactionalMessageMetricsStream } from './transactional-message-metrics.js';
import { TransactionalMessageMetricsMonthlyStream } from './transactional-message-metrics-monthly.js';
import { TransactionalMessageVariantsStream } from './transactional-message-variants.js';
import { TransactionalMessagesStream } from './transactional-messages.js';
import { WorkspacesStream } from './workspaces.js';

/** Every stream of the catalog, in discover order. */
export function allStreams(): Stream[] {
  return [
    // Automation and messaging
    new CampaignsStream(),
    new CampaignActionsStream(),
    new CampaignMetricsStream(),
    new CampaignActionMetricsStream(),
    new CampaignLinkMetricsStream(),
    new CampaignActionLinkMetricsStream(),
    new CampaignMessagesStream(),
    new BroadcastsStream(),
    new BroadcastActionsStream(),
    new BroadcastTriggersStream(),
    new BroadcastMetricsStream(),
    new BroadcastActionMetricsStream(),
    new BroadcastMetricsMonthlyStream(),
    new BroadcastActionMetricsMonthlyStream(),
    new BroadcastLinkMetricsStream(),
    new BroadcastActionLinkMetricsStream(),
    new BroadcastMessagesStream(),
    new NewslettersStream(),
    new NewsletterVariantsStream(),
    new NewsletterTestGroupsStream(),
    new NewsletterMetricsStream(),
    new NewsletterMetricsMonthlyStream(),
    new NewsletterLinkMetricsStream(),
    new NewsletterVariantLinkMetricsStream(),
    new NewsletterMessagesStream(),
    new TransactionalMessagesStream(),
    new TransactionalMessageVariantsStream(),
    new TransactionalMessageMetricsStream(),
    new TransactionalMessageMetricsMonthlyStream(),
    new TransactionalMessageLinkMetricsStream(),
    new TransactionalMessageDeliveriesStream(),
    new MessagesStream(),
    new ActivitiesStream(),
    // Audience
    new SegmentsStream(),
    new SegmentMembershipStream(),
    new SegmentUsageStream(),
    new CustomersStream(),
    new CustomerSegmentsStream(),
    new CustomerMessagesStream(),
    new CustomerActivitiesStream(),
    new CustomerRelationshipsStream(),
    new ObjectTypesStream(),
    new ObjectsStream(),
    // Workspace and reference data
    new ExportsStream(),
    new CollectionsStream(),
    new SnippetsStream(),
    new SenderIdentitiesStream(),
    new SubscriptionTopicsStream(),
    new SubscriptionChannelsStream(),
    new ReportingWebhooksStream(),
    new WorkspacesStream(),
    new IpAddressesStream(),
    new EspSuppressionsStream(),
  ];
}
