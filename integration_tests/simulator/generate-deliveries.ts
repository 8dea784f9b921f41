import { capitalize, LOREM } from './content.js';
import { DeliveryStore } from './deliveries.js';
import type { DeliverySlot } from './delivery-details.js';
import type { SeededRandom } from './random.js';
import type { Broadcast, Campaign, CampaignAction, Newsletter } from './records.js';
import type { DeliveryType, Person, TransactionalContent, TransactionalMessage } from './records-audience.js';
import { DAY_SECONDS, WORKSPACE_NOW } from './time.js';

export interface DeliverySources {
  campaigns: readonly Campaign[];
  campaignActions: ReadonlyMap<number, readonly CampaignAction[]>;
  broadcasts: readonly Broadcast[];
  newsletters: readonly Newsletter[];
  transactionalMessages: readonly TransactionalMessage[];
  transactionalContents: ReadonlyMap<number, readonly TransactionalContent[]>;
  people: readonly Person[];
}

/** A parent that sends deliveries between `from` and `to`, picked with probability ∝ weight. */
interface Sender {
  slot: DeliverySlot;
  from: number;
  to: number;
  weight: number;
}

const ACTION_TYPES: Readonly<Record<string, DeliveryType>> = {
  email: 'email',
  twilio: 'twilio',
  sms: 'twilio',
  push: 'push',
  webhook: 'webhook',
  slack: 'slack',
  in_app: 'in_app',
  inbox: 'in_app',
};

function campaignSenders(random: SeededRandom, sources: DeliverySources): Sender[] {
  const senders: Sender[] = [];
  for (const campaign of sources.campaigns) {
    if (campaign.first_started === 0) continue;
    const actions = sources.campaignActions.get(campaign.id) ?? [];
    const messageActions = actions.filter((action) => ACTION_TYPES[action.type] !== undefined);
    messageActions.forEach((action, index) => {
      const type = ACTION_TYPES[action.type];
      if (type === undefined || action.sending_state === 'draft') return;
      senders.push({
        slot: {
          kind: 'campaign',
          parentId: campaign.id,
          actionId: Number(action.id),
          parentActionId: action.parent_action_id ?? null,
          contentId: null,
          templateId: campaign.msg_templates[index]?.id ?? null,
          type,
          subject: action.subject ?? capitalize(random.words(LOREM, 4)),
          eventTriggered: campaign.type === 'event',
        },
        from: Math.max(campaign.first_started, action.created),
        to: campaign.state === 'stopped' ? campaign.updated : WORKSPACE_NOW,
        weight: 3,
      });
    });
  }
  return senders;
}

function broadcastSenders(random: SeededRandom, broadcasts: readonly Broadcast[]): Sender[] {
  return broadcasts.flatMap((broadcast) =>
    broadcast.first_started === 0
      ? []
      : broadcast.actions.flatMap((action, index): Sender[] => {
          const type = ACTION_TYPES[action.type];
          if (type === undefined) return [];
          const slot: DeliverySlot = {
            kind: 'broadcast',
            parentId: broadcast.id,
            actionId: action.id,
            parentActionId: null,
            contentId: null,
            templateId: broadcast.msg_template_ids[index]?.id ?? null,
            type,
            subject: capitalize(random.words(LOREM, 4)),
            eventTriggered: false,
          };
          return [{ slot, from: broadcast.first_started, to: WORKSPACE_NOW, weight: 2 }];
        }),
  );
}

function newsletterSenders(random: SeededRandom, newsletters: readonly Newsletter[]): Sender[] {
  return newsletters.flatMap((newsletter) => {
    const type = ACTION_TYPES[newsletter.type];
    if (newsletter.sent_at === null || type === undefined) return [];
    const subject = `${newsletter.name.replace(/ \d+$/, '')}: ${random.words(LOREM, 3)}`;
    const sentAt = newsletter.sent_at;
    return newsletter.content_ids.map((contentId) => ({
      slot: {
        kind: 'newsletter',
        parentId: newsletter.id,
        actionId: null,
        parentActionId: null,
        contentId,
        templateId: contentId,
        type,
        subject,
        eventTriggered: false,
      },
      // A one-time send goes out within a couple of days.
      from: sentAt,
      to: Math.min(sentAt + 2 * DAY_SECONDS, WORKSPACE_NOW),
      weight: 6,
    }));
  });
}

function transactionalSenders(sources: DeliverySources): Sender[] {
  return sources.transactionalMessages.flatMap((message) =>
    (sources.transactionalContents.get(message.id) ?? []).map((content) => ({
      slot: {
        kind: 'transactional',
        parentId: message.id,
        actionId: null,
        parentActionId: null,
        contentId: null,
        templateId: content.id,
        type: content.type,
        subject: content.subject,
        eventTriggered: false,
      },
      from: content.created,
      to: WORKSPACE_NOW,
      weight: 3,
    })),
  );
}

/** People each channel can reach (falls back to everyone). */
function recipientPools(people: readonly Person[]): Record<DeliveryType, Uint32Array> {
  const all = Uint32Array.from(people.keys());
  const where = (keep: (person: Person) => boolean) => {
    const pool = Uint32Array.from(people.flatMap((person, index) => (keep(person) ? [index] : [])));
    return pool.length > 0 ? pool : all;
  };
  return {
    email: where((person) => person.email !== null),
    twilio: where((person) => person.attributes.phone !== undefined),
    push: where((person) => person.devices.length > 0),
    webhook: all,
    slack: all,
    in_app: where((person) => person.id !== null),
  };
}

/** When each person was created (their `created_at`): nobody receives a message before they exist. */
function creationTimes(people: readonly Person[]): Uint32Array {
  return Uint32Array.from(people, (person) => Number(person.attributes.created_at) || 0);
}

/**
 * A recipient for a delivery created at `created`: the drawn one if they existed by then, else the next one in
 * the pool who did (the same draws either way, so a seed keeps giving the same data). Falls back to the drawn
 * one when nobody in the pool existed yet.
 */
function recipientAt(pool: Uint32Array, drawn: number, created: number, createdAt: Uint32Array): number {
  for (let step = 0; step < pool.length; step++) {
    const person = pool[(drawn + step) % pool.length] ?? 0;
    if ((createdAt[person] ?? 0) <= created) return person;
  }
  return pool[drawn] ?? 0;
}

/** Sorts rows by created with a native numeric sort of created·2^21 + row when rows fit in 21 bits. */
function sortedOrder(created: Uint32Array, count: number): Uint32Array {
  const order = new Uint32Array(count);
  if (count <= 2 ** 21) {
    const keys = new Float64Array(count);
    for (let row = 0; row < count; row++) keys[row] = (created[row] ?? 0) * 2 ** 21 + row;
    keys.sort();
    for (let row = 0; row < count; row++) order[row] = (keys[row] ?? 0) % 2 ** 21;
    return order;
  }
  for (let row = 0; row < count; row++) order[row] = row;
  return order.sort((a, b) => (created[a] ?? 0) - (created[b] ?? 0) || a - b);
}

function permuted(column: Uint32Array, order: Uint32Array): Uint32Array {
  const result = new Uint32Array(order.length);
  for (let index = 0; index < order.length; index++) result[index] = column[order[index] ?? 0] ?? 0;
  return result;
}

/** `count` deliveries created over the `days` days before WORKSPACE_NOW, each from one real parent. */
export function generateDeliveries(
  random: SeededRandom,
  sources: DeliverySources,
  count: number,
  days: number,
): DeliveryStore {
  const windowStart = WORKSPACE_NOW - days * DAY_SECONDS;
  const senders = [
    ...campaignSenders(random, sources),
    ...broadcastSenders(random, sources.broadcasts),
    ...newsletterSenders(random, sources.newsletters),
    ...transactionalSenders(sources),
  ]
    .map((sender) => ({ ...sender, from: Math.max(sender.from, windowStart) }))
    .filter((sender) => sender.from <= sender.to);
  if (senders.length === 0 || sources.people.length === 0 || count === 0) return DeliveryStore.empty();

  const cumulative = new Float64Array(senders.length);
  let total = 0;
  senders.forEach((sender, index) => {
    total += sender.weight;
    cumulative[index] = total;
  });
  const pools = recipientPools(sources.people);
  const createdAt = creationTimes(sources.people);
  const created = new Uint32Array(count);
  const slot = new Uint32Array(count);
  const person = new Uint32Array(count);
  const seed = new Uint32Array(count);
  for (let row = 0; row < count; row++) {
    const target = random.float() * total;
    let low = 0;
    let high = senders.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] ?? 0) <= target) low = middle + 1;
      else high = middle;
    }
    const sender = senders[low] as Sender;
    const pool = pools[sender.slot.type];
    slot[row] = low;
    created[row] = sender.from + Math.floor(random.float() * (sender.to - sender.from + 1));
    person[row] = recipientAt(pool, Math.floor(random.float() * pool.length), created[row] ?? 0, createdAt);
    seed[row] = Math.floor(random.float() * 2 ** 32);
  }
  const order = sortedOrder(created, count);
  return new DeliveryStore(
    {
      created: permuted(created, order),
      slot: permuted(slot, order),
      person: permuted(person, order),
      seed: permuted(seed, order),
      length: count,
    },
    senders.map((sender) => sender.slot),
    sources.people,
  );
}
