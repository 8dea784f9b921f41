// Wire shapes of broadcast and newsletter children, objects and workspace reference data (reference
// §5.2, §5.3, §5.9–5.12 and the official docs). Timestamps are integer epoch seconds.

import type { ActionContent } from './records.js';

/**
 * A broadcast action. Like campaign actions, `id` is a JSON string on the wire; `broadcast_id` is
 * declared by the spec but left out on some actions, as live action objects do.
 */
export interface BroadcastAction extends ActionContent {
  id: string;
  broadcast_id?: number;
  deduplicate_id: string;
  name: string;
  /** As in the broadcast's `actions` list: email, webhook, push, sms or slack. */
  type: string;
  created: number;
  updated: number;
  sending_state: 'automatic' | 'draft' | 'off';
  language: string;
}

export interface BroadcastTrigger {
  id: number;
  broadcast_id: number;
  created_at: number;
  /** 0 while the trigger is still queued. */
  processed_at: number;
}

/** One content of a newsletter: a language variant or an A/B test variant. */
export interface NewsletterVariant {
  id: number;
  newsletter_id: number;
  deduplicate_id: string;
  name: string;
  type: string;
  language: string;
  body: string;
  recipient: string;
  layout?: string;
  preprocessor?: string;
  subject?: string;
  preheader_text?: string;
  body_amp?: string;
  from?: string;
  from_id?: number;
  reply_to?: string;
  reply_to_id?: number | null;
  bcc?: string;
  cc?: string;
  fake_bcc?: boolean;
  headers?: string;
  /** Undocumented, returned live. */
  updated: number;
}

export interface NewsletterTestGroup {
  id: number;
  name: string;
  label: string;
  winner: boolean;
  content_ids: number[];
}

export interface ObjectType {
  /** An integer as a string. */
  id: string;
  name: string;
  singular_name: string;
  slug: string;
  singular_slug: string;
  icon: string;
  enabled: boolean;
}

/** An object as GET /v1/objects/{type}/{id}/attributes answers it (inside `{"object": ...}`). */
export interface CioObject {
  identifiers: { object_id: string; cio_object_id: string };
  object_type_id: string;
  /** Values are strings, as for people. */
  attributes: Record<string, string>;
  timestamps: Record<string, number>;
}

export interface Export {
  id: number;
  deduplicate_id: string;
  type: 'customers' | 'deliveries';
  status: 'done' | 'pending' | 'failed';
  failed: boolean;
  description: string;
  total: number;
  downloads: number;
  user_id: number;
  user_email: string;
  created_at: number;
  updated_at: number;
}

export interface Collection {
  id: number;
  name: string;
  schema: string[];
  rows: number;
  bytes: number;
  created_at: number;
  updated_at: number;
}

export interface Snippet {
  name: string;
  value: string;
  updated_at: number;
}

export interface SubscriptionTopic {
  id: number;
  identifier: string;
  name: string;
  description: string;
  subscribed_by_default: boolean;
}

export interface SubscriptionChannel {
  id: number;
  type: string;
  name: string;
  description: string;
  subscribed_by_default: boolean;
}

export interface ReportingWebhook {
  id: number;
  name: string;
  type: 'webhook' | 'js';
  /** May embed basic-auth credentials (`https://user:pass@host/...`). */
  endpoint: string;
  events: string[];
  disabled: boolean;
  full_resolution: boolean;
  with_content: boolean;
}

export const SUPPRESSION_TYPES = ['bounces', 'blocks', 'spam_reports', 'invalid_emails'] as const;
export type SuppressionType = (typeof SUPPRESSION_TYPES)[number];

export interface Suppression {
  email: string;
  created: number;
  reason: string;
  status: string;
}
