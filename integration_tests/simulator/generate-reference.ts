// Workspace reference data: exports, collections, snippets, subscription topics and channels,
// reporting webhooks and ESP suppressions (reference §5.9, §5.10, §5.12).

import type {
  Collection,
  Export,
  ReportingWebhook,
  Snippet,
  SubscriptionChannel,
  SubscriptionTopic,
  Suppression,
  SuppressionType,
} from './catalog-records.js';
import { emailAddress, FIRST_NAMES, LAST_NAMES, SEGMENT_NAMES, SENDING_DOMAIN } from './content.js';
import { IdSequence, type SeededRandom } from './random.js';
import { createdAndUpdated, DAY_SECONDS, timestampBetween, WORKSPACE_NOW } from './time.js';

/** Statuses cycle so the default five include a pending and a failed export. */
const EXPORT_STATUSES: readonly Export['status'][] = ['done', 'done', 'pending', 'done', 'failed'];

export function generateExports(random: SeededRandom, count: number): Export[] {
  const ids = new IdSequence(1);
  return Array.from({ length: count }, (_, index) => {
    const id = ids.next(random, 4);
    const type = index % 2 === 0 ? 'customers' : 'deliveries';
    const status = EXPORT_STATUSES[index % EXPORT_STATUSES.length] ?? 'done';
    const created_at = timestampBetween(
      random,
      WORKSPACE_NOW - 120 * DAY_SECONDS,
      WORKSPACE_NOW - DAY_SECONDS,
    );
    const updated_at = status === 'pending' ? created_at : created_at + random.int(5, 900);
    const first = random.pick(FIRST_NAMES);
    return {
      id,
      deduplicate_id: `${id}:${updated_at}`,
      type,
      status,
      failed: status === 'failed',
      description:
        type === 'customers'
          ? `People in "${random.pick(SEGMENT_NAMES)}"`
          : `Deliveries of newsletter ${random.int(1, 40)}`,
      total: status === 'done' ? random.int(1, 50_000) : 0,
      downloads: status === 'done' ? random.int(0, 4) : 0,
      user_id: random.int(1_000, 9_999),
      user_email: emailAddress(first, random.pick(LAST_NAMES)),
      created_at,
      updated_at,
    };
  });
}

const COLLECTIONS: readonly [string, string[]][] = [
  ['store_locations', ['store_id', 'city', 'country', 'opening_hours']],
  ['product_catalog', ['sku', 'name', 'price', 'category', 'image_url']],
  ['trail_events', ['event_id', 'title', 'starts_at', 'location']],
  ['coupons', ['code', 'discount', 'expires_at']],
  ['size_guide', ['size', 'chest_cm', 'waist_cm']],
];

export function generateCollections(random: SeededRandom, count: number): Collection[] {
  const ids = new IdSequence(1);
  return COLLECTIONS.slice(0, count).map(([name, schema]) => {
    const [created_at, updated_at] = createdAndUpdated(random);
    const rows = random.int(3, 2_000);
    return {
      id: ids.next(random, 2),
      name,
      schema,
      rows,
      bytes: rows * random.int(40, 300),
      created_at,
      updated_at,
    };
  });
}

const SNIPPETS: readonly [string, string][] = [
  ['greeting', 'Hi {{ customer.first_name | default: "there" }},'],
  ['company_address', 'Northwind Outfitters, 1200 Alpine Way, Boulder, CO 80302'],
  [
    'unsubscribe_footer',
    '<p style="font-size:12px">You receive this because you joined {{ customer.signup_source | default: "our list" }}. <a href="{% unsubscribe_url %}">Unsubscribe</a></p>',
  ],
  ['support_email', `support@${SENDING_DOMAIN}`],
  [
    'loyalty_points',
    '{% if customer.points > 0 %}You have {{ customer.points }} points.{% else %}Start earning points today.{% endif %}',
  ],
  ['social_links', '<a href="https://social.example/northwind">Follow us</a>'],
];

export function generateSnippets(random: SeededRandom, count: number): Snippet[] {
  return SNIPPETS.slice(0, count).map(([name, value]) => ({
    name,
    value,
    updated_at: createdAndUpdated(random)[1],
  }));
}

export function generateSubscriptionTopics(random: SeededRandom): SubscriptionTopic[] {
  const topics = ['Product updates', 'Promotions', 'Trail newsletter', 'Events near you'];
  return topics.map((name, index) => ({
    id: index + 1,
    identifier: `topic_${index + 1}`,
    name,
    description: random.chance(0.7) ? `${name} from Northwind Outfitters` : '',
    subscribed_by_default: index !== 1,
  }));
}

export function generateSubscriptionChannels(): SubscriptionChannel[] {
  return [
    { id: 1, type: 'email', name: 'Email', description: 'Email messages', subscribed_by_default: true },
    { id: 2, type: 'sms', name: 'SMS', description: 'Text messages', subscribed_by_default: false },
    {
      id: 3,
      type: 'push',
      name: 'Push',
      description: 'Mobile push notifications',
      subscribed_by_default: true,
    },
  ];
}

/** The second webhook embeds basic-auth credentials in its endpoint, as live configurations may. */
export function generateReportingWebhooks(random: SeededRandom): ReportingWebhook[] {
  const ids = new IdSequence(1);
  const events = [
    'email_sent',
    'email_delivered',
    'email_opened',
    'email_clicked',
    'email_bounced',
    'email_unsubscribed',
    'push_sent',
    'sms_sent',
    'customer_unsubscribed',
  ];
  return [
    ['Data warehouse', 'webhook', `https://ingest.${SENDING_DOMAIN}/customerio/events`],
    [
      'Legacy BI',
      'webhook',
      `https://cio-hooks:s3cr3t-Pa55@bi.${SENDING_DOMAIN}:8443/hooks/customerio?src=cio`,
    ],
    ['Site tracking', 'js', `https://${SENDING_DOMAIN}/cio-events.js`],
  ].map(([name, type, endpoint], index) => ({
    id: ids.next(random, 3),
    name: name ?? '',
    type: type === 'js' ? 'js' : 'webhook',
    endpoint: endpoint ?? '',
    events: random.sample(events, 2, 6),
    disabled: index === 2,
    full_resolution: random.chance(0.5),
    with_content: index === 0,
  }));
}

const SUPPRESSION_DETAILS: Readonly<Record<SuppressionType, [string, string[]]>> = {
  bounces: [
    '550',
    [
      '550 5.1.1 The email account that you tried to reach does not exist',
      'Uploaded manually via api.customer.io',
    ],
  ],
  blocks: [
    '554',
    ['554 5.7.1 Message rejected due to local policy', '421 4.7.0 Try again later, closing connection'],
  ],
  spam_reports: ['550', ['Recipient marked the message as spam']],
  invalid_emails: ['550', ['Invalid email address']],
};

/** Per type: `count` bounces, a third as many blocks, a quarter as many spam reports, no invalid emails. */
export function generateSuppressions(
  random: SeededRandom,
  count: number,
): Record<SuppressionType, Suppression[]> {
  const sizes: Record<SuppressionType, number> = {
    bounces: count,
    blocks: Math.ceil(count / 3),
    spam_reports: Math.ceil(count / 4),
    invalid_emails: 0,
  };
  const entries = Object.entries(sizes) as [SuppressionType, number][];
  return Object.fromEntries(
    entries.map(([type, size]) => {
      const [status, reasons] = SUPPRESSION_DETAILS[type];
      const items = Array.from({ length: size }, (_, index) => ({
        email:
          `${random.pick(FIRST_NAMES)}.${random.pick(LAST_NAMES)}${index + 1}@mail.example`.toLowerCase(),
        created: timestampBetween(random, WORKSPACE_NOW - 700 * DAY_SECONDS, WORKSPACE_NOW),
        reason: random.pick(reasons),
        status,
      })).sort((a, b) => a.created - b.created);
      return [type, items];
    }),
  ) as Record<SuppressionType, Suppression[]>;
}
