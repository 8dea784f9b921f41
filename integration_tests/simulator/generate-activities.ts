import { EVENT_NAMES, SENDING_DOMAIN } from './content.js';
import { type DeliveryStore, firstAtOrAfter } from './deliveries.js';
import { ulid } from './delivery-details.js';
import { RELATED_OBJECT_COUNT, RELATED_OBJECT_TYPE_ID, relatedObjectId } from './generate-people.js';
import type { PersonOptOuts } from './optouts.js';
import type { SeededRandom } from './random.js';
import type { Activity, Person, PersonIdentifiers } from './records-audience.js';
import { DAY_SECONDS, timestampBetween, WORKSPACE_NOW } from './time.js';

/** Activities span the 40 days before now: the API guarantees 30, older ones may still show up. */
export const ACTIVITY_SPAN_DAYS = 40;

type Draft = Omit<Activity, 'id' | 'customer_id' | 'customer_identifiers'> & { person: Person | null };

const PAGES = [
  '/',
  '/products/trail-jacket',
  '/products/summit-boots',
  '/cart',
  '/checkout',
  '/blog/layering-101',
];
const SCREENS = ['Home', 'Product detail', 'Cart', 'Order history', 'Settings'];
const CHANGING_ATTRIBUTES = ['plan', 'lifecycle_stage', 'country'] as const;
const CHANNEL_NAMES: Record<string, string> = {
  email: 'email',
  push: 'push',
  twilio: 'twilio',
  webhook: 'webhook',
  slack: 'slack',
  in_app: 'in_app',
};
const ACTIVITY_STATES = ['sent', 'delivered', 'opened', 'clicked', 'bounced', 'failed', 'converted'];

function identifiersOf(person: Person): PersonIdentifiers {
  return { cio_id: person.cio_id, email: person.email, id: person.id };
}

function eventData(random: SeededRandom, name: string): Record<string, unknown> {
  if (name === 'order_completed' || name === 'checkout_started') {
    return { order_id: `ord_${random.hex(8)}`, total: random.int(1_000, 40_000) / 100, currency: 'USD' };
  }
  if (name === 'added_to_cart') return { sku: `NW-${random.int(1000, 9999)}`, quantity: random.int(1, 3) };
  if (name === 'plan_upgraded') return { from: 'free', to: random.pick(['pro', 'enterprise']) };
  return {};
}

/** The activity's channel: ios|android for push, phone for SMS, else the delivery type. */
function deliveryType(type: string, person: Person): string {
  if (type === 'push') return person.devices[0]?.platform ?? 'ios';
  return type === 'twilio' ? 'phone' : type;
}

/** An activity recording a state of a real delivery created in the span; undefined when there is none. */
function messageActivity(random: SeededRandom, deliveries: DeliveryStore, people: Map<string, Person>) {
  const oldest = firstAtOrAfter(
    deliveries,
    deliveries.rows,
    WORKSPACE_NOW - ACTIVITY_SPAN_DAYS * DAY_SECONDS,
  );
  if (oldest >= deliveries.length) return undefined;
  const delivery = deliveries.record(random.int(oldest, deliveries.length - 1));
  const person = people.get(delivery.customer_identifiers?.cio_id ?? '');
  const states = ACTIVITY_STATES.filter((state) => delivery.metrics[state] !== undefined);
  if (person === undefined || states.length === 0) return undefined;
  const state = random.pick(states);
  const timestamp = delivery.metrics[state] ?? delivery.created;
  const data: Record<string, unknown> = { delivery_id: delivery.id };
  if (state === 'delivered') data.delivered = timestamp;
  if (state === 'opened')
    Object.assign(data, { opened: timestamp, ip_address: `203.0.113.${random.int(1, 254)}` });
  if (state === 'clicked') data.href = `https://${SENDING_DOMAIN}/products?utm_source=customerio`;
  const draft: Draft = {
    type: `${state}_${CHANNEL_NAMES[delivery.type] ?? 'email'}`,
    name: '',
    timestamp,
    delivery_id: delivery.id,
    delivery_type: deliveryType(delivery.type, person),
    data,
    person,
  };
  return draft;
}

function personActivity(random: SeededRandom, person: Person): Draft {
  const timestamp = timestampBetween(random, WORKSPACE_NOW - ACTIVITY_SPAN_DAYS * DAY_SECONDS, WORKSPACE_NOW);
  const roll = random.float();
  if (roll < 0.35) {
    const name = random.pick(EVENT_NAMES);
    return { type: 'event', name, timestamp, data: eventData(random, name), person };
  }
  if (roll < 0.55) {
    const path = random.pick(PAGES);
    const url = `https://${SENDING_DOMAIN}${path}`;
    return {
      type: 'page',
      name: url,
      url,
      timestamp,
      data: { referrer: 'https://www.google.example/' },
      person,
    };
  }
  if (roll < 0.62) {
    return { type: 'screen', name: random.pick(SCREENS), timestamp, data: { app_version: '3.4.1' }, person };
  }
  if (roll < 0.8) {
    const name = random.pick(CHANGING_ATTRIBUTES);
    const to = person.attributes[name] ?? '';
    return { type: 'attribute_change', name, timestamp, data: { [name]: { from: '', to } }, person };
  }
  if (roll < 0.86) {
    const device = person.devices[0];
    const data = device ? { device: { id: device.id, platform: device.platform } } : {};
    return { type: 'device_change', name: '', timestamp, data, person };
  }
  if (roll < 0.92) {
    const objectId = relatedObjectId(random.int(0, RELATED_OBJECT_COUNT - 1));
    const data = { object_type_id: String(RELATED_OBJECT_TYPE_ID), object_id: objectId };
    return { type: 'add_relationship', name: '', timestamp, data, person };
  }
  return { type: 'profile_create', name: '', timestamp, data: {}, person };
}

function objectActivity(random: SeededRandom): Draft {
  const objectId = relatedObjectId(random.int(0, RELATED_OBJECT_COUNT - 1));
  return {
    type: `_o:${RELATED_OBJECT_TYPE_ID}:attribute_change`,
    name: 'status',
    timestamp: timestampBetween(random, WORKSPACE_NOW - ACTIVITY_SPAN_DAYS * DAY_SECONDS, WORKSPACE_NOW),
    data: { object_id: objectId, status: { from: 'trial', to: 'active' } },
    person: null,
  };
}

/** `count` activities (plus one profile_delete per deleted person who has some), newest first. */
export function generateActivities(
  random: SeededRandom,
  count: number,
  people: readonly Person[],
  deliveries: DeliveryStore,
): Activity[] {
  if (people.length === 0) return [];
  const byCioId = new Map(people.map((person) => [person.cio_id, person]));
  const deleted = people.filter((person) => person.deleted);
  const drafts: Draft[] = [];
  for (let index = 0; index < count; index++) {
    // Every deleted person gets two activities first, so their history exists.
    const deletedPerson = index < deleted.length * 2 ? deleted[index % deleted.length] : undefined;
    const roll = random.float();
    if (deletedPerson !== undefined) drafts.push(personActivity(random, deletedPerson));
    else if (roll < 0.03) drafts.push(objectActivity(random));
    else if (roll < 0.33) {
      drafts.push(
        messageActivity(random, deliveries, byCioId) ?? personActivity(random, random.pick(people)),
      );
    } else drafts.push(personActivity(random, random.pick(people)));
  }
  const latest = new Map<Person, number>();
  for (const draft of drafts) {
    if (draft.person === null || !draft.person.deleted) continue;
    latest.set(draft.person, Math.max(latest.get(draft.person) ?? 0, draft.timestamp));
  }
  for (const person of deleted) {
    const last = latest.get(person);
    if (last === undefined) continue;
    const timestamp = Math.min(WORKSPACE_NOW, last + random.int(60, DAY_SECONDS));
    drafts.push({ type: 'profile_delete', name: '', timestamp, data: {}, person });
  }
  const activities = drafts.map(({ person, ...draft }): Activity => {
    const id = ulid(random, draft.timestamp);
    return {
      id,
      ...draft,
      customer_id: person?.id ?? null,
      customer_identifiers: person === null ? null : identifiersOf(person),
    };
  });
  return activities.sort(newestFirst);
}

/** The order of the activity log: newest first, ties by id. */
export function newestFirst(a: Activity, b: Activity): number {
  return b.timestamp - a.timestamp || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * Consent activities (type `consent`, name the action `opted_in` or `opted_out`, data the channel and sender)
 * behind the workspace's opt-outs: one `opted_out` per sender a person is opted out of, half of them after an
 * earlier `opted_in` to the same sender. Their own random stream, so the other activities are unchanged.
 */
export function generateConsentActivities(
  random: SeededRandom,
  optouts: readonly PersonOptOuts[],
  people: readonly Person[],
): Activity[] {
  const byCioId = new Map(people.map((person) => [person.cio_id, person]));
  const spanStart = WORKSPACE_NOW - ACTIVITY_SPAN_DAYS * DAY_SECONDS;
  const activities: Activity[] = [];
  for (const entry of optouts) {
    const person = byCioId.get(entry.cio_id);
    if (person === undefined) continue;
    for (const optout of entry.optouts) {
      const optedOut = timestampBetween(random, spanStart + DAY_SECONDS, WORKSPACE_NOW);
      const actions: Array<[string, number]> = [['opted_out', optedOut]];
      if (random.chance(0.5)) actions.push(['opted_in', timestampBetween(random, spanStart, optedOut - 60)]);
      for (const [name, timestamp] of actions) {
        activities.push({
          id: ulid(random, timestamp),
          type: 'consent',
          name,
          timestamp,
          data: { channel: optout.channel, from: optout.from },
          customer_id: person.id,
          customer_identifiers: identifiersOf(person),
        });
      }
    }
  }
  return activities;
}
