import { ConfigError } from '@cio-connectors/kit/errors';
import type { DestinationSyncMode } from '@cio-connectors/kit/protocol';
import type { DestinationConfig } from './config.js';
import { OBJECT_NAMES, OPERATIONS, type Operation, operationsOf, TYPED_OBJECT } from './operations.js';

/** How one configured stream is written. */
export interface StreamPlan {
  stream: string;
  operation: Operation;
  /** Operation field → the record column that holds it (a field not named here is its own column). */
  fields: Readonly<Record<string, string>>;
  /** The matching key the stream's primary key names; undefined: the first present, in the operation's order. */
  matchingKey: string | undefined;
  /** A collection stream's collection name: its stream_mappings entry's, else the stream's. */
  collectionName: string;
  /** A segment_membership stream's segment, from its stream_mappings entry: records then need no segment_id. */
  segmentId: string | undefined;
}

export interface Plans {
  /** By stream name (and namespace: `namespace.name`). */
  byStream: ReadonlyMap<string, StreamPlan>;
  warnings: string[];
}

export function streamKey(name: string, namespace: unknown): string {
  return typeof namespace === 'string' && namespace !== '' ? `${namespace}.${name}` : name;
}

interface RawConfiguredStream {
  stream?: { name?: unknown; namespace?: unknown };
  sync_mode?: unknown;
  destination_object_name?: unknown;
  destination_sync_mode?: unknown;
  primary_key?: unknown;
}

const list = (items: readonly string[]) =>
  items.length === 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`;

function operationFor(
  stream: string,
  object: string,
  mode: DestinationSyncMode | undefined,
  operations: readonly Operation[],
): Operation {
  const candidates = operationsOf(object, operations);
  if (candidates.length === 0 && TYPED_OBJECT.test(object))
    throw new ConfigError(
      `Stream "${stream}" writes "${object}", but the workspace has no object type named so: see discover's object_<type> names (they need "app_api_key"), or write "object" / "relationship" with an object_type_id column.`,
    );
  if (candidates.length === 0)
    throw new ConfigError(
      `Stream "${stream}" writes "${object}", which is not an object of this destination: use ${list(OBJECT_NAMES)}.`,
    );
  const operation =
    mode === undefined ? candidates[0] : candidates.find((candidate) => candidate.mode === mode);
  if (operation === undefined)
    throw new ConfigError(
      `Stream "${stream}" writes ${object} in mode ${mode ?? ''}, which ${object} does not take: use ${list(candidates.map((candidate) => candidate.mode))}.`,
    );
  return operation;
}

/** The primary key's first column, when it is one of the operation's matching keys (or a column mapped to one). */
function matchingKeyOf(primaryKey: unknown, operation: Operation, fields: Readonly<Record<string, string>>) {
  const column = Array.isArray(primaryKey) && Array.isArray(primaryKey[0]) ? primaryKey[0][0] : undefined;
  if (typeof column !== 'string') return undefined;
  return operation.matchingKeys.find((key) => key === column || fields[key] === column);
}

function catalogStreams(rawCatalog: unknown): RawConfiguredStream[] {
  const streams = (rawCatalog as { streams?: unknown } | null)?.streams;
  if (typeof rawCatalog !== 'object' || rawCatalog === null || !Array.isArray(streams))
    throw new ConfigError('The catalog must be a JSON object with a "streams" list (a configured catalog).');
  return streams as RawConfiguredStream[];
}

/** Whether the catalog writes an `object_<type>` or `relationship_<type>`: the types must be listed first. */
export function writesTypedObjects(rawCatalog: unknown, config: DestinationConfig): boolean {
  const named = catalogStreams(rawCatalog).map((raw) => raw?.destination_object_name);
  const objects = [...named, ...config.streamMappings.map((mapping) => mapping.object)];
  return objects.some(
    (object) => typeof object === 'string' && !OBJECT_NAMES.includes(object) && TYPED_OBJECT.test(object),
  );
}

/** Each configured stream's write, from its destination_object_name or its entry in stream_mappings. */
export function planStreams(
  rawCatalog: unknown,
  config: DestinationConfig,
  operations: readonly Operation[] = OPERATIONS,
): Plans {
  const streams = catalogStreams(rawCatalog);
  const mappings = new Map(config.streamMappings.map((mapping) => [mapping.stream, mapping]));
  const byStream = new Map<string, StreamPlan>();
  for (const [index, raw] of streams.entries()) {
    const name = raw?.stream?.name;
    if (typeof name !== 'string' || name === '')
      throw new ConfigError(`Catalog stream ${index + 1} has no "stream": {"name": ...}: fix the catalog.`);
    const mapping = mappings.get(name);
    const named = raw.destination_object_name;
    let operation: Operation;
    if (typeof named === 'string' && named !== '') {
      const mode = raw.destination_sync_mode;
      operation = operationFor(
        name,
        named,
        typeof mode === 'string' ? (mode as DestinationSyncMode) : undefined,
        operations,
      );
    } else if (mapping !== undefined) {
      operation = operationFor(name, mapping.object, mapping.syncMode, operations);
    } else {
      throw new ConfigError(
        `Stream "${name}" names no destination object: set its "destination_object_name" in the catalog, or add {"stream": "${name}", "object": "person"} (or another object) to the config's "stream_mappings".`,
      );
    }
    if (
      (operation.action === 'segment_mirror' || operation.action === 'collection_replace') &&
      raw.sync_mode === 'incremental'
    )
      throw new ConfigError(
        `Stream "${name}" mirrors ${operation.object} (overwrite) but is read incrementally: a mirror needs every row each sync, so set the stream's sync mode to full_refresh.`,
      );
    const fields = mapping?.fields ?? {};
    const key = streamKey(name, raw.stream?.namespace);
    if (byStream.has(key)) throw new ConfigError(`The catalog lists the stream "${key}" twice: keep one.`);
    byStream.set(key, {
      stream: name,
      operation,
      fields,
      matchingKey: matchingKeyOf(raw.primary_key, operation, fields),
      collectionName: mapping?.collectionName ?? name,
      segmentId: mapping?.segmentId,
    });
  }
  const catalogNames = new Set([...byStream.values()].map((plan) => plan.stream));
  const warnings = config.streamMappings
    .filter((mapping) => !catalogNames.has(mapping.stream))
    .map(
      (mapping) =>
        `Config field "stream_mappings" maps the stream "${mapping.stream}", which the catalog does not list: nothing is written for it.`,
    );
  return { byStream, warnings };
}
