import type { JsonObject } from '@cio-connectors/kit/json';
import type { ClientSideCursor, CursorInput, FullRefreshCursor } from '../cursors.js';
import { type Probe, Stream, type StreamContext } from './base.js';
import { type Addressable, childOf, FamilyChildStream, type ItemAddress, recordCursor } from './family.js';
import type { RecordLookup } from './lookups.js';

/** A top-level list of the API, read page by page (or in one answer). */
export interface ListEntry {
  name: string;
  path: string;
  envelopeKey: string;
  /** `[['id']]` unless given. */
  primaryKey?: string[][];
  /** The records' update time: incremental syncs filter on it client-side (the API cannot). */
  cursorField?: string;
  pageSize?: number;
  /** What child streams keep of each record (`['id']` unless given). */
  partitionFields?: readonly string[];
  item?: ItemAddress;
  /** The request `check` sends for the stream and its children: `GET path` unless given; null for none. */
  probe?: Probe | null;
  transform?: (item: unknown) => JsonObject;
  /** One more request per record emitted, whose answer completes it. */
  lookup?: RecordLookup;
}

export class ListStream extends Stream {
  readonly name: string;
  readonly path: string;
  readonly envelopeKey: string;
  readonly primaryKey: string[][];
  override readonly cursorField: string | undefined;
  override readonly pageSize: number | undefined;
  override readonly partitionFields: readonly string[];
  readonly item: ItemAddress | undefined;
  override readonly lookup: RecordLookup | undefined;
  readonly #entry: ListEntry;

  constructor(entry: ListEntry) {
    super();
    this.#entry = entry;
    this.name = entry.name;
    this.path = entry.path;
    this.envelopeKey = entry.envelopeKey;
    this.primaryKey = entry.primaryKey ?? [['id']];
    this.cursorField = entry.cursorField;
    this.pageSize = entry.pageSize;
    this.partitionFields = entry.partitionFields ?? ['id'];
    this.item = entry.item;
    this.lookup = entry.lookup;
  }

  createCursor(context: StreamContext, run: CursorInput): ClientSideCursor | FullRefreshCursor {
    return recordCursor(this, context, run);
  }

  override get probe(): Probe | undefined {
    const { probe } = this.#entry;
    return probe === null ? undefined : (probe ?? super.probe);
  }

  override transform(item: unknown): JsonObject {
    return this.#entry.transform === undefined ? (item as JsonObject) : this.#entry.transform(item);
  }
}

export function list(entry: ListEntry & { item: ItemAddress }): ListStream & Addressable;
export function list(entry: ListEntry): ListStream;
export function list(entry: ListEntry): ListStream {
  return new ListStream(entry);
}

/** A list under each record of a parent (`{parent item path}/{resource}`), its records carrying the parent's keys. */
export interface ChildListEntry {
  name: string;
  /** The path segment after the parent's item path; also the envelope key. */
  resource: string;
  cursorField?: string;
  partitionFields?: readonly string[];
  item?: ItemAddress;
}

export class ChildListStream extends FamilyChildStream {
  readonly envelopeKey: string;
  override readonly cursorField: string | undefined;
  override readonly partitionFields: readonly string[];
  readonly item: ItemAddress | undefined;

  constructor(parent: Addressable, entry: ChildListEntry) {
    super(childOf(parent, entry.name, entry.resource, [['id']]));
    this.envelopeKey = entry.resource;
    this.cursorField = entry.cursorField;
    this.partitionFields = entry.partitionFields ?? ['id'];
    this.item = entry.item;
  }

  createCursor(context: StreamContext, run: CursorInput): ClientSideCursor | FullRefreshCursor {
    return recordCursor(this, context, run);
  }
}

export function childList(
  parent: Addressable,
  entry: ChildListEntry & { item: ItemAddress },
): ChildListStream & Addressable;
export function childList(parent: Addressable, entry: ChildListEntry): ChildListStream;
export function childList(parent: Addressable, entry: ChildListEntry): ChildListStream {
  return new ChildListStream(parent, entry);
}

/** Removes `user:password@` from a URL so credentials embedded in webhook endpoints never leave the connector. */
export function withoutCredentials(url: unknown): unknown {
  if (typeof url !== 'string') return url;
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, '//');
  }
}
