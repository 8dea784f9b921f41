import { ConfigError } from './errors.js';
import type { ConfiguredAirbyteCatalog, SyncMode } from './protocol.js';
import type { Stream } from './streams/base.js';

export interface ConfiguredStream {
  stream: Stream;
  syncMode: SyncMode;
}

/** Checks a configured catalog against the connector's streams; every problem is the user's to fix. */
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
    if (!supported.includes(entry.sync_mode as SyncMode)) {
      throw new ConfigError(
        `The configured catalog asks for sync mode "${String(entry.sync_mode)}" on stream "${name}", which supports only ${supported.join(', ')}.`,
      );
    }
    return { stream, syncMode: entry.sync_mode as SyncMode };
  });
}
