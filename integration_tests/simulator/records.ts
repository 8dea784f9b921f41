// Wire shapes of the records the simulator serves, as the App API sends them (reference §5 and §10).
// Optional keys are left out of the JSON entirely, as the live API does for variant-specific fields.
// Timestamps are integer epoch seconds.

export interface ItemRef {
  id: number;
  type: string;
}

export interface AccountWorkspace {
  id: number;
  name: string;
  messages_sent: number;
  billable_messages_sent: number;
  people: number;
  objects: number;
  object_types: number;
}

export type CampaignTrigger = 'segment' | 'event' | 'date' | 'webhook' | 'object' | 'relationship';
export type CampaignState = 'draft' | 'running' | 'stopped';

export interface CampaignAudience {
  type: number;
  /** An object (the spec's type) or the same JSON document serialized as a string (live examples). */
  person_filters: string | Record<string, unknown>;
  relationship_filters: string | Record<string, unknown>;
}

export interface Campaign {
  id: number;
  deduplicate_id: string;
  name: string;
  type: CampaignTrigger;
  description: string;
  created: number;
  updated: number;
  active: boolean;
  state: CampaignState;
  first_started: number;
  created_by: string;
  tags: string[];
  actions: ItemRef[];
  msg_templates: ItemRef[];
  trigger_segment_ids: number[];
  filter_segment_ids: number[];
  event_name?: string;
  event_type?: string;
  date_attribute?: string;
  frequency?: string;
  timezone?: string;
  start_hour?: number;
  start_minutes?: number;
  use_customer_timezone?: boolean;
  webhook_id?: number;
  object_type_id?: number;
  audience?: CampaignAudience;
  object_attribute_triggers?: string;
  relationship_attribute_triggers?: string;
  filter_object_attributes?: string;
  filter_relationship_attributes?: string;
  scheduled_start?: number;
  scheduled_start_should_backfill?: boolean;
  scheduled_stop?: number;
  scheduled_stop_should_sunset?: boolean;
}

export type ActionType = 'email' | 'webhook' | 'twilio' | 'push' | 'attribute_update';
export type SendingState = 'automatic' | 'draft' | 'off';

/** The message fields every action carries, in campaigns and broadcasts alike; each variant leaves some out. */
export interface ActionContent {
  editor?: string;
  layout?: string;
  preprocessor?: string;
  subject?: string;
  preheader_text?: string;
  body?: string;
  body_amp?: string;
  body_plain?: string;
  body_json?: string;
  from?: string;
  from_id?: number;
  reply_to?: string;
  reply_to_id?: number | null;
  recipient?: string;
  bcc?: string;
  cc?: string;
  fake_bcc?: boolean;
  headers?: string;
  send_to_unsubscribed?: boolean;
  tracked?: boolean;
  sender_identity_id?: number;
  recipient_environment_id?: number;
  image_url?: string;
  url?: string;
  method?: string;
  request_method?: string;
}

export interface CampaignAction extends ActionContent {
  /** A JSON string on the wire (live quirk), while `Campaign.actions[].id` is an integer. */
  id: string;
  campaign_id: number;
  deduplicate_id: string;
  name: string;
  type: ActionType;
  created: number;
  updated: number;
  sending_state: SendingState;
  language: string;
  parent_action_id?: number;
  multi_language_branch_action_id?: number;
}

export interface Broadcast {
  id: number;
  deduplicate_id: string;
  name: string;
  type: 'triggered_broadcast';
  state: 'running' | 'draft';
  active: boolean;
  created: number;
  updated: number;
  first_started: number;
  tags: string[];
  actions: ItemRef[];
  msg_template_ids: ItemRef[];
}

export type NewsletterType = 'email' | 'webhook' | 'twilio' | 'push' | 'in_app' | 'inbox';

export interface Newsletter {
  id: number;
  deduplicate_id: string;
  name: string;
  type: NewsletterType;
  created: number;
  updated: number;
  sent_at: number | null;
  content_ids: number[];
  recipient_segment_ids: number[];
  tags: string[];
  send_state: 'draft' | 'scheduled' | 'sent';
  scheduled_at: number | null;
  timezone: string;
  tz_match_enabled: boolean;
  subscription_topic_id?: number;
  expires_after?: number;
  recipient_file_status?: string;
  recipient_file_error?: string;
}

export interface SegmentCondition {
  and: { attribute: { field: string; operator: string; value: string } }[];
}

export interface Segment {
  id: number;
  deduplicate_id: string;
  name: string;
  description: string;
  type: 'dynamic' | 'manual';
  state: 'events' | 'build' | 'events_queued' | 'build_queued' | 'finished';
  progress: number | null;
  tags: string[] | null;
  created_at: number;
  updated_at: number;
  conditions?: SegmentCondition;
}

export interface SenderIdentity {
  id: number;
  name: string;
  email: string;
  address: string;
  phone: string;
  template_type: 'email' | 'phone';
  auto_generated: boolean;
  hidden: boolean;
  deduplicate_id: string;
}
