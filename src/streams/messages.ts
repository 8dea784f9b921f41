import type { Params } from '@cio-connectors/kit/http-client';
import type { CursorInput, Resumable } from '../cursors.js';
import { type Probe, type Slice, Stream, type StreamContext } from './base.js';
import { DELIVERY_PAGE_SIZE, TRACKED_RESPONSES_PARAMS } from './deliveries.js';
import { deliveryWindows, readFrom, type WindowCursor, windowCursor, windowSlices } from './windows.js';

/**
 * Every delivery of the workspace (GET /v1/messages), in windows of 180 days oldest first, from start_date (or
 * 2012, before any Customer.io data), or from the cursor minus the lookback. A first read does not start at the
 * oldest campaign still there: deliveries of deleted campaigns must not be missed (about 30 empty windows, once).
 * The state moves after each window: `{created}` in incremental, a `{resume}` marker in full refresh.
 */
export class MessagesStream extends Stream<Resumable<WindowCursor>> {
  readonly #trackedResponses: boolean;

  /**
   * `trackedResponses: false` reads the deliveries as the people's own lists give them (bulk `customer_messages`):
   * without `tracked_responses`, which those lists do not document, and without record texts, since each record
   * is copied for its person anyway.
   */
  constructor(options: { trackedResponses?: boolean } = {}) {
    super();
    this.#trackedResponses = options.trackedResponses ?? true;
    this.recordsAsSent = this.#trackedResponses;
  }

  readonly name = 'messages';
  readonly path = '/v1/messages';
  readonly envelopeKey = 'messages';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'created';
  override readonly pageSize = DELIVERY_PAGE_SIZE;
  override readonly prefetch = true;
  override readonly sliceUnit = 'delivery windows';
  override readonly recordsAsSent: boolean;

  override get probe(): Probe {
    return { path: this.path, params: { limit: 1 } };
  }

  override params(): Params {
    return this.#trackedResponses ? { ...TRACKED_RESPONSES_PARAMS } : {};
  }

  createCursor(context: StreamContext, run: CursorInput): Resumable<WindowCursor> {
    return windowCursor('created', run, deliveryWindows(context));
  }

  override slices(
    context: StreamContext,
    _parent: undefined,
    { strategy }: Resumable<WindowCursor>,
  ): Slice[] {
    const windows = strategy.windows(readFrom(context, undefined));
    return windowSlices(windows, context.config.messageTypes, (window) => strategy.close(window));
  }
}
