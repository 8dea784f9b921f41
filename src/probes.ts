import type { ApiClient } from './api-client.js';
import { EVERYONE_FILTER } from './config.js';
import { ForbiddenError, RequestCancelledError } from './errors.js';
import type { JsonObject } from './protocol.js';

interface Probe {
  path: string;
  method?: 'POST';
  params?: Record<string, string | number | boolean>;
  body?: JsonObject;
  /** The streams that read this endpoint or its children. */
  streams: string[];
}

/** One cheap request per family of streams, to tell which the key's scope forbids. */
const PROBES: Probe[] = [
  {
    path: '/v1/campaigns',
    streams: [
      'campaigns',
      'campaign_actions',
      'campaign_metrics',
      'campaign_action_metrics',
      'campaign_link_metrics',
      'campaign_action_link_metrics',
      'campaign_messages',
    ],
  },
  {
    path: '/v1/broadcasts',
    streams: [
      'broadcasts',
      'broadcast_actions',
      'broadcast_triggers',
      'broadcast_metrics',
      'broadcast_action_metrics',
      'broadcast_metrics_monthly',
      'broadcast_action_metrics_monthly',
      'broadcast_link_metrics',
      'broadcast_action_link_metrics',
      'broadcast_messages',
    ],
  },
  {
    path: '/v1/newsletters',
    params: { limit: 1 },
    streams: [
      'newsletters',
      'newsletter_variants',
      'newsletter_test_groups',
      'newsletter_metrics',
      'newsletter_metrics_monthly',
      'newsletter_link_metrics',
      'newsletter_variant_link_metrics',
      'newsletter_messages',
    ],
  },
  {
    path: '/v1/transactional',
    streams: [
      'transactional_messages',
      'transactional_message_variants',
      'transactional_message_metrics',
      'transactional_message_metrics_monthly',
      'transactional_message_link_metrics',
      'transactional_message_deliveries',
    ],
  },
  { path: '/v1/messages', params: { limit: 1 }, streams: ['messages'] },
  { path: '/v1/activities', params: { limit: 1 }, streams: ['activities'] },
  { path: '/v1/segments', streams: ['segments', 'segment_membership', 'segment_usage'] },
  {
    path: '/v1/customers',
    method: 'POST',
    params: { limit: 1 },
    body: { filter: EVERYONE_FILTER },
    streams: [
      'customers',
      'customer_segments',
      'customer_messages',
      'customer_activities',
      'customer_relationships',
    ],
  },
  { path: '/v1/object_types', streams: ['object_types', 'objects'] },
  { path: '/v1/exports', streams: ['exports'] },
  { path: '/v1/collections', streams: ['collections'] },
  { path: '/v1/snippets', streams: ['snippets'] },
  { path: '/v1/sender_identities', params: { limit: 1 }, streams: ['sender_identities'] },
  { path: '/v1/subscription_topics', streams: ['subscription_topics'] },
  { path: '/v1/subscription_channels', streams: ['subscription_channels'] },
  { path: '/v1/reporting_webhooks', streams: ['reporting_webhooks'] },
  { path: '/v1/esp/suppression/bounces', params: { limit: 1 }, streams: ['esp_suppressions'] },
];

export interface ProbeOutcome {
  /** Streams whose endpoints answer 403 to this key. */
  forbidden: string[];
  /** Endpoints that had not answered when the check's deadline came (`GET /v1/messages`), with their streams. */
  unanswered: Array<{ endpoint: string; streams: string[] }>;
}

/**
 * One request per family of streams, at once, through a client whose requests are cancelled at the
 * check's deadline. Failures other than 403 are left to the read, which retries them.
 */
export async function probeStreams(client: ApiClient): Promise<ProbeOutcome> {
  const outcomes = await Promise.allSettled(
    PROBES.map((probe) =>
      client.request(probe.path, {
        ...(probe.method === undefined ? {} : { method: probe.method }),
        ...(probe.params === undefined ? {} : { params: probe.params }),
        ...(probe.body === undefined ? {} : { body: probe.body }),
      }),
    ),
  );
  const failedWith = (index: number, type: new (...args: never[]) => Error): boolean => {
    const outcome = outcomes[index];
    return outcome?.status === 'rejected' && outcome.reason instanceof type;
  };
  return {
    forbidden: PROBES.flatMap((probe, index) => (failedWith(index, ForbiddenError) ? probe.streams : [])),
    unanswered: PROBES.flatMap((probe, index) =>
      failedWith(index, RequestCancelledError)
        ? [{ endpoint: `${probe.method ?? 'GET'} ${probe.path}`, streams: probe.streams }]
        : [],
    ),
  };
}
