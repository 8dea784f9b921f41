import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JsonObject } from '@cio-connectors/kit/json';

// Both src/ (tests) and dist/ (the built connector) sit beside the top-level schemas/ folder.
const SCHEMAS_DIR = fileURLToPath(new URL('../schemas/', import.meta.url));
const cache = new Map<string, JsonObject>();

export function loadSchema(streamName: string): JsonObject {
  let schema = cache.get(streamName);
  if (schema === undefined) {
    schema = JSON.parse(readFileSync(`${SCHEMAS_DIR}${streamName}.json`, 'utf8')) as JsonObject;
    cache.set(streamName, schema);
  }
  return schema;
}
