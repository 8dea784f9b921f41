// Turns one compact delivery row (parent slot, person, created, seed) into the API's delivery object.
// Everything except the four columns is derived from the row's seed, so a million deliveries cost a
// few typed arrays instead of a million objects.

import { SENDING_DOMAIN } from './content.js';
import { hash32 } from './hash.js';
import { SeededRandom } from './random.js';
import type { DeliveryType, MessageDelivery, Person } from './records-audience.js';
import { WORKSPACE_NOW } from './time.js';

export type DeliveryParentKind = 'campaign' | 'broadcast' | 'newsletter' | 'transactional';

/** What deliveries of one parent (campaign action, broadcast action, newsletter variant, transactional variant) share. */
export interface DeliverySlot {
  kind: DeliveryParentKind;
  parentId: number;
  actionId: number | null;
  parentActionId: number | null;
  contentId: number | null;
  templateId: number | null;
  type: DeliveryType;
  subject: string;
  eventTriggered: boolean;
}

export interface DeliveryRow {
  row: number;
  created: number;
  seed: number;
  slot: DeliverySlot;
  person: Person | undefined;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-like id: 10 characters of millisecond time, 16 random ones. */
export function ulid(random: SeededRandom, unixSeconds: number): string {
  let time = unixSeconds * 1000 + random.int(0, 999);
  let head = '';
  for (let index = 0; index < 10; index++) {
    head = (CROCKFORD[time % 32] ?? '0') + head;
    time = Math.floor(time / 32);
  }
  let tail = '';
  for (let index = 0; index < 16; index++) tail += CROCKFORD[random.int(0, 31)] ?? '0';
  return head + tail;
}

const KIND_CODES: Record<DeliveryParentKind, number> = {
  campaign: 1,
  broadcast: 2,
  newsletter: 3,
  transactional: 4,
};

/** A base64url delivery id, unique per row, like the live ids (`dgOC9QUBAAK...`). */
function deliveryId(row: DeliveryRow): string {
  const bytes = Buffer.alloc(18);
  bytes.writeUInt8(0x76, 0);
  bytes.writeUInt8(0x03, 1);
  bytes.writeUInt8(KIND_CODES[row.slot.kind], 2);
  bytes.writeUInt32BE(row.created, 3);
  bytes.writeUInt32BE(row.row, 7);
  bytes.writeUInt32BE(row.seed, 11);
  bytes.writeUInt16BE(row.slot.parentId & 0xffff, 15);
  bytes.writeUInt8(row.seed & 0xff, 17);
  return bytes.toString('base64url');
}

interface Outcome {
  metrics: Record<string, number>;
  failure: string | null;
}

function outcome(random: SeededRandom, type: DeliveryType, created: number): Outcome {
  const metrics: Record<string, number> = {};
  const roll = random.float();
  const sent = created + random.int(0, 90);
  const later = (from: number, maxSeconds: number) => from + random.int(1, maxSeconds);
  switch (type) {
    case 'email': {
      if (roll < 0.03) {
        metrics.failed = created;
        const reason = random.pick([
          'Liquid error: undefined method `first_name` for nil',
          'suppressed: recipient is on the ESP suppression list',
          'invalid recipient address',
        ]);
        return { metrics, failure: reason };
      }
      metrics.sent = sent;
      if (roll < 0.07) {
        metrics.bounced = later(sent, 600);
        return { metrics, failure: '550 5.1.1 The email account that you tried to reach does not exist' };
      }
      if (!random.chance(0.96)) return { metrics, failure: null };
      const delivered = later(sent, 8 * 3600);
      metrics.delivered = delivered;
      if (random.chance(0.45)) {
        const opened = later(delivered, 3 * 86_400);
        metrics.opened = opened;
        if (random.chance(0.9)) metrics.human_opened = opened;
        else metrics.prefetch_opened = opened;
        if (random.chance(0.25)) {
          const clicked = later(opened, 3600);
          metrics.clicked = clicked;
          metrics.human_clicked = clicked;
          if (random.chance(0.15)) metrics.converted = later(clicked, 2 * 86_400);
        }
      }
      if (random.chance(0.01)) metrics.unsubscribed = later(delivered, 86_400);
      if (random.chance(0.005)) metrics.spammed = later(delivered, 86_400);
      return { metrics, failure: null };
    }
    case 'twilio':
      if (roll < 0.05) {
        metrics.failed = created;
        return { metrics, failure: '21610: Attempt to send to unsubscribed recipient' };
      }
      metrics.sent = sent;
      if (roll < 0.08) {
        metrics.undeliverable = later(sent, 600);
        return { metrics, failure: '30003: Unreachable destination handset' };
      }
      if (random.chance(0.95)) metrics.delivered = later(sent, 120);
      if (random.chance(0.05)) metrics.clicked = later(sent, 86_400);
      return { metrics, failure: null };
    case 'push':
      if (roll < 0.04) {
        metrics.failed = created;
        return { metrics, failure: 'device token is no longer registered' };
      }
      metrics.sent = sent;
      if (random.chance(0.9)) {
        metrics.delivered = later(sent, 60);
        if (random.chance(0.2)) metrics.opened = later(metrics.delivered, 86_400);
      }
      return { metrics, failure: null };
    case 'webhook':
    case 'slack':
      if (roll < 0.06) {
        metrics.failed = created;
        return { metrics, failure: `HTTP 500 from https://hooks.${SENDING_DOMAIN}/customerio` };
      }
      metrics.sent = sent;
      return { metrics, failure: null };
    case 'in_app':
      metrics.sent = sent;
      if (random.chance(0.4)) {
        metrics.opened = later(sent, 86_400);
        if (random.chance(0.1)) metrics.clicked = later(metrics.opened, 600);
      }
      return { metrics, failure: null };
  }
}

function recipient(random: SeededRandom, type: DeliveryType, person: Person | undefined): string {
  switch (type) {
    case 'email':
      return person?.email ?? `unknown.${random.hex(6)}@mail.example`;
    case 'twilio':
      return person?.attributes.phone ?? `+1555${random.int(1_000_000, 9_999_999)}`;
    case 'push':
      return person?.devices[0]?.id ?? random.hex(64);
    case 'webhook':
      return `https://hooks.${SENDING_DOMAIN}/customerio/${random.hex(8)}`;
    case 'slack':
      return '#customer-alerts';
    case 'in_app':
      return person?.id ?? person?.cio_id ?? '';
  }
}

export function materializeDelivery(row: DeliveryRow): MessageDelivery {
  const { slot, person, created } = row;
  const random = new SeededRandom(row.seed);
  const { metrics, failure } = outcome(random, slot.type, created);
  for (const [name, at] of Object.entries(metrics)) if (at > WORKSPACE_NOW) delete metrics[name];
  const id = deliveryId(row);
  const lastChange = Math.max(created, ...Object.values(metrics));
  const identifiers =
    person === undefined || random.chance(0.05)
      ? null
      : { cio_id: person.cio_id, email: person.email, id: person.id };
  return {
    id,
    deduplicate_id: `${id}:${lastChange}`,
    msg_template_id: slot.templateId,
    message_template_id: slot.templateId,
    created,
    type: slot.type,
    recipient: recipient(random, slot.type, person),
    subject: slot.type === 'email' ? slot.subject : '',
    customer_id: person?.id ?? null,
    customer_identifiers: identifiers,
    campaign_id: slot.kind === 'campaign' ? slot.parentId : null,
    action_id: slot.actionId,
    parent_action_id: slot.parentActionId,
    broadcast_id: slot.kind === 'broadcast' ? slot.parentId : null,
    newsletter_id: slot.kind === 'newsletter' ? slot.parentId : null,
    content_id: slot.contentId,
    transactional_message_id: slot.kind === 'transactional' ? slot.parentId : null,
    trigger_event_id: slot.eventTriggered ? ulid(random, created) : null,
    failure_message: failure,
    forgotten: random.chance(0.03),
    metrics,
  };
}

/** The answers an in-app survey offers; a response names the option chosen. */
const SURVEY_OPTIONS = ['very_likely', 'likely', 'not_sure', 'unlikely'] as const;

/**
 * The delivery as lists answer it with `get_tracked_responses=true`: `tracked_responses` is `{option: {id,
 * ts}}`, the survey option a person chose in an opened in-app message and when; `{}` for every other delivery.
 * Derived from the delivery id, so it never changes what the delivery's own seed produces.
 */
export function withTrackedResponses(delivery: MessageDelivery): MessageDelivery {
  const opened = delivery.metrics.opened;
  if (delivery.type !== 'in_app' || opened === undefined) return { ...delivery, tracked_responses: {} };
  const hash = hash32(`tracked:${delivery.id}`);
  const option = SURVEY_OPTIONS[hash % SURVEY_OPTIONS.length] ?? 'not_sure';
  const ts = Math.min(opened + (hash % 300) + 1, WORKSPACE_NOW);
  return { ...delivery, tracked_responses: { [option]: { id: `resp_${delivery.id.slice(0, 12)}`, ts } } };
}
