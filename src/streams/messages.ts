import {
  cursorSeconds,
  FULL_REFRESH_COMPLETE_STATE,
  type Slice,
  Stream,
  type StreamContext,
  type StreamItem,
  type StreamRun,
} from './base.js';
import { DELIVERY_PAGE_SIZE, deliveryWindows, lookback, savedProgress, windowStart } from './deliveries.js';
import { DELIVERY_WINDOW_SECONDS, readFrom } from './windows.js';

/**
 * Every delivery of the workspace (GET /v1/messages), in windows of 180 days oldest first, from start_date (or
 * 2012, before any Customer.io data), or from the cursor minus the lookback.
 * The state moves after each window: `{created}` in incremental, a `{resume}` marker in full refresh.
 */
export class MessagesStream extends Stream {
  readonly name = 'messages';
  readonly path = '/v1/messages';
  readonly envelopeKey = 'messages';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'created';
  override readonly pageSize = DELIVERY_PAGE_SIZE;
  override readonly prefetch = true;

  override async slices(context: StreamContext, _parent?: unknown, run?: StreamRun): Promise<Slice[]> {
    const previous = cursorSeconds(savedProgress(run)?.created);
    // A first read starts at start_date or Customer.io's beginning, not at the oldest campaign still there:
    // deliveries of deleted campaigns must not be missed. About 30 empty windows, once.
    const floor = readFrom(context, undefined);
    const from = windowStart(floor, previous, lookback(context, run));
    const incremental = run?.syncMode === 'incremental';
    return deliveryWindows(from, context.now, DELIVERY_WINDOW_SECONDS, context.config.messageTypes, (end) => {
      if (run !== undefined) run.state = incremental ? { created: end } : { resume: { created: end } };
    });
  }

  override async *read(context: StreamContext, run: StreamRun): AsyncGenerator<StreamItem> {
    const previous = cursorSeconds(run.input?.created);
    if (run.syncMode === 'incremental' && previous !== undefined) run.state = { created: previous };
    yield* this.readRecords(context, run);
    run.state =
      run.syncMode === 'incremental'
        ? { created: Math.max(previous ?? context.now, context.now) }
        : FULL_REFRESH_COMPLETE_STATE;
  }
}
