import {
  BRAND,
  emailAddress,
  FIRST_NAMES,
  LAST_NAMES,
  NEWSLETTER_TOPICS,
  SEGMENT_NAMES,
  SENDING_DOMAIN,
  TAGS,
  TIMEZONES,
} from './content.js';
import { IdSequence, type SeededRandom } from './random.js';
import type {
  AccountWorkspace,
  Broadcast,
  ItemRef,
  Newsletter,
  NewsletterType,
  Segment,
  SenderIdentity,
} from './records.js';
import { createdAndUpdated, DAY_SECONDS, timestampBetween, WORKSPACE_NOW } from './time.js';

/** Every third sender is hidden: 2 of the default 7. */
export function isHiddenSender(index: number): boolean {
  return index % 3 === 2;
}

export function generateSenderIdentities(random: SeededRandom, count: number): SenderIdentity[] {
  const ids = new IdSequence(1);
  return Array.from({ length: count }, (_, index) => {
    const id = ids.next(random, 2);
    const isPhone = index === 3;
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const name = index === 0 ? BRAND : `${first} at ${BRAND}`;
    const email = index === 0 ? `hello@${SENDING_DOMAIN}` : emailAddress(first, last);
    const phone = `+1555${random.int(1_000_000, 9_999_999)}`;
    return {
      id,
      name: isPhone ? `${BRAND} SMS` : name,
      email: isPhone ? '' : email,
      address: isPhone ? phone : `${name} <${email}>`,
      phone: isPhone ? phone : '',
      template_type: isPhone ? 'phone' : 'email',
      auto_generated: index === 0,
      hidden: isHiddenSender(index),
      deduplicate_id: `${id}:${timestampBetween(random, WORKSPACE_NOW - 700 * DAY_SECONDS, WORKSPACE_NOW)}`,
    };
  });
}

export function generateSegments(random: SeededRandom, count: number): Segment[] {
  const ids = new IdSequence(1);
  return Array.from({ length: count }, (_, index) => {
    const id = ids.next(random, 3);
    const [created_at, updated_at] = createdAndUpdated(random);
    const type = index % 4 === 3 ? 'manual' : 'dynamic';
    const state = segmentState(index, type);
    const baseName = SEGMENT_NAMES[index % SEGMENT_NAMES.length] ?? 'Segment';
    const segment: Segment = {
      id,
      deduplicate_id: `${id}:${updated_at}`,
      name:
        index < SEGMENT_NAMES.length
          ? baseName
          : `${baseName} ${Math.floor(index / SEGMENT_NAMES.length) + 1}`,
      description: random.chance(0.6) ? `People matching "${baseName}"` : '',
      type,
      state,
      progress: state === 'build' || state === 'build_queued' ? random.int(0, 99) : null,
      tags: index % 3 === 2 ? null : random.sample(TAGS, 0, 2),
      created_at,
      updated_at,
    };
    if (type === 'dynamic') {
      segment.conditions = {
        and: [
          {
            attribute: {
              field: random.pick(['plan', 'country', 'lifecycle_stage']),
              operator: 'eq',
              value: 'pro',
            },
          },
        ],
      };
    }
    return segment;
  });
}

function segmentState(index: number, type: Segment['type']): Segment['state'] {
  if (type === 'manual') return 'finished';
  if (index === 1) return 'build';
  if (index === 5) return 'build_queued';
  return index % 5 === 4 ? 'events' : 'finished';
}

export function generateBroadcasts(random: SeededRandom, count: number, actionIds: IdSequence): Broadcast[] {
  const ids = new IdSequence(1);
  const templateIds = new IdSequence(5_000);
  return Array.from({ length: count }, (_, index) => {
    const id = ids.next(random, 2);
    const [created, updated] = createdAndUpdated(random);
    const state = index === 1 ? 'draft' : random.pick<Broadcast['state']>(['running', 'running', 'draft']);
    const actionTypes = random.sample(['email', 'webhook', 'push', 'sms', 'slack'], 1, 3);
    const actions: ItemRef[] = actionTypes.map((type) => ({ id: actionIds.next(random, 3), type }));
    return {
      id,
      deduplicate_id: `${id}:${updated}`,
      name: `API broadcast: ${random.pick(NEWSLETTER_TOPICS)}`,
      type: 'triggered_broadcast',
      state,
      active: state === 'running',
      created,
      updated,
      first_started: state === 'draft' ? 0 : timestampBetween(random, created, updated),
      tags: random.sample(TAGS, 0, 2),
      actions,
      msg_template_ids: actions.map((action) => ({ id: templateIds.next(random), type: action.type })),
    };
  });
}

export function generateNewsletters(
  random: SeededRandom,
  count: number,
  segments: readonly Segment[],
): Newsletter[] {
  const ids = new IdSequence(1);
  const contentIds = new IdSequence(100);
  return Array.from({ length: count }, (_, index) => {
    const id = ids.next(random, 2);
    const [created, updated] = createdAndUpdated(random);
    const type = random.pick<NewsletterType>([
      'email',
      'email',
      'email',
      'email',
      'push',
      'in_app',
      'inbox',
      'twilio',
      'webhook',
    ]);
    const sendState =
      index === 1
        ? 'draft'
        : random.pick<Newsletter['send_state']>(['sent', 'sent', 'sent', 'draft', 'scheduled']);
    const recipientSegmentIds = random.sample(segments, 0, 2).map((segment) => segment.id);
    const newsletter: Newsletter = {
      id,
      deduplicate_id: `${id}:${updated}`,
      name: `${random.pick(NEWSLETTER_TOPICS)} ${index + 1}`,
      type,
      created,
      updated,
      sent_at: sendState === 'sent' ? timestampBetween(random, created, updated) : null,
      content_ids: Array.from({ length: random.int(1, 3) }, () => contentIds.next(random)),
      recipient_segment_ids: recipientSegmentIds,
      tags: random.sample(TAGS, 0, 2),
      send_state: sendState,
      scheduled_at:
        sendState === 'scheduled'
          ? timestampBetween(random, WORKSPACE_NOW, WORKSPACE_NOW + 30 * DAY_SECONDS)
          : null,
      timezone: random.pick(TIMEZONES),
      tz_match_enabled: random.chance(0.3),
    };
    if (random.chance(0.4)) newsletter.subscription_topic_id = random.int(1, 4);
    if (type === 'in_app' || type === 'inbox') newsletter.expires_after = 7 * DAY_SECONDS;
    if (recipientSegmentIds.length === 0) {
      newsletter.recipient_file_status = 'processed';
      newsletter.recipient_file_error = '';
    }
    return newsletter;
  });
}

export function generateAccountWorkspaces(random: SeededRandom): AccountWorkspace[] {
  const ids = new IdSequence(110_000);
  const names = ['Production', 'Staging', 'EU Production'];
  return names.slice(0, random.int(1, 3)).map((suffix) => {
    const messagesSent = random.int(10_000, 5_000_000);
    return {
      id: ids.next(random, 900),
      name: `${BRAND} ${suffix}`,
      messages_sent: messagesSent,
      billable_messages_sent: random.int(0, Math.floor(messagesSent / 10)),
      people: random.int(500, 2_000_000),
      objects: random.int(0, 50_000),
      object_types: random.int(0, 4),
    };
  });
}

export function generateIpAddresses(random: SeededRandom): string[] {
  return Array.from({ length: 6 }, (_, index) => {
    const prefix = index < 3 ? '34' : '35';
    return `${prefix}.${random.int(64, 250)}.${random.int(0, 255)}.${random.int(1, 254)}`;
  });
}
