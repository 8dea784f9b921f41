import { ClientSideCursor, type Cursor, type CursorInput, FullRefreshCursor } from '../cursors.js';
import type { Stream, StreamContext } from './base.js';
import { ChildStream } from './child-stream.js';

/**
 * How child streams address one record of a stream: `path` with `{field}` placeholders filled from the
 * record, and `fields` (child field → field of the record) copied into each child record.
 */
export interface ItemAddress {
  path: string;
  fields: Readonly<Record<string, string>>;
}

/** A stream families hang children on: one whose table entry says how its records are addressed. */
export interface Addressable extends Stream {
  readonly item: ItemAddress;
}

/** What a family's table entry makes of a child stream's identity. */
export interface ChildEntry {
  name: string;
  path: string;
  primaryKey: string[][];
  parent: Stream;
  parentFields: Readonly<Record<string, string>>;
}

/**
 * A child of `parent` at `{parent item path}/{resource}`, keyed by the parent's fields then `bucket`: how every
 * family derives its children from the parent's item address.
 */
export function childOf(parent: Addressable, name: string, resource: string, bucket: string[][]): ChildEntry {
  return {
    name,
    parent,
    path: `${parent.item.path}/${resource}`,
    parentFields: parent.item.fields,
    primaryKey: [...Object.keys(parent.item.fields).map((field) => [field]), ...bucket],
  };
}

/** A child stream built from its table entry by a family (metrics, link metrics, deliveries...). */
export abstract class FamilyChildStream<C extends Cursor = Cursor> extends ChildStream<C> {
  readonly name: string;
  readonly path: string;
  readonly primaryKey: string[][];
  readonly parent: Stream;
  readonly parentFields: Readonly<Record<string, string>>;

  constructor(entry: ChildEntry) {
    super();
    this.name = entry.name;
    this.path = entry.path;
    this.primaryKey = entry.primaryKey;
    this.parent = entry.parent;
    this.parentFields = entry.parentFields;
  }
}

/** Client-side cursors re-read this many seconds before the cursor, for writes that landed late. */
const RECORD_CURSOR_LOOKBACK_SECONDS = 3600;

/**
 * The cursor of a list the API cannot filter: client-side on `cursorField` in incremental syncs (every record
 * read, the cursor moving at the end), none in a full refresh.
 */
export function recordCursor(
  stream: Pick<Stream, 'cursorField'>,
  context: StreamContext,
  run: CursorInput,
): ClientSideCursor | FullRefreshCursor {
  if (run.syncMode !== 'incremental' || stream.cursorField === undefined) return new FullRefreshCursor();
  return new ClientSideCursor(stream.cursorField, run, {
    lookbackSeconds: RECORD_CURSOR_LOOKBACK_SECONDS,
    startDate: context.config.startDate,
  });
}
