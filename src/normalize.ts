import type { JsonObject } from '@cio-connectors/kit/json';

/**
 * Brings records to the types their stream's JSON schema declares, where that loses nothing: a number or
 * boolean becomes a string where only a string is allowed, a string holding an integer (or a number) becomes
 * one where the schema declares integer (or number). What cannot be converted passes through unchanged and
 * is reported once per field. The schema is compiled once into a walker; a record that needs no change is
 * returned as it is, without a copy. Most records need none: a quick check (`conforms`) says so first, and only
 * a record it does not pass is walked, converted and reported on.
 */
export class RecordNormalizer {
  readonly #root: SchemaNode | undefined;
  readonly #streamName: string;
  readonly #warn: (message: string) => void;
  readonly #reported = new Set<string>();

  constructor(streamName: string, jsonSchema: JsonObject, warn: (message: string) => void) {
    this.#streamName = streamName;
    this.#warn = warn;
    this.#root = compile(jsonSchema, '');
  }

  normalize(record: JsonObject): JsonObject {
    if (this.#root === undefined || conforms(this.#root, record)) return record;
    return walk(this.#root, record, this.#report) as JsonObject;
  }

  readonly #report = (node: SchemaNode, value: unknown): void => {
    if (this.#reported.has(node.path)) return;
    this.#reported.add(node.path);
    this.#warn(
      `${this.#streamName}: field "${node.path}" is declared ${describeTypes(node.types)} but Customer.io sent ${kindName(kindOf(value))}; ` +
        'it is passed through unchanged and may fail validation downstream (reported once per field).',
    );
  };
}

/** JSON Schema types as bits, so that "is this value allowed" is one AND. */
const NULL = 1;
const BOOLEAN = 2;
const INTEGER = 4;
const NUMBER = 8;
const STRING = 16;
const ARRAY = 32;
const OBJECT = 64;
const ANY = 127;

const TYPE_BITS: Readonly<Record<string, number>> = {
  null: NULL,
  boolean: BOOLEAN,
  // A number schema accepts integers too.
  integer: INTEGER,
  number: NUMBER | INTEGER,
  string: STRING,
  array: ARRAY,
  object: OBJECT,
};

interface SchemaNode {
  /** Where in the record, for warnings: `a.b`, `list[]`. */
  path: string;
  /** The types allowed, as bits; ANY when the schema does not say. */
  types: number;
  properties: ReadonlyArray<readonly [string, SchemaNode]>;
  /** The schema of undeclared properties, when `additionalProperties` is a schema. */
  additional: SchemaNode | undefined;
  additionalSkips: ReadonlySet<string>;
  items: SchemaNode | undefined;
  /** `anyOf` / `oneOf` branches: the value is walked with the first branch that takes it. */
  branches: readonly SchemaNode[];
  /** What `conforms` looks a property up in: the node of a declared name, else `additional`. */
  byName: ReadonlyMap<string, SchemaNode>;
  /**
   * The keys `conforms` met at each position of the last object checked here, and their nodes: records of a
   * stream mostly share their key order, so a key is looked up only where it differs from the previous one.
   */
  seenKeys: Array<string | undefined>;
  seenNodes: Array<SchemaNode | undefined>;
  /**
   * A declared name that every object has through Object.prototype (`constructor`, `toString`...): `walk`
   * reads it from the prototype, which a loop over the object's own keys would not see.
   */
  inheritsDeclared: boolean;
  /** Only `types` constrains the value (no properties, items or branches): `conforms` is one AND. */
  readonly leaf: boolean;
}

type Report = (node: SchemaNode, value: unknown) => void;

/** Compiles a schema; undefined for one that constrains nothing (nothing to walk). */
function compile(schema: unknown, path: string): SchemaNode | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const definition = schema as JsonObject;
  const properties: Array<readonly [string, SchemaNode]> = [];
  const declared = definition.properties;
  if (typeof declared === 'object' && declared !== null) {
    for (const [name, child] of Object.entries(declared)) {
      const node = compile(child, path === '' ? name : `${path}.${name}`);
      if (node !== undefined) properties.push([name, node]);
    }
  }
  const alternatives = [definition.anyOf, definition.oneOf].flatMap((list) =>
    Array.isArray(list) ? list : [],
  );
  const compiled = alternatives.flatMap((branch) => compile(branch, path) ?? []);
  const branches = compiled.length === alternatives.length ? compiled : [];
  const additional = compile(definition.additionalProperties, path === '' ? '*' : `${path}.*`);
  const items = compile(definition.items, `${path}[]`);
  const node: SchemaNode = {
    path: path === '' ? '(record)' : path,
    types: typeBits(definition.type),
    properties,
    additional,
    additionalSkips: new Set(properties.map(([name]) => name)),
    items,
    branches,
    byName: new Map(properties),
    seenKeys: [],
    seenNodes: [],
    inheritsDeclared: properties.some(([name]) => name in Object.prototype),
    leaf: properties.length === 0 && additional === undefined && items === undefined && branches.length === 0,
  };
  const constrains =
    node.types !== ANY ||
    node.properties.length > 0 ||
    node.additional !== undefined ||
    node.items !== undefined ||
    node.branches.length > 0;
  return constrains ? node : undefined;
}

function typeBits(type: unknown): number {
  const names = typeof type === 'string' ? [type] : Array.isArray(type) ? type : undefined;
  if (names === undefined) return ANY;
  return names.reduce<number>((bits, name) => bits | (TYPE_BITS[String(name)] ?? 0), 0);
}

function kindOf(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return STRING;
    case 'number':
      return Number.isInteger(value) ? INTEGER : NUMBER;
    case 'bigint':
      // Only integers beyond 2^53 are BigInts (see json.ts).
      return INTEGER;
    case 'boolean':
      return BOOLEAN;
    case 'object':
      return value === null ? NULL : Array.isArray(value) ? ARRAY : OBJECT;
    default:
      return 0;
  }
}

/**
 * Whether `walk` would return the value as it is and report nothing: every value has a declared type, all the way
 * down. A quick answer for the common case, so it answers false (leaving it to `walk`) wherever that is simpler.
 */
function conforms(node: SchemaNode, value: unknown): boolean {
  const kind = kindOf(value);
  if (node.branches.length > 0) {
    const taking = node.branches.find((branch) => (branch.types & kind) !== 0);
    return taking !== undefined && conforms(taking, value);
  }
  if ((node.types & kind) === 0) return false;
  if (kind === OBJECT) return conformsObject(node, value as JsonObject);
  if (kind === ARRAY && node.items !== undefined) return conformsArray(node.items, value as unknown[]);
  return true;
}

/**
 * Every key of the object against its node: `walk` reads the declared names and walks the other own keys with
 * `additional`. Only plain objects (their keys are all their own and enumerable, as JSON makes them) are
 * checked here; `for...in` visits them in order at the cost of an index, where a name lookup costs a hash.
 */
function conformsObject(node: SchemaNode, object: JsonObject): boolean {
  if (node.inheritsDeclared || Object.getPrototypeOf(object) !== Object.prototype) return false;
  const { seenKeys, seenNodes } = node;
  let position = 0;
  for (const key in object) {
    let child: SchemaNode | undefined;
    if (seenKeys[position] === key) child = seenNodes[position];
    else {
      child = node.byName.get(key) ?? node.additional;
      seenKeys[position] = key;
      seenNodes[position] = child;
    }
    position += 1;
    if (child === undefined) continue;
    const value = object[key];
    if (child.leaf ? (child.types & kindOf(value)) === 0 : !conforms(child, value)) return false;
  }
  return true;
}

function conformsArray(items: SchemaNode, list: unknown[]): boolean {
  for (const item of list) if (!conforms(items, item)) return false;
  return true;
}

/** The value, normalized; the very same value when nothing changed. */
function walk(node: SchemaNode, value: unknown, report: Report): unknown {
  if (node.branches.length > 0) return walkBranches(node, value, report);
  const kind = kindOf(value);
  if ((node.types & kind) === 0) {
    const converted = convert(value, kind, node.types);
    if (converted !== UNCHANGED) return converted;
    report(node, value);
    return value;
  }
  if (kind === OBJECT) return walkObject(node, value as JsonObject, report);
  if (kind === ARRAY && node.items !== undefined) return walkArray(node.items, value as unknown[], report);
  return value;
}

function walkBranches(node: SchemaNode, value: unknown, report: Report): unknown {
  const kind = kindOf(value);
  const taking = node.branches.find((branch) => (branch.types & kind) !== 0);
  if (taking !== undefined) return walk(taking, value, report);
  for (const branch of node.branches) {
    const converted = convert(value, kind, branch.types);
    if (converted !== UNCHANGED) return converted;
  }
  report(node, value);
  return value;
}

function walkObject(node: SchemaNode, object: JsonObject, report: Report): JsonObject {
  let result = object;
  for (const [name, child] of node.properties) {
    const before = object[name];
    if (before === undefined) continue;
    const after = walk(child, before, report);
    if (after === before) continue;
    if (result === object) result = { ...object };
    result[name] = after;
  }
  return node.additional === undefined ? result : walkAdditional(node, node.additional, result, report);
}

function walkAdditional(
  node: SchemaNode,
  additional: SchemaNode,
  object: JsonObject,
  report: Report,
): JsonObject {
  let result = object;
  for (const [name, before] of Object.entries(object)) {
    if (node.additionalSkips.has(name)) continue;
    const after = walk(additional, before, report);
    if (after === before) continue;
    if (result === object) result = { ...object };
    result[name] = after;
  }
  return result;
}

function walkArray(items: SchemaNode, list: unknown[], report: Report): unknown[] {
  let result = list;
  for (const [index, before] of list.entries()) {
    const after = walk(items, before, report);
    if (after === before) continue;
    if (result === list) result = [...list];
    result[index] = after;
  }
  return result;
}

const UNCHANGED = Symbol('unchanged');
/** An integer of 16 digits or more without leading zeros, as JSON writes it. */
const UNSAFE_INTEGER_TEXT = /^-?[1-9]\d{15,}$/;

/** The value as one of `types` when the conversion is exact, else UNCHANGED. */
function convert(value: unknown, kind: number, types: number): unknown {
  if (types & STRING && kind & (INTEGER | NUMBER | BOOLEAN)) return String(value);
  if (kind === STRING && types & (INTEGER | NUMBER)) {
    const text = value as string;
    const number = Number(text);
    // An integer beyond 2^53 stays exact as a BigInt, written back as the same digits.
    if (!Number.isSafeInteger(number) && types & INTEGER && UNSAFE_INTEGER_TEXT.test(text))
      return BigInt(text);
    // Only when the number writes back as the very same text: no leading zeros, no precision lost.
    if (text === '' || !Number.isFinite(number) || String(number) !== text) return UNCHANGED;
    if (types & kindOf(number)) return number;
  }
  return UNCHANGED;
}

function describeTypes(types: number): string {
  // A number schema's bits include integer's: name it once, as number.
  const names = Object.entries(TYPE_BITS)
    .filter(([name, bits]) => (types & bits) === bits && !(name === 'integer' && types & NUMBER))
    .map(([name]) => name);
  return names.length === 0 ? 'no type' : names.join(' or ');
}

function kindName(kind: number): string {
  switch (kind) {
    case NULL:
      return 'null';
    case BOOLEAN:
      return 'a boolean';
    case INTEGER:
      return 'an integer';
    case NUMBER:
      return 'a number';
    case STRING:
      return 'a string';
    case ARRAY:
      return 'a list';
    case OBJECT:
      return 'an object';
    default:
      return 'an unknown value';
  }
}
