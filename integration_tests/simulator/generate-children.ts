// Children of broadcasts (actions, triggers) and newsletters (contents, A/B test groups).

import type {
  BroadcastAction,
  BroadcastTrigger,
  NewsletterTestGroup,
  NewsletterVariant,
} from './catalog-records.js';
import { BRAND, capitalize, emailHtml, LANGUAGES, LOREM, SENDING_DOMAIN } from './content.js';
import { IdSequence, type SeededRandom } from './random.js';
import type { Broadcast, ItemRef, Newsletter, SenderIdentity } from './records.js';
import { createdAndUpdated, DAY_SECONDS, timestampBetween, WORKSPACE_NOW } from './time.js';

const ACTION_LABELS: Readonly<Record<string, string>> = {
  email: 'Email',
  sms: 'SMS',
  push: 'Push notification',
  webhook: 'Webhook',
  slack: 'Slack message',
};

const FALLBACK_SENDER = { id: 1, address: `${BRAND} <hello@${SENDING_DOMAIN}>` };

function emailSender(
  random: SeededRandom,
  senders: readonly SenderIdentity[],
): { id: number; address: string } {
  const visible = senders.filter((sender) => sender.template_type === 'email' && !sender.hidden);
  return visible.length > 0 ? random.pick(visible) : FALLBACK_SENDER;
}

function broadcastActionFields(
  random: SeededRandom,
  type: string,
  senders: readonly SenderIdentity[],
): Partial<BroadcastAction> {
  switch (type) {
    case 'email': {
      const sender = emailSender(random, senders);
      const subject = `${capitalize(random.words(LOREM, 4))}, {{trigger.first_name}}`;
      const paragraph = `${capitalize(random.words(LOREM, random.int(12, 24)))}: {{trigger.headline}}.`;
      return {
        editor: random.pick(['html', 'rich']),
        layout: 'default',
        preprocessor: 'premailer',
        subject,
        preheader_text: random.chance(0.5) ? capitalize(random.words(LOREM, 5)) : '',
        body: emailHtml(subject, paragraph),
        body_amp: '',
        body_plain: '',
        body_json: '',
        from: sender.address,
        from_id: sender.id,
        reply_to: '',
        reply_to_id: null,
        recipient: '{{customer.email}}',
        bcc: '',
        cc: '',
        fake_bcc: false,
        headers: '[]',
        send_to_unsubscribed: false,
        tracked: true,
      };
    }
    case 'webhook':
    case 'slack':
      return {
        url:
          type === 'slack'
            ? `https://hooks.slack.example/services/T0${random.hex(8)}`
            : `https://hooks.${SENDING_DOMAIN}/broadcast/${random.hex(8)}`,
        method: 'POST',
        request_method: 'POST',
        headers: JSON.stringify([{ name: 'Content-Type', value: 'application/json' }]),
        body: JSON.stringify({ text: '{{trigger.headline}}', customer: '{{customer.id}}' }),
        tracked: type === 'webhook',
        send_to_unsubscribed: true,
      };
    case 'push':
      return {
        body: JSON.stringify({ title: '{{trigger.headline}}', message: random.words(LOREM, 8) }),
        image_url: '',
        url: 'northwind://news',
        recipient_environment_id: random.int(100_000, 999_999),
        tracked: true,
        send_to_unsubscribed: false,
      };
    default:
      return {
        recipient: '{{customer.phone}}',
        from: '+15005550006',
        body: `${BRAND}: {{trigger.headline}}. Reply STOP to opt out.`,
        image_url: '',
        sender_identity_id: senders.find((sender) => sender.template_type === 'phone')?.id ?? 1,
        tracked: true,
        send_to_unsubscribed: false,
      };
  }
}

/**
 * One action per entry of each broadcast's `actions` list, same ids (as strings) and types. Every
 * other action leaves `broadcast_id` out, as live action objects do.
 */
export function generateBroadcastActions(
  random: SeededRandom,
  broadcasts: readonly Broadcast[],
  senders: readonly SenderIdentity[],
): Map<number, BroadcastAction[]> {
  return new Map(
    broadcasts.map((broadcast, broadcastIndex) => [
      broadcast.id,
      broadcast.actions.map((ref: ItemRef, index) => {
        const [created, updated] = createdAndUpdated(random, broadcast.created);
        const action: BroadcastAction = {
          id: String(ref.id),
          deduplicate_id: `${ref.id}:${updated}`,
          name: `${ACTION_LABELS[ref.type] ?? capitalize(ref.type)} ${index + 1}`,
          type: ref.type,
          created,
          updated,
          sending_state: random.pick(['automatic', 'automatic', 'automatic', 'draft', 'off'] as const),
          language: '',
          ...broadcastActionFields(random, ref.type, senders),
        };
        return (broadcastIndex + index) % 2 === 0 ? { broadcast_id: broadcast.id, ...action } : action;
      }),
    ]),
  );
}

/** Started broadcasts have a few triggers (the first started one at least two); drafts have none. */
export function generateBroadcastTriggers(
  random: SeededRandom,
  broadcasts: readonly Broadcast[],
): Map<number, BroadcastTrigger[]> {
  const ids = new IdSequence(1);
  let guaranteed = false;
  return new Map(
    broadcasts.map((broadcast) => {
      if (broadcast.first_started === 0) return [broadcast.id, []];
      const count = guaranteed ? random.int(0, 4) : random.int(2, 4);
      guaranteed = true;
      const times = Array.from({ length: count }, () =>
        timestampBetween(random, broadcast.first_started, WORKSPACE_NOW - 600),
      ).sort((a, b) => a - b);
      const triggers = times.map((created_at, index) => ({
        id: ids.next(random, 3),
        broadcast_id: broadcast.id,
        created_at,
        processed_at: index === count - 1 && random.chance(0.3) ? 0 : created_at + random.int(2, 600),
      }));
      return [broadcast.id, triggers];
    }),
  );
}

export interface NewsletterChildren {
  contents: Map<number, NewsletterVariant[]>;
  testGroups: Map<number, NewsletterTestGroup[]>;
}

function variantFields(
  random: SeededRandom,
  newsletter: Newsletter,
  senders: readonly SenderIdentity[],
): Partial<NewsletterVariant> {
  switch (newsletter.type) {
    case 'email': {
      const sender = emailSender(random, senders);
      const subject = capitalize(random.words(LOREM, random.int(3, 6)));
      const replyTo = random.chance(0.4);
      return {
        subject,
        body: emailHtml(subject, `${capitalize(random.words(LOREM, random.int(15, 30)))}.`),
        body_amp: '',
        preheader_text: random.chance(0.5) ? capitalize(random.words(LOREM, 6)) : '',
        from: sender.address,
        from_id: sender.id,
        reply_to: replyTo ? sender.address : '',
        reply_to_id: replyTo ? sender.id : null,
        recipient: '{{customer.email}}',
        bcc: '',
        cc: '',
        fake_bcc: false,
        headers: JSON.stringify([{ name: 'X-Newsletter', value: String(newsletter.id) }]),
        layout: '<html><body>{{ content }}</body></html>',
        preprocessor: 'premailer',
      };
    }
    case 'twilio':
      return {
        body: `${BRAND}: ${random.words(LOREM, 10)}`,
        recipient: '{{customer.phone}}',
        from: '+15005550006',
      };
    case 'webhook':
      return {
        body: JSON.stringify({ newsletter: newsletter.id, customer: '{{customer.id}}' }),
        recipient: `https://hooks.${SENDING_DOMAIN}/newsletters`,
      };
    default:
      return {
        body: JSON.stringify({ title: capitalize(random.words(LOREM, 3)), message: random.words(LOREM, 9) }),
        recipient: '{{customer.id}}',
      };
  }
}

/**
 * One variant per content id. Newsletters with several contents alternate between an A/B test (one
 * test group per content, a winner once sent) and a multi-language send (no test groups).
 */
export function generateNewsletterChildren(
  random: SeededRandom,
  newsletters: readonly Newsletter[],
  senders: readonly SenderIdentity[],
): NewsletterChildren {
  const contents = new Map<number, NewsletterVariant[]>();
  const testGroups = new Map<number, NewsletterTestGroup[]>();
  let multiContent = 0;
  for (const newsletter of newsletters) {
    const ids = newsletter.content_ids;
    const abTest = ids.length > 1 && multiContent++ % 2 === 0;
    const languages =
      ids.length > 1 && !abTest ? ['', ...random.sample(LANGUAGES, ids.length - 1, ids.length - 1)] : [];
    contents.set(
      newsletter.id,
      ids.map((id, index) => {
        const updated = timestampBetween(random, newsletter.created, WORKSPACE_NOW - DAY_SECONDS);
        const language = languages[index] ?? '';
        const label = abTest ? `Variant ${String.fromCharCode(65 + index)}` : language || 'Default';
        return {
          id,
          newsletter_id: newsletter.id,
          deduplicate_id: `${id}:${updated}`,
          name: `${newsletter.name} (${label})`,
          type: newsletter.type,
          language,
          body: '',
          recipient: '',
          ...variantFields(random, newsletter, senders),
          updated,
        };
      }),
    );
    const winner = newsletter.send_state === 'sent' ? random.int(0, ids.length - 1) : -1;
    testGroups.set(
      newsletter.id,
      abTest
        ? ids.map((id, index) => ({
            id: index,
            name: String.fromCharCode(65 + index),
            label: `test ${index + 1}`,
            winner: index === winner,
            content_ids: [id],
          }))
        : [],
    );
  }
  return { contents, testGroups };
}
