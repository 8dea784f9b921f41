import type { JsonObject } from '@cio-connectors/kit/json';
import { stringifyJson } from '@cio-connectors/kit/json';
import { UnexpectedResponseError } from './errors.js';

interface KeyPart {
  path: readonly string[];
  /** `a.b`, for messages. */
  name: string;
  /** The stream's schema allows null here (only `esp_suppressions.domain`): null is a value, absent is not. */
  nullable: boolean;
}

/**
 * Fails a record that lacks part of its stream's primary key: a deduplicating destination would fold every such
 * record into one row. The read loop names the stream in the error. The key paths are resolved once per stream; checking a record is a few property reads.
 */
export class PrimaryKeyCheck {
  readonly #parts: readonly KeyPart[];
  readonly #key: string;

  constructor(primaryKey: readonly (readonly string[])[], jsonSchema: JsonObject) {
    this.#parts = primaryKey.map((path) => ({
      path,
      name: path.join('.'),
      nullable: allowsNull(schemaAt(jsonSchema, path)),
    }));
    this.#key = this.#parts.map((part) => part.name).join(', ');
  }

  /** Throws when the record lacks a part of the key. */
  check(record: JsonObject): void {
    for (const part of this.#parts) {
      const value = valueAt(record, part.path);
      if (value === undefined || (value === null && !part.nullable)) throw this.#missing(part);
    }
  }

  #missing(part: KeyPart): UnexpectedResponseError {
    return new UnexpectedResponseError(
      `Customer.io sent a record without "${part.name}", part of the stream's primary key (${this.#key}): a deduplicating destination would merge such records into one, so the stream stops. Retry later; report it if it persists.`,
    );
  }
}

function valueAt(record: JsonObject, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const name of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as JsonObject)[name];
  }
  return value;
}

function schemaAt(schema: JsonObject, path: readonly string[]): unknown {
  let node: unknown = schema;
  for (const name of path) {
    const properties = (node as JsonObject | undefined)?.properties as JsonObject | undefined;
    node = properties?.[name];
  }
  return node;
}

function allowsNull(schema: unknown): boolean {
  const type = (schema as JsonObject | undefined)?.type;
  return type === 'null' || (Array.isArray(type) && type.includes('null'));
}

/** How many recent keys a stream whose pages may repeat remembers: repeats come at page edges, pages hold ≤ 1000. */
const REPEAT_WINDOW = 10_000;

/**
 * The keys of a stream's most recent records, at most `size` of them (insertion order: the oldest is
 * forgotten first), so dropping repeats costs bounded memory whatever the stream's size.
 */
export class RecentKeys {
  readonly #keys = new Set<string>();
  readonly #size: number;
  readonly #paths: readonly (readonly string[])[];

  constructor(primaryKey: readonly (readonly string[])[], size = REPEAT_WINDOW) {
    this.#paths = primaryKey;
    this.#size = size;
  }

  /** Whether the record's key was among the recent ones; remembers it either way. */
  repeated(record: JsonObject): boolean {
    const key = stringifyJson(this.#paths.map((path) => valueAt(record, path) ?? null));
    if (this.#keys.has(key)) return true;
    this.#keys.add(key);
    if (this.#keys.size > this.#size) this.#keys.delete(this.#keys.values().next().value as string);
    return false;
  }
}
