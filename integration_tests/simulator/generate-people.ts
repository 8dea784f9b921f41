import { FIRST_NAMES, LAST_NAMES } from './content.js';
import { IdSequence, type SeededRandom } from './random.js';
import type { Segment } from './records.js';
import type { Person, PersonDevice, PersonRelationship } from './records-audience.js';
import { DAY_SECONDS, timestampBetween, WORKSPACE_BIRTH, WORKSPACE_NOW } from './time.js';

/** Object type 1 (accounts): people are related to these object ids (`acct_001` ...). */
export const RELATED_OBJECT_TYPE_ID = 1;
export const RELATED_OBJECT_COUNT = 6;

export function relatedObjectId(index: number): string {
  return `acct_${String(index + 1).padStart(3, '0')}`;
}

/** The cio_object_id the simulator gives object `acct_NNN` (deterministic, so both sides agree). */
export function relatedCioObjectId(objectId: string): string {
  let hash = 0x811c9dc5;
  for (const char of objectId) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `${hash.toString(16).padStart(8, '0')}0b1e`;
}

// Which people lack an id or an email, or are deleted: fixed positions so every workspace has some.
const isEmailOnly = (index: number) => index % 20 === 7;
const isIdOnly = (index: number) => index % 15 === 4;
const isDeleted = (index: number) => index % 25 === 11;

const PLANS = ['free', 'free', 'pro', 'pro', 'enterprise'] as const;
const COUNTRIES = ['US', 'US', 'DE', 'GB', 'FR', 'JP', 'BR', 'CA'] as const;
const STAGES = ['lead', 'trial', 'customer', 'customer', 'churned'] as const;
const ROLES = ['admin', 'member', 'member', 'billing'] as const;

/** Index of the segment that has no members (the live `identifiers: null` quirk). */
export const EMPTY_SEGMENT_INDEX = 1;

export function generatePeople(random: SeededRandom, count: number, segments: readonly Segment[]): Person[] {
  const ids = new IdSequence(10_001);
  const cioIds = new Set<string>();
  const membershipRates = segments.map((_, index) =>
    index === EMPTY_SEGMENT_INDEX ? 0 : index === 0 ? 0.9 : random.float() * 0.5 + 0.1,
  );
  return Array.from({ length: count }, (_, index) => {
    let cioId = random.hex(12);
    while (cioIds.has(cioId)) cioId = random.hex(12);
    cioIds.add(cioId);
    const numericId = ids.next(random, 4);
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const id = isEmailOnly(index) ? null : String(numericId);
    const email = isIdOnly(index) ? null : `${first}.${last}.${numericId}@mail.example`.toLowerCase();
    const createdAt = timestampBetween(random, WORKSPACE_BIRTH, WORKSPACE_NOW - DAY_SECONDS);
    const person: Person = {
      cio_id: cioId,
      id,
      email,
      attributes: {},
      timestamps: {},
      unsubscribed: random.chance(0.1),
      devices: random.chance(0.4) ? devices(random, createdAt) : [],
      segment_ids: segments
        .filter((_, segmentIndex) => random.chance(membershipRates[segmentIndex] ?? 0))
        .map((segment) => segment.id),
      relationships: random.chance(0.3) ? relationships(random, createdAt) : [],
      deleted: isDeleted(index),
    };
    setAttributes(random, person, createdAt, first, last);
    return person;
  });
}

function setAttributes(random: SeededRandom, person: Person, createdAt: number, first: string, last: string) {
  const set = (name: string, value: string, at = timestampBetween(random, createdAt, WORKSPACE_NOW)) => {
    person.attributes[name] = value;
    person.timestamps[name] = at;
  };
  set('cio_id', person.cio_id, createdAt);
  if (person.id !== null) set('id', person.id, createdAt);
  if (person.email !== null) set('email', person.email, createdAt);
  set('created_at', String(createdAt), createdAt);
  set('first_name', first);
  set('last_name', last);
  set('plan', random.pick(PLANS));
  set('country', random.pick(COUNTRIES));
  set('lifecycle_stage', random.pick(STAGES));
  if (random.chance(0.5)) set('phone', `+1555${random.int(1_000_000, 9_999_999)}`);
  if (random.chance(0.4)) set('lifetime_value', String(random.int(0, 250_000) / 100));
  if (person.email !== null && random.chance(0.7)) {
    const lastEmailed = timestampBetween(random, createdAt, WORKSPACE_NOW);
    set('_last_emailed', String(lastEmailed), lastEmailed);
  }
  if (random.chance(0.6)) {
    const topics = { topic_1: random.chance(0.8), topic_2: random.chance(0.5), topic_3: random.chance(0.3) };
    set('cio_subscription_preferences', JSON.stringify({ topics }));
    person.attributes._cio_subscription_preferences_computed = JSON.stringify({ topics });
    person.timestamps._cio_subscription_preferences_computed = 0;
  }
}

function devices(random: SeededRandom, createdAt: number): PersonDevice[] {
  return Array.from({ length: random.int(1, 2) }, () => {
    const ios = random.chance(0.5);
    return {
      id: ios ? random.hex(64) : `${random.hex(11)}:APA91b${random.hex(40)}`,
      platform: ios ? 'ios' : 'android',
      last_used: timestampBetween(random, createdAt, WORKSPACE_NOW),
      attributes: {
        _last_status: random.pick(['', 'sent', 'sent', 'bounced', 'suppressed']),
        app_identifier: 'com.northwind.outfitters',
        app_version: `3.${random.int(0, 9)}.${random.int(0, 4)}`,
        cio_sdk_version: ios ? '3.2.1' : '4.1.0',
        device_locale: random.pick(['en-US', 'en-GB', 'de-DE', 'fr-FR', 'ja-JP']),
        device_model: ios ? random.pick(['iPhone15,2', 'iPhone16,1', 'iPad13,4']) : 'Pixel 8',
        device_os: ios ? '17.4' : '14',
        push_enabled: random.chance(0.8) ? 'true' : 'false',
      },
    };
  });
}

function relationships(random: SeededRandom, createdAt: number): PersonRelationship[] {
  const indexes = Array.from({ length: RELATED_OBJECT_COUNT }, (_, index) => index);
  return random.sample(indexes, 1, 2).map((index) => {
    const objectId = relatedObjectId(index);
    const at = timestampBetween(random, createdAt, WORKSPACE_NOW);
    return {
      object_type_id: RELATED_OBJECT_TYPE_ID,
      object_id: objectId,
      cio_object_id: relatedCioObjectId(objectId),
      attributes: { role: random.pick(ROLES) },
      timestamps: { role: at },
    };
  });
}
