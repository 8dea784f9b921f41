import type { JsonObject } from '../protocol.js';
import { ChildStream, type Slice, type StreamContext } from './base.js';
import { BroadcastsStream } from './broadcasts.js';
import { CampaignsStream } from './campaigns.js';
import { NewslettersStream } from './newsletters.js';
import { TransactionalMessagesStream } from './transactional-messages.js';
import {
  createdAt,
  filterSlices,
  PARENT_DELIVERY_WINDOW_SECONDS,
  readFrom,
  windowSlices,
} from './windows.js';

export const DELIVERY_PAGE_SIZE = 1000;
const MESSAGE_PARENTS = [
  new CampaignsStream(),
  new BroadcastsStream(),
  new NewslettersStream(),
  new TransactionalMessagesStream(),
];

/** No delivery predates the oldest campaign, broadcast, newsletter or transactional message of the workspace. */
export async function earliestMessageParent(context: StreamContext): Promise<number | undefined> {
  let earliest: number | undefined;
  for (const parent of MESSAGE_PARENTS) {
    for await (const record of context.partitions(parent)) {
      const created = createdAt(record);
      if (created !== undefined && (earliest === undefined || created < earliest)) earliest = created;
    }
  }
  return earliest;
}

/**
 * The deliveries of each record of a parent (campaign, broadcast, newsletter, transactional message), in pages of
 * 1000 and windows of up to a year from the parent's creation (or start_date). Both bounds are always sent: without
 * them each endpoint has its own narrower default.
 */
export abstract class ParentDeliveriesStream extends ChildStream {
  readonly envelopeKey = 'messages';
  readonly primaryKey = [['id']];
  override readonly pageSize = DELIVERY_PAGE_SIZE;

  override slices(context: StreamContext, parent: JsonObject): Slice[] {
    const from = readFrom(context, createdAt(parent));
    return windowSlices(
      from,
      context.now,
      filterSlices('type', context.config.messageTypes),
      PARENT_DELIVERY_WINDOW_SECONDS,
    );
  }
}
