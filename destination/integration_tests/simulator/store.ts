import type {
  AnonymousEvent,
  Device,
  IdentifierKind,
  ObjectRef,
  PersonIdentifier,
  ValidEntry,
} from './validate.js';

export interface Person {
  id?: string;
  email?: string;
  phone?: string;
  cio_id: string;
  attributes: Record<string, unknown>;
  /** Unix seconds of the update that set (or removed) each attribute: an older update never overwrites it. */
  attributeTimes: Record<string, number>;
  deleted: boolean;
  suppressed: boolean;
  updates: number;
}

export type StoredEventType = 'event' | 'page' | 'screen' | 'anonymous';

export interface StoredEvent {
  /** The person's canonical key, or `anonymous:<anonymous_id>`. */
  key: string;
  type: StoredEventType;
  name: string;
  id?: string;
  timestamp?: number;
  data: Record<string, unknown>;
}

export interface StoredObject {
  typeId: string;
  id: string;
  cio_object_id: string;
  attributes: Record<string, unknown>;
}

export interface StoreSummary {
  people: number;
  deleted: number;
  events: number;
  duplicateEvents: number;
  byType: Partial<Record<StoredEventType, number>>;
  objects: number;
  relationships: number;
  devices: number;
  merges: number;
  suppressed: number;
}

/** A collection as the App API keeps it. */
export interface StoredCollection {
  id: number;
  name: string;
  data: unknown[];
  updated_at: number;
}

/** Identifiers that identify's attributes may set (cio_id is the system's). */
const SETTABLE_IDENTIFIERS: ReadonlySet<string> = new Set(['id', 'email', 'phone']);

/** `kind:value`, emails lowercased (they are case-insensitive): how people are keyed and looked up. */
export function identifierKey(kind: IdentifierKind, value: string): string {
  return `${kind}:${kind === 'email' ? value.toLowerCase() : value}`;
}

/** The people and events a workspace holds, as the Track API leaves them. */
export class TrackStore {
  /** Keyed by the identifier each person was created with (see identifierKey). */
  readonly people = new Map<string, Person>();
  readonly events: StoredEvent[] = [];
  duplicateEvents = 0;
  /** By `typeId:id`. */
  readonly objects = new Map<string, StoredObject>();
  /** By `personKey|typeId:id`: the relationship's attributes. */
  readonly relationships = new Map<string, Record<string, unknown>>();
  /** By person key, then token. */
  readonly devices = new Map<string, Map<string, Device>>();
  /** Manual segments: id → the canonical keys of their people. */
  readonly segments = new Map<number, Set<string>>();
  readonly collections = new Map<number, StoredCollection>();
  readonly snippets = new Map<string, string>();
  merges = 0;
  #objectsCreated = 0;
  /** Every identifier key a person answers to → that person's canonical key. */
  readonly #index = new Map<string, string>();
  readonly #eventIds = new Set<string>();
  #created = 0;

  /** The person an identifier addresses, deleted or not. */
  find(kind: IdentifierKind, value: string): Person | undefined {
    const key = this.#index.get(identifierKey(kind, value));
    return key === undefined ? undefined : this.people.get(key);
  }

  /** Applies one valid batch entry; an error text when the workspace refuses it (a merge into nobody). */
  apply(entry: ValidEntry, nowSeconds: number): string | undefined {
    if (entry.type === 'object') {
      this.#applyObject(entry.action, entry.object, entry.attributes);
      return undefined;
    }
    if (entry.type === 'merge') return this.#merge(entry.primary, entry.secondary);
    const { kind, value } = entry.identifier;
    switch (entry.action) {
      case 'identify':
        this.#identify(entry.identifier, entry.attributes, entry.timestamp, nowSeconds);
        return undefined;
      case 'delete': {
        const person = this.find(kind, value);
        if (person === undefined || person.deleted) return undefined;
        Object.assign(person, { deleted: true, attributes: {}, attributeTimes: {} });
        person.updates += 1;
        return undefined;
      }
      case 'suppress':
      case 'unsuppress': {
        const person =
          this.find(kind, value) ?? (entry.action === 'suppress' ? this.#create(kind, value) : null);
        if (person !== null) person.suppressed = entry.action === 'suppress';
        return undefined;
      }
      case 'add_relationships':
      case 'delete_relationships': {
        const key = this.#personKey(kind, value, entry.action === 'add_relationships');
        if (key === undefined) return undefined;
        for (const { object, attributes } of entry.relationships ?? []) {
          const stored = this.#applyObject(
            entry.action === 'add_relationships' ? 'relate' : 'find',
            object,
            {},
          );
          if (stored === undefined) continue;
          const relation = `${key}|${stored.typeId}:${stored.id}`;
          if (entry.action === 'delete_relationships') this.relationships.delete(relation);
          else this.relationships.set(relation, { ...this.relationships.get(relation), ...attributes });
        }
        return undefined;
      }
      case 'add_device':
      case 'delete_device': {
        const key = this.#personKey(kind, value, entry.action === 'add_device');
        const device = entry.device;
        if (key === undefined || device === undefined) return undefined;
        let devices = this.devices.get(key);
        if (devices === undefined) {
          devices = new Map();
          this.devices.set(key, devices);
        }
        if (entry.action === 'delete_device') devices.delete(device.token);
        else devices.set(device.token, device);
        return undefined;
      }
      case 'event':
      case 'page':
      case 'screen': {
        const person = this.find(kind, value) ?? this.#create(kind, value);
        person.deleted = false;
        this.#record({
          key: this.#index.get(identifierKey(kind, value)) ?? '',
          type: entry.action,
          name: entry.name ?? '',
          data: entry.attributes,
          ...(entry.id === undefined ? {} : { id: entry.id }),
          ...(entry.timestamp === undefined ? {} : { timestamp: entry.timestamp }),
        });
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** A person's canonical key; created when `create` and missing. */
  personKey(kind: IdentifierKind, value: string): string | undefined {
    return this.#index.get(identifierKey(kind, value));
  }

  #personKey(kind: IdentifierKind, value: string, create: boolean): string | undefined {
    let person = this.find(kind, value);
    if (person === undefined && create) person = this.#create(kind, value);
    if (person === undefined) return undefined;
    person.deleted = false;
    return this.personKey('cio_id', person.cio_id);
  }

  findObject(ref: ObjectRef): StoredObject | undefined {
    if ('cio' in ref) return [...this.objects.values()].find((object) => object.cio_object_id === ref.cio);
    return this.objects.get(`${ref.typeId}:${ref.id}`);
  }

  /** Object identify (creates), relate (creates without attributes), delete, or find. */
  #applyObject(
    action: 'identify' | 'delete' | 'relate' | 'find',
    ref: ObjectRef,
    attributes: Record<string, unknown>,
  ): StoredObject | undefined {
    let object = this.findObject(ref);
    if (action === 'find') return object;
    if (action === 'delete') {
      if (object === undefined) return undefined;
      this.objects.delete(`${object.typeId}:${object.id}`);
      const suffix = `|${object.typeId}:${object.id}`;
      for (const relation of [...this.relationships.keys()])
        if (relation.endsWith(suffix)) this.relationships.delete(relation);
      return undefined;
    }
    if (object === undefined) {
      if ('cio' in ref) return undefined; // cio_object_id only updates
      this.#objectsCreated += 1;
      object = {
        typeId: ref.typeId,
        id: ref.id,
        cio_object_id: `obj_${this.#objectsCreated.toString(16).padStart(6, '0')}`,
        attributes: {},
      };
      this.objects.set(`${ref.typeId}:${ref.id}`, object);
    }
    for (const [name, attribute] of Object.entries(attributes)) {
      if (attribute === null || attribute === '') delete object.attributes[name];
      else object.attributes[name] = attribute;
    }
    return object;
  }

  /** Moves the secondary person's data into the primary, then deletes the secondary. */
  #merge(primaryId: PersonIdentifier, secondaryId: PersonIdentifier): string | undefined {
    const primary = this.find(primaryId.kind, primaryId.value);
    if (primary === undefined || primary.deleted) return 'the primary person does not exist';
    const secondary = this.find(secondaryId.kind, secondaryId.value);
    this.merges += 1;
    if (secondary === undefined || secondary === primary || secondary.deleted) return undefined;
    const primaryKey = this.personKey('cio_id', primary.cio_id) ?? '';
    const secondaryKey = this.personKey('cio_id', secondary.cio_id) ?? '';
    for (const [name, value] of Object.entries(secondary.attributes))
      if (!(name in primary.attributes) && !SETTABLE_IDENTIFIERS.has(name)) primary.attributes[name] = value;
    for (const event of this.events) if (event.key === secondaryKey) event.key = primaryKey;
    for (const members of this.segments.values()) if (members.delete(secondaryKey)) members.add(primaryKey);
    Object.assign(secondary, { deleted: true, attributes: {}, attributeTimes: {} });
    return undefined;
  }

  /** Track v1 add_customers / remove_customers: ids of people who do not exist are passed over. */
  changeSegment(segmentId: number, kind: IdentifierKind, ids: readonly string[], add: boolean): void {
    const members = this.segments.get(segmentId);
    if (members === undefined) return;
    for (const id of ids) {
      const key = this.personKey(kind, id);
      const person = key === undefined ? undefined : this.people.get(key);
      if (key === undefined || person === undefined || person.deleted) continue;
      if (add) members.add(key);
      else members.delete(key);
    }
  }

  /** A segment's people in a stable order: cio_id, id, email. */
  segmentMembers(segmentId: number): { cio_id: string; id: string | null; email: string | null }[] {
    const members = this.segments.get(segmentId) ?? new Set<string>();
    return [...members].sort().flatMap((key) => {
      const person = this.people.get(key);
      return person === undefined || person.deleted
        ? []
        : [{ cio_id: person.cio_id, id: person.id ?? null, email: person.email ?? null }];
    });
  }

  addAnonymousEvent(event: AnonymousEvent): void {
    const { anonymousId, ...rest } = event;
    this.#record({ key: `anonymous:${anonymousId}`, type: 'anonymous', ...rest });
  }

  eventIds(): string[] {
    return this.events.flatMap((event) => (event.id === undefined ? [] : [event.id]));
  }

  summary(): StoreSummary {
    const byType: Partial<Record<StoredEventType, number>> = {};
    for (const event of this.events) byType[event.type] = (byType[event.type] ?? 0) + 1;
    const deleted = [...this.people.values()].filter((person) => person.deleted).length;
    const { events, duplicateEvents } = this;
    let devices = 0;
    for (const byToken of this.devices.values()) devices += byToken.size;
    const people = [...this.people.values()];
    return {
      people: this.people.size - deleted,
      deleted,
      events: events.length,
      duplicateEvents,
      byType,
      objects: this.objects.size,
      relationships: this.relationships.size,
      devices,
      merges: this.merges,
      suppressed: people.filter((person) => person.suppressed).length,
    };
  }

  toJSON(): unknown {
    const people = [...this.people].map(([key, person]) => ({ key, ...person }));
    return { summary: this.summary(), people };
  }

  #create(kind: IdentifierKind, value: string): Person {
    this.#created += 1;
    const base = identifierKey(kind, value);
    let key = base;
    // An identifier another person gave up may still be that person's canonical key.
    for (let n = 2; this.people.has(key); n += 1) key = `${base}#${n}`;
    const person: Person = {
      cio_id: kind === 'cio_id' ? value : `cio_${this.#created.toString(16).padStart(6, '0')}`,
      attributes: {},
      attributeTimes: {},
      deleted: false,
      suppressed: false,
      updates: 0,
    };
    if (kind !== 'cio_id') {
      person[kind] = value;
      person.attributes[kind] = value;
    }
    this.people.set(key, person);
    this.#index.set(base, key);
    this.#index.set(identifierKey('cio_id', person.cio_id), key);
    return person;
  }

  #identify(
    identifier: PersonIdentifier,
    attributes: Record<string, unknown>,
    timestamp: number | undefined,
    nowSeconds: number,
  ): void {
    const { kind, value } = identifier;
    let person = this.find(kind, value);
    if (person === undefined || person.deleted) {
      if (attributes._update === true) return; // update-only never creates
      person ??= this.#create(kind, value);
      person.deleted = false;
    }
    const time = timestamp ?? nowSeconds;
    for (const [name, attribute] of Object.entries(attributes)) {
      if (name === '_update' || (person.attributeTimes[name] ?? Number.NEGATIVE_INFINITY) > time) continue;
      const topic = /^cio_subscription_preferences\.topics\.(topic_\d+)$/.exec(name)?.[1];
      if (topic !== undefined) {
        // Dot notation sets one topic and leaves the others.
        const preferences = (person.attributes.cio_subscription_preferences ?? { topics: {} }) as {
          topics: Record<string, unknown>;
        };
        preferences.topics[topic] = attribute;
        person.attributes.cio_subscription_preferences = preferences;
        person.attributeTimes[name] = time;
        continue;
      }
      if (SETTABLE_IDENTIFIERS.has(name) && !this.#setIdentifier(person, name as 'id', attribute)) continue;
      if (attribute === null) delete person.attributes[name];
      else person.attributes[name] = attribute;
      person.attributeTimes[name] = time;
    }
    person.updates += 1;
  }

  /** Moves an identifier; false (the update is dropped, as Customer.io does silently) when another has it. */
  #setIdentifier(person: Person, kind: 'id' | 'email' | 'phone', raw: unknown): boolean {
    const value = kind === 'id' && typeof raw === 'number' ? String(raw) : raw;
    if (value !== null && (typeof value !== 'string' || value === '')) return false;
    const key = this.#index.get(identifierKey('cio_id', person.cio_id));
    if (key === undefined) return false;
    if (value !== null && (this.#index.get(identifierKey(kind, value)) ?? key) !== key) return false;
    const old = person[kind];
    if (old !== undefined) this.#index.delete(identifierKey(kind, old));
    if (value === null) {
      delete person[kind];
      return true;
    }
    person[kind] = value;
    this.#index.set(identifierKey(kind, value), key);
    return true;
  }

  #record(event: StoredEvent): void {
    if (event.id !== undefined) {
      if (this.#eventIds.has(event.id)) {
        this.duplicateEvents += 1;
        return;
      }
      this.#eventIds.add(event.id);
    }
    this.events.push(event);
  }
}
