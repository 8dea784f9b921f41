import { type CursorInput, PerParentWindowCursor } from '../cursors.js';
import type { JsonObject } from '../protocol.js';
import {
  type Addressable,
  childOf,
  FamilyChildStream,
  type Params,
  type Slice,
  type StreamContext,
} from './base.js';
import { createdAt, DELIVERY_WINDOW_SECONDS, readFrom, windowSlices } from './windows.js';

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
export class ParentDeliveriesStream extends FamilyChildStream {
  readonly envelopeKey = 'messages';
  override readonly cursorField = 'created';
  override readonly pageSize = DELIVERY_PAGE_SIZE;
  override readonly prefetch = true;

  override params(): Params {
    return { ...TRACKED_RESPONSES_PARAMS };
  }

  override createCursor(context: StreamContext, run: CursorInput): PerParentWindowCursor {
    return new PerParentWindowCursor(run, {
      windowSeconds: DELIVERY_WINDOW_SECONDS,
      lookbackSeconds: context.config.messagesLookbackSeconds,
    });
  }

  /** The parents in id order, the order the cursor's sweep records progress in. */
  override async *partitionSource(
    context: StreamContext,
    cursor: PerParentWindowCursor,
  ): AsyncGenerator<JsonObject> {
    const byId = new Map<string, JsonObject>();
    for await (const parent of context.partitions(this.parent)) byId.set(String(parent.id), parent);
    for (const id of cursor.plan([...byId.keys()])) {
      const parent = byId.get(id);
      if (parent !== undefined) yield parent;
    }
  }

  override partitionEnded(parent: JsonObject, cursor: PerParentWindowCursor): boolean {
    cursor.finish(String(parent.id));
    return true;
  }

  override slices(context: StreamContext, parent: JsonObject, cursor: PerParentWindowCursor): Slice[] {
    const id = String(parent.id);
    const windows = cursor.windows(id, readFrom(context, createdAt(parent)));
    // Not every per-parent endpoint documents `type`: message_types is applied to the records instead (keeps).
    return windowSlices(windows, [], (window) => cursor.close(id, window));
  }

  override keeps(record: JsonObject, context: StreamContext): boolean {
    const types = context.config.messageTypes;
    return types.length === 0 || types.includes(String(record.type));
  }
}

/** The deliveries of each record of `parent` (`{item path}/messages`), keyed by their own `id`. */
export function parentDeliveries(parent: Addressable, entry: { name: string }): ParentDeliveriesStream {
  return new ParentDeliveriesStream({ ...childOf(parent, entry.name, 'messages', []), primaryKey: [['id']] });
}
