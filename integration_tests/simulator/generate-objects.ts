// Object types and objects (reference §5.11). Type 1 ("Accounts") holds acct_001, acct_002, ...: the
// objects people have relationships to.

import type { CioObject, ObjectType } from './catalog-records.js';
import { LAST_NAMES } from './content.js';
import { RELATED_OBJECT_COUNT, relatedCioObjectId, relatedObjectId } from './generate-people.js';
import type { SeededRandom } from './random.js';
import { createdAndUpdated, timestampBetween, WORKSPACE_NOW } from './time.js';

const TYPES: readonly ObjectType[] = [
  {
    id: '1',
    name: 'Accounts',
    singular_name: 'Account',
    slug: 'accounts',
    singular_slug: 'account',
    icon: 'building',
    enabled: true,
  },
  {
    id: '2',
    name: 'Stores',
    singular_name: 'Store',
    slug: 'stores',
    singular_slug: 'store',
    icon: 'shopping-bag',
    enabled: true,
  },
  {
    id: '3',
    name: 'Trail events',
    singular_name: 'Trail event',
    slug: 'trail_events',
    singular_slug: 'trail_event',
    icon: 'calendar',
    enabled: false,
  },
];

/** 1 to 3 object types; the third is disabled and holds no objects. */
export function generateObjectTypes(count: number): ObjectType[] {
  return TYPES.slice(0, Math.max(1, Math.min(count, TYPES.length))).map((type) => ({ ...type }));
}

/**
 * Customer.io's own immutable id of an object: a function of (type, object_id), shared with the people
 * generator so that relationships and objects agree.
 */
export function cioObjectId(objectTypeId: string, objectId: string): string {
  return relatedCioObjectId(objectTypeId === '1' ? objectId : `${objectTypeId}/${objectId}`);
}

function attributesWithTimestamps(
  random: SeededRandom,
  created: number,
  attributes: Record<string, string>,
): Pick<CioObject, 'attributes' | 'timestamps'> {
  const timestamps = Object.fromEntries(
    Object.keys(attributes).map((key) => [key, timestampBetween(random, created, WORKSPACE_NOW)]),
  );
  return { attributes, timestamps };
}

function account(random: SeededRandom, index: number): CioObject {
  const objectId = relatedObjectId(index);
  const [created] = createdAndUpdated(random);
  const seats = random.int(1, 250);
  return {
    identifiers: { object_id: objectId, cio_object_id: cioObjectId('1', objectId) },
    object_type_id: '1',
    ...attributesWithTimestamps(random, created, {
      name: `${random.pick(LAST_NAMES)} ${random.pick(['Outdoor Club', 'Expeditions', 'Guides', 'Rentals', 'Co-op'])}`,
      plan: random.pick(['free', 'pro', 'pro', 'enterprise']),
      seats: String(seats),
      country: random.pick(['US', 'DE', 'GB', 'FR', 'JP', 'CA']),
      status: index % 5 === 4 ? 'churned' : 'active',
      created_at: String(created),
    }),
  };
}

function store(random: SeededRandom, index: number): CioObject {
  const objectId = `store_${String(index + 1).padStart(2, '0')}`;
  const [created] = createdAndUpdated(random);
  const attributes: Record<string, string> = {
    name: `${random.pick(['Boulder', 'Portland', 'Munich', 'Leeds', 'Sapporo', 'Annecy'])} store`,
    status: random.chance(0.8) ? 'open' : 'closed',
    opened_at: String(created),
  };
  if (random.chance(0.5)) attributes.manager_email = `store${index + 1}@northwind.example`;
  return {
    identifiers: { object_id: objectId, cio_object_id: cioObjectId('2', objectId) },
    object_type_id: '2',
    ...attributesWithTimestamps(random, created, attributes),
  };
}

/**
 * `count` objects of type 1 (at least the acct_NNN people are related to), half as many of type 2 (when
 * it exists), none of type 3.
 */
export function generateObjects(
  random: SeededRandom,
  types: readonly ObjectType[],
  count: number,
): CioObject[] {
  const accounts = Math.max(count, RELATED_OBJECT_COUNT);
  const objects = Array.from({ length: accounts }, (_, index) => account(random, index));
  if (types.some((type) => type.id === '2')) {
    objects.push(...Array.from({ length: Math.ceil(count / 2) }, (_, index) => store(random, index)));
  }
  return objects;
}
