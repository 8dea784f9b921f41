import type { JsonObject } from '@cio-connectors/kit/json';
import { type ClientSideCursor, type CursorInput, FullRefreshCursor } from '../cursors.js';
import { type Probe, type Slice, type SliceAnswer, Stream, type StreamContext } from './base.js';
import {
  type Addressable,
  type ChildEntry,
  childOf,
  FamilyChildStream,
  type ItemAddress,
  recordCursor,
} from './family.js';
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
  /** `offset` where the API pages by offset with no `next` (cursor pages unless given). */
  pagination?: 'offset';
  /** The request sequences to read (a type, a filter...); one, the path as it is, unless given. */
  slices?: (context: StreamContext) => Slice[];
}

export class ListStream extends Stream {
  readonly name: string;
  readonly path: string;
  readonly envelopeKey: string;
  readonly primaryKey: string[][];
  override readonly cursorField: string | undefined;
  override readonly pageSize: number | undefined;
  override readonly partitionFields: readonly string[];
  override readonly pagination: 'cursor' | 'offset';
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
    this.pagination = entry.pagination ?? 'cursor';
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

  override slices(context: StreamContext): Slice[] {
    return this.#entry.slices === undefined ? [{}] : this.#entry.slices(context);
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

/** A stream read once per record of a parent: full refresh, its path's `{field}`s filled from the parent record. */
export interface PerParentEntry extends Omit<ChildEntry, 'parent'> {
  envelopeKey: string;
  pageSize?: number;
  /** One list item to the record emitted; `position` counts the parent's items from 0. */
  transform?: (item: unknown, position: number) => JsonObject;
  /** Set where the answer is one object, not a paged list: the parent's records from it. */
  extract?: (answer: SliceAnswer) => JsonObject[];
}

class PerParentStream extends FamilyChildStream<FullRefreshCursor> {
  readonly envelopeKey: string;
  override readonly pageSize: number | undefined;
  override readonly extract?: (answer: SliceAnswer) => JsonObject[];
  readonly #transform: PerParentEntry['transform'];

  constructor(parent: Stream, entry: PerParentEntry) {
    super({ ...entry, parent });
    this.envelopeKey = entry.envelopeKey;
    this.pageSize = entry.pageSize;
    if (entry.extract !== undefined) this.extract = entry.extract;
    this.#transform = entry.transform;
  }

  createCursor(): FullRefreshCursor {
    return new FullRefreshCursor();
  }

  override transform(item: unknown, _context: StreamContext, position: number): JsonObject {
    return this.#transform === undefined ? (item as JsonObject) : this.#transform(item, position);
  }
}

export function perParent(parent: Stream, entry: PerParentEntry): Stream {
  return new PerParentStream(parent, entry);
}
