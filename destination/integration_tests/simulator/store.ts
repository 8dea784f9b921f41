import type { AnonymousEvent, IdentifierKind, ValidEntry } from './validate.js';

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

export interface StoreSummary {
  people: number;
  deleted: number;
  events: number;
  duplicateEvents: number;
  byType: Partial<Record<StoredEventType, number>>;
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
  /** Every identifier key a person answers to → that person's canonical key. */
  readonly #index = new Map<string, string>();
  readonly #eventIds = new Set<string>();
  #created = 0;

  /** The person an identifier addresses, deleted or not. */
  find(kind: IdentifierKind, value: string): Person | undefined {
    const key = this.#index.get(identifierKey(kind, value));
    return key === undefined ? undefined : this.people.get(key);
  }

  /** Applies one valid batch entry. `nowSeconds` stands in for an identify without `timestamp`. */
  apply(entry: ValidEntry, nowSeconds: number): void {
    const { kind, value } = entry.identifier;
    switch (entry.action) {
      case 'identify':
        this.#identify(entry, nowSeconds);
        return;
      case 'delete': {
        const person = this.find(kind, value);
        if (person === undefined || person.deleted) return;
        Object.assign(person, { deleted: true, attributes: {}, attributeTimes: {} });
        person.updates += 1;
        return;
      }
      case 'suppress':
      case 'unsuppress': {
        const person =
          this.find(kind, value) ?? (entry.action === 'suppress' ? this.#create(kind, value) : null);
        if (person !== null) person.suppressed = entry.action === 'suppress';
        return;
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
      }
    }
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
    return { people: this.people.size - deleted, deleted, events: events.length, duplicateEvents, byType };
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

  #identify(entry: ValidEntry, nowSeconds: number): void {
    const { kind, value } = entry.identifier;
    let person = this.find(kind, value);
    if (person === undefined || person.deleted) {
      if (entry.attributes._update === true) return; // update-only never creates
      person ??= this.#create(kind, value);
      person.deleted = false;
    }
    const time = entry.timestamp ?? nowSeconds;
    for (const [name, attribute] of Object.entries(entry.attributes)) {
      if (name === '_update' || (person.attributeTimes[name] ?? Number.NEGATIVE_INFINITY) > time) continue;
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
