// Shared by the simulator's test files: a simulator for one test, and the rules every stream schema follows.

import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { type Simulator, type SimulatorOptions, startSimulator } from './index.js';

export async function withSimulator(
  options: SimulatorOptions,
  run: (simulator: Simulator) => Promise<void>,
): Promise<void> {
  const simulator = await startSimulator(options);
  try {
    await run(simulator);
  } finally {
    await simulator.close();
  }
}

export function loadSchema(stream: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../schemas/${stream}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

export function walk(value: unknown, visit: (node: unknown, key: string) => void, key = ''): void {
  visit(value, key);
  if (Array.isArray(value)) for (const item of value) walk(item, visit, key);
  else if (value !== null && typeof value === 'object') {
    for (const [childKey, child] of Object.entries(value)) walk(child, visit, childKey);
  }
}

/** What Airbyte's acceptance tests ask of a stream schema: draft-07, described, no combinators, open objects. */
export function expectAirbyteSchemaRules(schema: Record<string, unknown>): void {
  expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  expect([schema.type, schema.additionalProperties, typeof schema.description]).toEqual([
    'object',
    true,
    'string',
  ]);
  walk(schema, (node, key) => {
    expect(['$ref', 'allOf', 'anyOf', 'oneOf', 'not']).not.toContain(key);
    if (key === 'additionalProperties') expect(node).toBe(true);
  });
}
