import type { JsonObject } from '@cio-connectors/kit/protocol';
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
