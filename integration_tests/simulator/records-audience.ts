// Wire shapes of people, deliveries, activities and transactional messages (reference §5.5–5.8 and §10),
// plus the simulator-side state behind them (a person's segments, relationships and deletion).

export interface PersonIdentifiers {
  cio_id: string;
  email: string | null;
  id: string | null;
}

export interface PersonDevice {
  /** The push token. */
  id: string;
  platform: 'ios' | 'android';
  last_used: number;
  /** All values strings, as the live API sends them. */
  attributes: Record<string, string>;
}

/** A person's relationship to an object, as GET /v1/customers/{id}/relationships lists it. */
export interface PersonRelationship {
  object_type_id: number;
  object_id: string;
  cio_object_id: string;
  attributes: Record<string, string>;
  timestamps: Record<string, number>;
}

/** A person: the profile the App API serves plus the simulator's state about them. */
export interface Person {
  /** Raw, without the `cio_` prefix. */
  cio_id: string;
  /** Null for people identified by email only. */
  id: string | null;
  /** Null for people identified by id only. */
  email: string | null;
  /** Every value a string (numbers and JSON documents included), as on the wire. */
  attributes: Record<string, string>;
  /** Attribute name → unix time it was set; `_cio_subscription_preferences_computed` is always 0. */
  timestamps: Record<string, number>;
  unsubscribed: boolean;
  devices: PersonDevice[];
  /** Segments the person is a member of. */
  segment_ids: number[];
  relationships: PersonRelationship[];
  /** Deleted people appear in no search or lookup; only their activities remain (with `deleted=true`). */
  deleted: boolean;
}

/** An item of POST /v1/customers/attributes (live: unwrapped) and GET /v1/customers/{id}/attributes. */
export interface CustomerAttributesItem {
  id: string | null;
  identifiers: PersonIdentifiers;
  attributes: Record<string, string>;
  timestamps: Record<string, number>;
  unsubscribed: boolean;
  devices: PersonDevice[];
}

export type DeliveryType = 'email' | 'webhook' | 'twilio' | 'slack' | 'push' | 'in_app';

/** A delivery ("message") as GET /v1/messages and the per-parent and per-person lists serve it. */
export interface MessageDelivery {
  id: string;
  deduplicate_id: string;
  msg_template_id: number | null;
  /** Deprecated duplicate of msg_template_id. */
  message_template_id: number | null;
  created: number;
  type: DeliveryType;
  recipient: string;
  subject: string;
  customer_id: string | null;
  customer_identifiers: PersonIdentifiers | null;
  campaign_id: number | null;
  /** An integer here, while campaign action records carry their id as a string. */
  action_id: number | null;
  parent_action_id: number | null;
  broadcast_id: number | null;
  newsletter_id: number | null;
  content_id: number | null;
  transactional_message_id: number | null;
  trigger_event_id: string | null;
  failure_message: string | null;
  forgotten: boolean;
  /** Metric name → unix time; only the metrics recorded so far. */
  metrics: Record<string, number>;
  /** In-app survey answers, `{option: {id, ts}}`: only in lists asked with `get_tracked_responses=true`. */
  tracked_responses?: Record<string, { id: string; ts: number }>;
}

/** An entry of the workspace activity log (GET /v1/activities, GET /v1/customers/{id}/activities). */
export interface Activity {
  /** ULID-like; sorts with the timestamp. */
  id: string;
  type: string;
  name: string;
  timestamp: number;
  customer_id: string | null;
  customer_identifiers: PersonIdentifiers | null;
  delivery_id?: string;
  delivery_type?: string;
  url?: string;
  data: Record<string, unknown>;
}

export interface TransactionalMessage {
  id: number;
  name: string;
  description: string;
  trigger_name: string;
  send_to_unsubscribed: boolean;
  link_tracking: boolean;
  open_tracking: boolean;
  hide_message_body: boolean;
  queue_drafts: boolean;
  created_at: number;
  updated_at: number;
}

/** A variant (language) of a transactional message: GET /v1/transactional/{id}/contents. */
export interface TransactionalContent {
  id: number;
  name: string;
  type: 'email' | 'push';
  language: string;
  subject: string;
  body: string;
  body_amp: string;
  preheader_text: string;
  from: string;
  from_id: number;
  reply_to: string;
  reply_to_id: number | null;
  recipient: string;
  bcc: string;
  cc: string;
  fake_bcc: boolean;
  headers: string;
  preprocessor: string;
  created: number;
  updated: number;
}

export interface SegmentUsage {
  campaigns: number[];
  draft_newsletters: number[];
  sent_newsletters: number[];
}
