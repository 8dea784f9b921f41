// The people filter language of POST /v1/customers (reference §6): one of `and` (array), `or` (array),
// `not` (one condition), `segment` ({id}) or `attribute` ({field, operator: eq|exists, value}).

import type { Person } from './records-audience.js';

export type PersonPredicate = (person: Person) => boolean;

export type FilterParse = { ok: true; matches: PersonPredicate } | { ok: false; error: string };

const GROUP_KEYS = ['and', 'or', 'not', 'segment', 'attribute'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(error: string): FilterParse {
  return { ok: false, error };
}

function parseGroup(items: unknown, key: 'and' | 'or', path: string): FilterParse {
  if (!Array.isArray(items)) return fail(`${path}.${key} must be an array`);
  const parts: PersonPredicate[] = [];
  for (const [index, item] of items.entries()) {
    const parsed = parseCondition(item, `${path}.${key}[${index}]`);
    if (!parsed.ok) return parsed;
    parts.push(parsed.matches);
  }
  return {
    ok: true,
    matches:
      key === 'and'
        ? (person) => parts.every((part) => part(person))
        : (person) => parts.some((part) => part(person)),
  };
}

function parseSegment(value: unknown, path: string): FilterParse {
  if (!isObject(value) || !Number.isInteger(value.id)) return fail(`${path}.segment needs an integer id`);
  const id = value.id as number;
  return { ok: true, matches: (person) => person.segment_ids.includes(id) };
}

function parseAttribute(value: unknown, path: string): FilterParse {
  if (!isObject(value) || typeof value.field !== 'string' || value.field === '') {
    return fail(`${path}.attribute needs a field`);
  }
  const { field, operator } = value;
  if (operator === 'exists') return { ok: true, matches: (person) => person.attributes[field] !== undefined };
  if (operator !== 'eq') return fail(`${path}.attribute.operator must be eq or exists`);
  if (
    typeof value.value !== 'string' &&
    typeof value.value !== 'number' &&
    typeof value.value !== 'boolean'
  ) {
    return fail(`${path}.attribute with operator eq needs a value`);
  }
  const expected = String(value.value);
  return { ok: true, matches: (person) => person.attributes[field] === expected };
}

function parseCondition(condition: unknown, path: string): FilterParse {
  if (!isObject(condition)) return fail(`${path} must be an object`);
  const keys = Object.keys(condition);
  const key = keys[0];
  if (keys.length !== 1 || !GROUP_KEYS.some((candidate) => candidate === key)) {
    return fail(`${path} must have exactly one of ${GROUP_KEYS.join(', ')}`);
  }
  const value = condition[key as string];
  switch (key) {
    case 'and':
    case 'or':
      return parseGroup(value, key, path);
    case 'not': {
      const inner = parseCondition(value, `${path}.not`);
      return inner.ok ? { ok: true, matches: (person) => !inner.matches(person) } : inner;
    }
    case 'segment':
      return parseSegment(value, path);
    default:
      return parseAttribute(value, path);
  }
}

/** Compiles a filter; `cio_id exists` matches everyone, a segment that does not exist matches nobody. */
export function parsePeopleFilter(filter: unknown): FilterParse {
  return parseCondition(filter, 'filter');
}
