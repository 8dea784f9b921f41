import type { Params } from '@cio-connectors/kit/http-client';
import type { JsonObject } from '@cio-connectors/kit/json';
import {
  type CursorInput,
  cursorSeconds,
  EveryRecordCursor,
  lookbackOf,
  notAfterSyncStart,
  objectIn,
  Resumable,
  savedSeconds,
  type TimeWindow,
  timeWindows,
  type WindowCursorOptions,
  windowStart,
} from '../cursors.js';
import type { Slice, StreamContext } from './base.js';
import { type Addressable, childOf, FamilyChildStream } from './family.js';
import { createdAt, deliveryWindows, readFrom, windowSlices } from './windows.js';

export const DELIVERY_PAGE_SIZE = 1000;
/** Delivery lists then carry each in-app survey's answers as `tracked_responses` ({option: {id, ts}}). */
export const TRACKED_RESPONSES_PARAMS: Readonly<Params> = { get_tracked_responses: true };

/**
 * The deliveries of each record of a parent (campaign, broadcast, newsletter, transactional message), in pages of
 * 1000 and windows of 180 days, oldest first, from the parent's creation (or start_date). Both bounds are always
 * sent: without them each endpoint has its own narrower default. (Customer.io's docs give these endpoints twelve
 * months per request; the six months /v1/messages allows are used anyway, at the cost of one request per parent
 * per year, because a window past the real cap would silently drop deliveries.) The state keeps a cursor per parent,
 * moved after each window, so a resumed sync re-reads no completed window beyond the lookback.
 */
export class ParentDeliveriesStream extends FamilyChildStream<Resumable<PerParentWindowCursor>> {
  readonly envelopeKey = 'messages';
  override readonly cursorField = 'created';
  override readonly pageSize = DELIVERY_PAGE_SIZE;
  override readonly prefetch = true;
  override readonly recordsAsSent = true;

  override params(): Params {
    return { ...TRACKED_RESPONSES_PARAMS };
  }

  createCursor(context: StreamContext, run: CursorInput): Resumable<PerParentWindowCursor> {
    return perParentWindowCursor(run, deliveryWindows(context));
  }

  /** The parents in id order, the order the cursor's sweep records progress in. */
  override async *partitionSource(
    context: StreamContext,
    cursor: Resumable<PerParentWindowCursor>,
  ): AsyncGenerator<JsonObject> {
    const byId = new Map<string, JsonObject>();
    for await (const parent of context.partitions(this.parent)) byId.set(String(parent.id), parent);
    for (const id of cursor.strategy.plan([...byId.keys()])) {
      const parent = byId.get(id);
      if (parent !== undefined) yield parent;
    }
  }

  override partitionEnded(parent: JsonObject, cursor: Resumable<PerParentWindowCursor>): boolean {
    cursor.strategy.finish(String(parent.id));
    return true;
  }

  override slices(
    context: StreamContext,
    parent: JsonObject,
    { strategy }: Resumable<PerParentWindowCursor>,
  ): Slice[] {
    const id = String(parent.id);
    const windows = strategy.windows(id, readFrom(context, createdAt(parent)));
    // Not every per-parent endpoint documents `type`: message_types is applied to the records instead (keeps).
    return windowSlices(windows, [], (window) => strategy.close(id, window));
  }

  override keeps(record: JsonObject, context: StreamContext): boolean {
    const types = context.config.messageTypes;
    return types.length === 0 || types.includes(String(record.type));
  }
}

export function parentDeliveries(parent: Addressable, entry: { name: string }): ParentDeliveriesStream {
  return new ParentDeliveriesStream({ ...childOf(parent, entry.name, 'messages', []), primaryKey: [['id']] });
}

/**
 * Orders parent ids as numbers when both are numeric (campaign ids), as text otherwise. Numbers compare by
 * their digits, not as floats, so ids beyond 2^53 (BigInts, long digit strings) keep their exact order.
 */
export function compareIds(a: string | bigint, b: string | bigint): number {
  const left = String(a);
  const right = String(b);
  if (!/^\d+$/.test(left) || !/^\d+$/.test(right)) return compareText(left, right);
  const l = left.replace(/^0+(?=\d)/, '');
  const r = right.replace(/^0+(?=\d)/, '');
  // Without leading zeros the longer is the larger, and equal lengths compare as text.
  return l.length - r.length || compareText(l, r) || left.length - right.length;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Windows per parent (a campaign's deliveries...), read as one sweep over the parents in id order toward a
 * target time (the sync's start). The state stays small however many parents there are:
 * `{created: W, sweep: {target: T, through: X}, created_by_parent: {...}}` means every parent is read up to W,
 * the parents up to id X also up to T, and the few others listed (in progress, or finished out of order) up to
 * their own value. A completed sweep leaves `{created: T}`. A killed sweep resumes toward its own target,
 * skipping the parents it finished, so the cursor never passes the start of the sync that began the sweep.
 * States written before sweeps existed (`created_by_parent` for every parent) are read as they are.
 */
export class PerParentWindowCursor extends EveryRecordCursor {
  readonly #target: number;
  readonly #lookback: number;
  readonly #windowSeconds: number;
  readonly #watermark: number | undefined;
  readonly #resumedThrough: string | undefined;
  readonly #positions = new Map<string, number>();
  #order: string[] = [];
  #frontier = 0;
  #through: string | undefined;
  readonly #finishedAhead = new Set<string>();

  constructor(input: CursorInput, options: WindowCursorOptions) {
    super();
    this.#windowSeconds = options.windowSeconds;
    this.#lookback = lookbackOf(input, options.lookbackSeconds);
    const progress = input.saved;
    const sweep = objectIn(progress?.sweep) ?? {};
    const futureTarget = (cursorSeconds(sweep.target) ?? 0) > input.syncStart;
    const target = savedSeconds(sweep.target, input, 'sweep.target');
    this.#target = target === undefined ? input.syncStart : notAfterSyncStart(target, input);
    // A sweep toward a future target is no sweep this connector ran: its parents are read again.
    this.#resumedThrough = typeof sweep.through === 'string' && !futureTarget ? sweep.through : undefined;
    this.#through = this.#resumedThrough;
    // Positions within the sweep are bounded by its target, itself never after the sync's start.
    this.#watermark = this.#savedPosition(progress?.created, input, 'created');
    for (const [id, value] of Object.entries(objectIn(progress?.created_by_parent) ?? {})) {
      const position = this.#savedPosition(value, input, `created_by_parent.${id}`);
      if (position !== undefined) this.#positions.set(id, position);
    }
  }

  /**
   * A saved position, at most the target. One later than the sync's start reads the lookback before the target
   * (a position at the target means a parent finished in this sweep, with nothing left to read).
   */
  #savedPosition(value: unknown, input: CursorInput, field: string): number | undefined {
    const seconds = savedSeconds(value, input, field);
    if (seconds === undefined) return undefined;
    return (cursorSeconds(value) ?? 0) > input.syncStart ? this.#target - 1 : Math.min(seconds, this.#target);
  }

  /** The parents of this read in the order they are read: sorted by id, so progress is one position. */
  plan(ids: readonly string[]): string[] {
    this.#order = [...ids].sort(compareIds);
    return this.#order;
  }

  windows(parentId: string, floor: number): TimeWindow[] {
    if (this.#resumedThrough !== undefined && compareIds(parentId, this.#resumedThrough) <= 0) return [];
    const previous = this.#positions.get(parentId) ?? this.#watermark;
    if (previous !== undefined && previous >= this.#target) return [];
    return timeWindows(windowStart(floor, previous, this.#lookback), this.#target, this.#windowSeconds);
  }

  close(parentId: string, window: TimeWindow): void {
    this.#positions.set(parentId, window.end);
  }

  /** Every window of the parent is read (or it has none, or it no longer exists). */
  finish(parentId: string): void {
    this.#finishedAhead.add(parentId);
    while (this.#frontier < this.#order.length) {
      const next = this.#order[this.#frontier] ?? '';
      if (!this.#finishedAhead.has(next)) break;
      this.#finishedAhead.delete(next);
      this.#positions.delete(next);
      // A resumed sweep re-passes the parents it had finished: its position never goes back.
      if (this.#through === undefined || compareIds(next, this.#through) > 0) this.#through = next;
      this.#frontier += 1;
    }
  }

  checkpoint(): JsonObject {
    return {
      ...(this.#watermark === undefined ? {} : { created: this.#watermark }),
      sweep: { target: this.#target, ...(this.#through === undefined ? {} : { through: this.#through }) },
      created_by_parent: Object.fromEntries(this.#positions),
    };
  }

  override final(): JsonObject {
    return { created: this.#target };
  }
}

/** Per-parent windows, resumable in a full refresh (`{resume: {sweep, created_by_parent}}`). */
export function perParentWindowCursor(
  run: CursorInput,
  options: WindowCursorOptions,
): Resumable<PerParentWindowCursor> {
  return new Resumable(run, (input) => new PerParentWindowCursor(input, options));
}
