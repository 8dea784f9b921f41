import { ForbiddenError } from '../errors.js';
import type { JsonObject } from '../protocol.js';
import {
  CHECKPOINT,
  ChildStream,
  cursorSeconds,
  FULL_REFRESH_COMPLETE_STATE,
  type Slice,
  type StreamContext,
  type StreamItem,
  type StreamRun,
} from './base.js';
import { BroadcastsStream } from './broadcasts.js';
import { CampaignsStream } from './campaigns.js';
import { NewslettersStream } from './newsletters.js';
import { TransactionalMessagesStream } from './transactional-messages.js';
import { createdAt, DELIVERY_WINDOW_SECONDS, filterSlices, readFrom, timeWindows } from './windows.js';

export const DELIVERY_PAGE_SIZE = 1000;
const MESSAGE_PARENTS = [
  new CampaignsStream(),
  new BroadcastsStream(),
  new NewslettersStream(),
  new TransactionalMessagesStream(),
];

/**
 * Where a person's deliveries can start: the oldest campaign, broadcast, newsletter or transactional message
 * still in the workspace. Only per-person streams use it, where a window per person per six months of a fixed
 * epoch would multiply the cost by the audience; a key that may not list one of them falls back to the epoch.
 */
export async function earliestMessageParent(context: StreamContext): Promise<number | undefined> {
  let earliest: number | undefined;
  try {
    for (const parent of MESSAGE_PARENTS) {
      for await (const record of context.partitions(parent)) {
        const created = createdAt(record);
        if (created !== undefined && (earliest === undefined || created < earliest)) earliest = created;
      }
    }
  } catch (error) {
    if (!(error instanceof ForbiddenError)) throw error;
    return undefined;
  }
  return earliest;
}

/** Where a window read starts: after the cursor minus the lookback, never before `floor`. */
export function windowStart(floor: number, previous: number | undefined, lookback: number): number {
  return previous === undefined ? floor : Math.max(floor, previous + 1 - lookback);
}

/**
 * Window slices oldest first, one per `message_types` value per window; once every slice of a window is read,
 * `onWindowDone(end)` moves the state: everything created up to `end` has been emitted.
 */
export function deliveryWindows(
  from: number,
  to: number,
  size: number,
  types: readonly string[],
  onWindowDone?: (end: number) => void,
): Slice[] {
  return timeWindows(from, to, size).flatMap(({ start, end }) => {
    const filters = filterSlices('type', types);
    return filters.map((filter, index) => ({
      params: { ...filter.params, start_ts: start, end_ts: end },
      ...(onWindowDone !== undefined && index === filters.length - 1
        ? { done: () => onWindowDone(end) }
        : {}),
    }));
  });
}

/** The state a read resumes from: the cursor state in incremental, the progress marker in full refresh. */
export function savedProgress(run: StreamRun | undefined): JsonObject | undefined {
  if (run === undefined) return undefined;
  return run.syncMode === 'incremental' ? run.input : (run.input?.resume as JsonObject | undefined);
}

/** The lookback applies to incremental syncs; a full refresh resuming its own progress re-reads nothing. */
export function lookback(context: StreamContext, run: StreamRun | undefined): number {
  return run?.syncMode === 'incremental' ? context.config.messagesLookbackSeconds : 0;
}

/**
 * The deliveries of each record of a parent (campaign, broadcast, newsletter, transactional message), in pages of
 * 1000 and windows of 180 days, oldest first, from the parent's creation (or start_date). Both bounds are always
 * sent: without them each endpoint has its own narrower default. (Customer.io's docs give these endpoints twelve
 * months per request; the six months /v1/messages allows are used anyway, at the cost of one request per parent
 * per year, because a window past the real cap would silently drop deliveries.) The state keeps a cursor per parent,
 * moved after each window, so a resumed sync re-reads no completed window beyond the lookback.
 */
export abstract class ParentDeliveriesStream extends ChildStream {
  readonly envelopeKey = 'messages';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'created';
  override readonly pageSize = DELIVERY_PAGE_SIZE;
  override readonly prefetch = true;

  /** A cursor for every parent without its own (a state written by hand, or migrated). */
  #defaultCursor: number | undefined;

  override slices(context: StreamContext, parent: JsonObject, run?: StreamRun): Slice[] {
    const id = String(parent.id);
    const from = windowStart(
      readFrom(context, createdAt(parent)),
      run?.parentCursors[id] ?? this.#defaultCursor,
      lookback(context, run),
    );
    // Not every per-parent endpoint documents `type`: message_types is applied to the records instead.
    return deliveryWindows(from, context.now, DELIVERY_WINDOW_SECONDS, [], (end) => {
      if (run !== undefined) run.parentCursors[id] = end;
    });
  }

  override async *read(context: StreamContext, run: StreamRun): AsyncGenerator<StreamItem> {
    const progress = savedProgress(run);
    this.#defaultCursor = cursorSeconds(progress?.created);
    const saved = (progress?.created_by_parent ?? {}) as Record<string, unknown>;
    for (const [id, value] of Object.entries(saved)) {
      const cursor = cursorSeconds(value);
      if (cursor !== undefined) run.parentCursors[id] = cursor;
    }
    const incremental = run.syncMode === 'incremental';
    run.state = incremental
      ? { created_by_parent: run.parentCursors }
      : { resume: { created_by_parent: run.parentCursors } };
    const types = context.config.messageTypes;
    for await (const item of this.readRecords(context, run)) {
      if (item === CHECKPOINT || types.length === 0 || types.includes(String(item.type))) yield item;
    }
    if (!incremental) {
      run.state = FULL_REFRESH_COMPLETE_STATE;
      return;
    }
    // Parents deleted since the last sync leave the state.
    const current: Record<string, number> = {};
    for await (const parent of context.partitions(this.parent)) {
      const cursor = run.parentCursors[String(parent.id)];
      if (cursor !== undefined) current[String(parent.id)] = cursor;
    }
    run.state = {
      ...(this.#defaultCursor === undefined ? {} : { created: this.#defaultCursor }),
      created_by_parent: current,
    };
  }
}
