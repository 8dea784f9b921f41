import type { DeliveryStore } from './deliveries.js';
import { generateActivities, generateConsentActivities, newestFirst } from './generate-activities.js';
import { type DeliverySources, generateDeliveries } from './generate-deliveries.js';
import { generatePeople } from './generate-people.js';
import { generateTransactional } from './generate-transactional.js';
import { generateOptOuts, type PersonOptOuts } from './optouts.js';
import { SeededRandom } from './random.js';
import type { Segment, SenderIdentity } from './records.js';
import type { Activity, Person, TransactionalContent, TransactionalMessage } from './records-audience.js';

export interface AudienceOptions {
  /** People, deleted ones included. */
  people: number;
  transactionalMessages: number;
  deliveries: number;
  /** Deliveries are created over this many days before WORKSPACE_NOW. */
  deliveryDays: number;
  activities: number;
}

export const DEFAULT_AUDIENCE_OPTIONS: Readonly<AudienceOptions> = {
  people: 60,
  transactionalMessages: 4,
  deliveries: 400,
  deliveryDays: 400,
  activities: 150,
};

export interface Audience {
  /** Everyone, deleted people included (they have `deleted: true`); search order. */
  people: Person[];
  transactionalMessages: TransactionalMessage[];
  /** Variants by transactional message id. */
  transactionalContents: Map<number, TransactionalContent[]>;
  deliveries: DeliveryStore;
  /** Newest first. */
  activities: Activity[];
  /** GET /v1/optouts: the people opted out of an SMS or WhatsApp sender, search order. */
  optouts: PersonOptOuts[];
}

export type AudienceSources = Omit<
  DeliverySources,
  'people' | 'transactionalMessages' | 'transactionalContents'
> & {
  segments: readonly Segment[];
  senderIdentities: readonly SenderIdentity[];
};

/** Each part draws from its own stream, so resizing one (say, a million deliveries) leaves the others alone. */
export function generateAudience(seed: number, options: AudienceOptions, sources: AudienceSources): Audience {
  const stream = (offset: number) => new SeededRandom((seed + offset * 0x9e37_79b9) >>> 0);
  const people = generatePeople(stream(1), options.people, sources.segments);
  const transactional = generateTransactional(
    stream(2),
    options.transactionalMessages,
    sources.senderIdentities,
  );
  const deliveries = generateDeliveries(
    stream(3),
    {
      ...sources,
      people,
      transactionalMessages: transactional.messages,
      transactionalContents: transactional.contents,
    },
    options.deliveries,
    options.deliveryDays,
  );
  const optouts = generateOptOuts(people, sources.senderIdentities);
  const activities = [
    ...generateActivities(stream(4), options.activities, people, deliveries),
    ...generateConsentActivities(stream(5), optouts, people),
  ].sort(newestFirst);
  return {
    people,
    transactionalMessages: transactional.messages,
    transactionalContents: transactional.contents,
    deliveries,
    activities,
    optouts,
  };
}
