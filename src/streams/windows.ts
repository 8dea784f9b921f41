import type { JsonObject } from '@cio-connectors/kit/json';
import { activityFilters } from '../activity-filters.js';
import {
  type CursorInput,
  EveryRecordCursor,
  lookbackOf,
  notAfterSyncStart,
  Resumable,
  savedSeconds,
  type TimeWindow,
  timeWindows,
  type WindowCursorOptions,
  windowStart,
} from '../cursors.js';
import type { Slice, StreamContext } from './base.js';

export const DAY_SECONDS = 86_400;
/** GET /v1/messages and /v1/customers/{id}/messages cover at most six months of creation time per request. */
export const DELIVERY_WINDOW_SECONDS = 180 * DAY_SECONDS;
/** Delivery lists' windows: DELIVERY_WINDOW_SECONDS each, re-reading `messages_lookback_days`. */
export function deliveryWindows(context: StreamContext): WindowCursorOptions {
  return { windowSeconds: DELIVERY_WINDOW_SECONDS, lookbackSeconds: context.config.messagesLookbackSeconds };
}

/** Customer.io was founded in 2012: no data predates this, so a read with no better bound starts here. */
export const CUSTOMER_IO_EPOCH = Date.UTC(2012, 0, 1) / 1000;

export function createdAt(record: JsonObject): number | undefined {
  const created = record.created ?? record.created_at;
  return typeof created === 'number' && created > 0 ? created : undefined;
}

/** Where a windowed read starts: the later of start_date and `earliest` (what the data cannot predate). */
export function readFrom(context: StreamContext, earliest: number | undefined): number {
  const floor = earliest ?? CUSTOMER_IO_EPOCH;
  return context.config.startDate === undefined ? floor : Math.max(floor, context.config.startDate);
}

/** One slice per value of a list filter (e.g. `type`), or a single unfiltered slice when the list is empty. */
export function filterSlices(param: string, values: readonly string[]): Slice[] {
  return values.length === 0 ? [{}] : values.map((value) => ({ params: { [param]: value } }));
}

/** One slice per activity filter of `activity_types` (opted_in/opted_out: consent of that action), or one unfiltered. */
export function activitySlices(types: readonly string[]): Slice[] {
  const filters = activityFilters(types);
  return filters.length === 0 ? [{}] : filters.map((filter) => ({ params: { ...filter } }));
}

/**
 * Slices of `windows` (start_ts/end_ts), one per `types` value per window; once every slice of a window is
 * read, `onWindowDone(window)` moves the cursor: everything created up to its end has been emitted.
 */
export function windowSlices(
  windows: readonly TimeWindow[],
  types: readonly string[],
  onWindowDone?: (window: TimeWindow) => void,
): Slice[] {
  return windows.flatMap((window) => {
    const filters = filterSlices('type', types);
    return filters.map((filter, index) => ({
      params: { ...filter.params, start_ts: window.start, end_ts: window.end },
      ...(onWindowDone !== undefined && index === filters.length - 1
        ? { done: () => onWindowDone(window) }
        : {}),
    }));
  });
}

/**
 * For lists the API filters by a creation-time window: windows oldest first up to the sync's start. The state
 * is `{field: end of the last window read}`, and the sync's start once every window is read.
 */
export class WindowCursor extends EveryRecordCursor {
  readonly #field: string;
  readonly #input: CursorInput;
  readonly #lookback: number;
  readonly #windowSeconds: number;
  readonly #previous: number | undefined;
  #position: number | undefined;

  constructor(field: string, input: CursorInput, options: WindowCursorOptions) {
    super();
    this.#field = field;
    this.#input = input;
    this.#windowSeconds = options.windowSeconds;
    this.#lookback = lookbackOf(input, options.lookbackSeconds);
    this.#previous = savedSeconds(input.saved?.[field], input, field);
    this.#position = this.#previous;
  }

  /** Whether the read continues from a saved position (a floor then only matters when it is later). */
  get hasPosition(): boolean {
    return this.#previous !== undefined;
  }

  /** The windows to read, from `floor` (when the data can start) or the saved position. */
  windows(floor: number): TimeWindow[] {
    return timeWindows(
      windowStart(floor, this.#previous, this.#lookback),
      this.#input.syncStart,
      this.#windowSeconds,
    );
  }

  /** Every record created up to `end` has been emitted. */
  close(window: TimeWindow): void {
    this.#position = window.end;
  }

  checkpoint(): JsonObject {
    if (this.#position === undefined) return {};
    return { [this.#field]: notAfterSyncStart(this.#position, this.#input) };
  }

  override final(): JsonObject {
    return { [this.#field]: this.#input.syncStart };
  }
}

/** Windows on `field`, resumable in a full refresh (`{resume: {field: ...}}`). */
export function windowCursor(
  field: string,
  run: CursorInput,
  options: WindowCursorOptions,
): Resumable<WindowCursor> {
  return new Resumable(run, (input) => new WindowCursor(field, input, options));
}
