import type { AirbyteStream, ConfiguredAirbyteCatalog, SyncMode } from '@cio-connectors/kit/protocol';
import { ConfigError } from './errors.js';
import type { Stream } from './streams/base.js';

export interface ConfiguredStream {
  stream: Stream;
  syncMode: SyncMode;
}

const SYNC_MODES: readonly SyncMode[] = ['full_refresh', 'incremental'];

/** A stream as discover lists it: its schema, sync modes, key, source-defined cursor and whether it resumes. */
export function airbyteStream(stream: Stream): AirbyteStream {
  const { cursorField } = stream;
  return {
    name: stream.name,
    json_schema: stream.jsonSchema,
    supported_sync_modes: stream.supportedSyncModes,
    source_defined_primary_key: stream.primaryKey,
    ...(cursorField === undefined
      ? {}
      : { source_defined_cursor: true, default_cursor_field: [cursorField] }),
    ...(cursorField !== undefined || stream.resumableFullRefresh ? { is_resumable: true } : {}),
  };
}

/**
 * Checks a configured catalog against the connector's streams; every problem is the user's to fix. Only each
 * entry's `stream.name` and `sync_mode` are read. Everything else is accepted and ignored: the
 * `destination_sync_mode` (any, `append_dedup` included, on every stream: it is the destination's concern and
 * the platform rewrites it), the cursor and primary key (source-defined here), and what today's platform adds
 * to each entry (`generation_id`, `minimum_generation_id`, `sync_id`, `include_files`,
 * `destination_object_name`) or any field a later protocol version brings.
 */
export function resolveCatalog(raw: unknown, available: readonly Stream[]): ConfiguredStream[] {
  const catalog = raw as Partial<ConfiguredAirbyteCatalog> | null;
  if (typeof catalog !== 'object' || catalog === null || !Array.isArray(catalog.streams)) {
    throw new ConfigError(
      'The configured catalog must be a JSON object with a "streams" list: use the output of discover.',
    );
  }
  const byName = new Map(available.map((stream) => [stream.name, stream]));
  const seen = new Set<string>();
  return catalog.streams.map((entry, index) => {
    const name = entry?.stream?.name;
    if (typeof name !== 'string') {
      throw new ConfigError(`The configured catalog's streams[${index}] has no stream.name.`);
    }
    const stream = byName.get(name);
    if (stream === undefined) {
      throw new ConfigError(
        `The configured catalog names stream "${name}", which this connector does not have: refresh the source schema (discover) and reselect streams.`,
      );
    }
    if (seen.has(name)) throw new ConfigError(`The configured catalog lists stream "${name}" twice.`);
    seen.add(name);
    const supported = stream.supportedSyncModes;
    if (!SYNC_MODES.includes(entry.sync_mode as SyncMode)) {
      throw new ConfigError(
        `The configured catalog gives stream "${name}" the sync_mode ${JSON.stringify(entry.sync_mode ?? null)}, which is not a sync mode: use full_refresh or incremental (discover lists each stream's).`,
      );
    }
    if (!supported.includes(entry.sync_mode as SyncMode)) {
      throw new ConfigError(
        `The configured catalog asks for sync mode "${String(entry.sync_mode)}" on stream "${name}", which supports only ${supported.join(', ')}.`,
      );
    }
    return { stream, syncMode: entry.sync_mode as SyncMode };
  });
}

/**
 * A `cursor_field` the catalog gives that is not the stream's own: the cursor is source-defined, so it is
 * ignored, and said so (a user who picked another field would otherwise think it applies).
 */
export function cursorFieldWarnings(raw: unknown, configured: readonly ConfiguredStream[]): string[] {
  const entries = (raw as Partial<ConfiguredAirbyteCatalog>).streams ?? [];
  return configured.flatMap(({ stream, syncMode }, index) => {
    const given = (entries[index] as { cursor_field?: unknown } | undefined)?.cursor_field;
    const own = stream.cursorField === undefined ? [] : [stream.cursorField];
    if (syncMode !== 'incremental' || !Array.isArray(given) || given.length === 0) return [];
    if (JSON.stringify(given) === JSON.stringify(own)) return [];
    return [
      `The configured catalog gives stream "${stream.name}" the cursor_field ${JSON.stringify(given)}, but its cursor is source-defined: ${JSON.stringify(own)} is used.`,
    ];
  });
}
