import { readdirSync } from 'node:fs';
import type { JsonObject } from '@cio-connectors/kit/json';
import { describe, expect, test } from 'vitest';
import { ROOT, recordValidator } from '../integration_tests/harness.js';
import { RecordNormalizer } from '../src/normalize.js';
import { loadSchema } from '../src/schemas.js';

function normalizer(
  schema: JsonObject,
  name = 'things',
): { normalize: (r: JsonObject) => JsonObject; warnings: string[] } {
  const warnings: string[] = [];
  const instance = new RecordNormalizer(name, schema, (message) => warnings.push(message));
  return { normalize: (record) => instance.normalize(record), warnings };
}

const schema: JsonObject = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    label: { type: ['null', 'string'] },
    count: { type: ['null', 'integer'] },
    ratio: { type: ['null', 'number'] },
    flag: { type: ['null', 'boolean'] },
    nested: {
      type: ['null', 'object'],
      properties: { when: { type: ['null', 'integer'] }, who: { type: 'string' } },
    },
    tags: { type: ['null', 'array'], items: { type: 'string' } },
    rows: {
      type: ['null', 'array'],
      items: { type: 'object', properties: { n: { type: 'integer' } } },
    },
    either: { anyOf: [{ type: 'integer' }, { type: 'array', items: { type: 'string' } }] },
    free: { type: ['null', 'object'], additionalProperties: { type: 'string' } },
  },
};

describe('RecordNormalizer', () => {
  test('a record of the declared types is returned as is, not copied', () => {
    const { normalize, warnings } = normalizer(schema);
    const record = {
      id: '1',
      label: null,
      count: 3,
      ratio: 2,
      flag: true,
      nested: { when: 5, who: 'x' },
      tags: ['a'],
      rows: [{ n: 1 }],
      either: ['z'],
      free: { a: 'b' },
      undeclared: { anything: 1 },
    };
    expect(normalize(record)).toBe(record);
    expect(warnings).toEqual([]);
  });

  test.each([
    ['an integer where a string is declared', { id: 42 }, { id: '42' }],
    ['a float where a string is declared', { label: 2.5 }, { label: '2.5' }],
    ['a boolean where a string is declared', { label: false }, { label: 'false' }],
    ['an integer string where an integer is declared', { count: '17' }, { count: 17 }],
    ['a negative integer string', { count: '-3' }, { count: -3 }],
    ['a numeric string where a number is declared', { ratio: '0.25' }, { ratio: 0.25 }],
    ['an integer string where a number is declared', { ratio: '4' }, { ratio: 4 }],
    ['nested objects', { nested: { when: '9', who: 7 } }, { nested: { when: 9, who: '7' } }],
    ['array items', { tags: ['a', 1, true] }, { tags: ['a', '1', 'true'] }],
    ['objects in arrays', { rows: [{ n: 1 }, { n: '2' }] }, { rows: [{ n: 1 }, { n: 2 }] }],
    ['an anyOf branch', { either: '5' }, { either: 5 }],
    ['additionalProperties schemas', { free: { a: 1, b: 'c' } }, { free: { a: '1', b: 'c' } }],
    // Beyond 2^53 the parser gives a BigInt (src/json.ts): its exact digits, never the rounded double's.
    [
      'an integer beyond 2^53 where a string is declared',
      { id: 9007199254740993n },
      { id: '9007199254740993' },
    ],
    [
      'an integer string beyond 2^53 where an integer is declared, exactly',
      { count: '9007199254740993' },
      { count: 9007199254740993n },
    ],
    ['a negative one', { count: '-9007199254740995' }, { count: -9007199254740995n }],
  ])('converts %s', (_name, record, expected) => {
    const { normalize, warnings } = normalizer(schema);
    expect(normalize(record)).toEqual(expected);
    expect(warnings).toEqual([]);
  });

  test('an integer beyond 2^53 where an integer or number is declared passes as it is', () => {
    const { normalize, warnings } = normalizer(schema);
    const record = { count: 9007199254740993n, ratio: -18014398509481985n, nested: { when: 2n ** 64n } };
    expect(normalize(record)).toBe(record);
    expect(warnings).toEqual([]);
  });

  test('converts on a copy: the input is untouched, and unchanged branches are shared', () => {
    const record = { id: 1, nested: { when: 2, who: 'x' }, tags: ['a', 3] };
    const copy = structuredClone(record);
    const { normalize } = normalizer(schema);
    const result = normalize(record);
    expect(record).toEqual(copy);
    expect(result).toEqual({ id: '1', nested: { when: 2, who: 'x' }, tags: ['a', '3'] });
    expect(result.nested).toBe(record.nested);
  });

  test.each([
    ['a fractional string where an integer is declared', { count: '2.5' }],
    ['a string with leading zeros (would lose them)', { count: '007' }],
    ['a long string with leading zeros', { count: '00009007199254740993' }],
    ['padded text', { count: ' 3' }],
    ['an empty string', { count: '' }],
    ['a word', { count: 'many' }],
    ['a fraction where an integer is declared', { count: 2.5 }],
    ['an object where a string is declared', { id: { value: 1 } }],
    ['null where null is not allowed', { id: null }],
    ['a string where a boolean is declared', { flag: 'true' }],
    ['a scalar where an array is declared', { tags: 'a' }],
  ])('leaves %s unchanged, with a warning', (_name, record) => {
    const { normalize, warnings } = normalizer(schema);
    expect(normalize(record)).toEqual(record);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^things: field "\w+" is declared .+ but Customer\.io sent .+; it is passed through unchanged/,
    );
  });

  test('warns once per stream and field path, however many records', () => {
    const { normalize, warnings } = normalizer(schema);
    for (let i = 0; i < 5; i++)
      normalize({ count: 'x', nested: { when: 'y', who: 'z' }, rows: [{ n: 'a' }, { n: 'b' }] });
    expect(warnings).toHaveLength(3);
    expect(warnings.join('\n')).toContain(
      'field "count" is declared null or integer but Customer.io sent a string',
    );
    expect(warnings.join('\n')).toContain('field "nested.when"');
    expect(warnings.join('\n')).toContain('field "rows[].n" is declared integer');
  });

  test('warnings carry no values (they could be personal data)', () => {
    const { normalize, warnings } = normalizer(schema);
    normalize({ count: 'ann@example.com' });
    expect(warnings[0]).not.toContain('ann@example.com');
  });

  test('a schema without types constrains nothing', () => {
    const { normalize } = normalizer({});
    const record = { id: 1 };
    expect(normalize(record)).toBe(record);
  });
});

describe('stream schemas', () => {
  test('broadcast_actions: an id sent as a string of digits becomes the integer the spec declares', () => {
    const streamSchema = loadSchema('broadcast_actions');
    const { normalize, warnings } = normalizer(streamSchema, 'broadcast_actions');
    const record = normalize({ id: '123', broadcast_id: 4, created: '1700000000' });
    expect(record).toEqual({ id: 123, broadcast_id: 4, created: 1700000000 });
    const validate = recordValidator(streamSchema);
    expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
    expect(warnings).toEqual([]);
  });

  test('every stream schema compiles, and an empty record passes untouched', () => {
    const names = readdirSync(`${ROOT}/schemas`).map((file) => file.replace(/\.json$/, ''));
    expect(names.length).toBeGreaterThan(40);
    for (const name of names) {
      const record = {};
      expect(new RecordNormalizer(name, loadSchema(name), () => undefined).normalize(record)).toBe(record);
    }
  });
});

/** A value of the schema's first non-null type, all the way down (undeclared extras included). */
function sampleOf(schema: unknown): unknown {
  const node = (schema ?? {}) as JsonObject;
  const branches = (node.anyOf ?? node.oneOf) as unknown[] | undefined;
  if (branches?.[0] !== undefined) return sampleOf(branches[0]);
  const types = Array.isArray(node.type) ? node.type : [node.type];
  const type = types.find((name) => name !== 'null');
  if (type === 'string') return 'text';
  if (type === 'integer') return 7;
  if (type === 'number') return 2.5;
  if (type === 'boolean') return true;
  if (type === 'array') return [sampleOf(node.items), sampleOf(node.items)];
  if (type !== 'object' && node.properties === undefined) return 'anything';
  const object: JsonObject = {};
  for (const [name, child] of Object.entries((node.properties ?? {}) as JsonObject))
    object[name] = sampleOf(child);
  if (typeof node.additionalProperties === 'object') object.extra = sampleOf(node.additionalProperties);
  object.undeclared = { nested: [1, 'two'] };
  return object;
}

/** The same record with no prototype: the quick check takes only plain objects, so this one is always walked. */
function walkedCopy(record: JsonObject): JsonObject {
  return Object.assign(Object.create(null) as JsonObject, record);
}

describe('the quick check for records that need no change', () => {
  const odd: unknown[] = ['12', '1.5', 'x', 12, 1.5, false, null, {}, [], ['3'], [{ n: '4' }], { who: 5 }];
  const names = readdirSync(`${ROOT}/schemas`).map((file) => file.replace(/\.json$/, ''));

  test.each(names)('%s: a record of the declared types is returned as is', (name) => {
    const { normalize, warnings } = normalizer(loadSchema(name), name);
    const record = sampleOf(loadSchema(name)) as JsonObject;
    expect(normalize(record)).toBe(record);
    expect(normalize(walkedCopy(record))).toEqual(record);
    expect(warnings).toEqual([]);
  });

  test.each(names)('%s: any field of another type comes out as the full walk makes it', (name) => {
    const quick = normalizer(loadSchema(name), name);
    const walked = normalizer(loadSchema(name), name);
    const sample = sampleOf(loadSchema(name)) as JsonObject;
    for (const field of Object.keys(sample)) {
      for (const value of odd) {
        const record = { ...sample, [field]: value };
        const result = quick.normalize(record);
        expect(result).toEqual(walked.normalize(walkedCopy(record)));
        if (result !== record) expect(result).not.toEqual(record);
      }
    }
    expect(quick.warnings).toEqual(walked.warnings);
  });
});
