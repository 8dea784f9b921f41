import { type CursorInput, WindowCursor } from '../cursors.js';
import { type Params, type Probe, type Slice, Stream, type StreamContext } from './base.js';
import { DELIVERY_PAGE_SIZE, TRACKED_RESPONSES_PARAMS } from './deliveries.js';
import { DELIVERY_WINDOW_SECONDS, readFrom, windowSlices } from './windows.js';

/**
 * Every delivery of the workspace (GET /v1/messages), in windows of 180 days oldest first, from start_date (or
 * 2012, before any Customer.io data), or from the cursor minus the lookback. A first read does not start at the
 * oldest campaign still there: deliveries of deleted campaigns must not be missed (about 30 empty windows, once).
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

  override get probe(): Probe {
    return { path: this.path, params: { limit: 1 } };
  }

  override params(): Params {
    return { ...TRACKED_RESPONSES_PARAMS };
  }

  override createCursor(context: StreamContext, run: CursorInput): WindowCursor {
    return new WindowCursor('created', run, {
      windowSeconds: DELIVERY_WINDOW_SECONDS,
      lookbackSeconds: context.config.messagesLookbackSeconds,
    });
  }

  override slices(context: StreamContext, _parent: undefined, cursor: WindowCursor): Slice[] {
    const windows = cursor.windows(readFrom(context, undefined));
    return windowSlices(windows, context.config.messageTypes, (window) => cursor.close(window));
  }
}
