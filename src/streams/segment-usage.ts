import type { JsonObject } from '@cio-connectors/kit/json';
import { FullRefreshCursor } from '../cursors.js';
import { expectObject } from '../pagination.js';
import type { SliceAnswer, Stream } from './base.js';
import { ChildStream } from './child-stream.js';

/** What uses each segment: one record per segment from GET /v1/segments/{id}/used_by. */
export class SegmentUsageStream extends ChildStream {
  readonly name = 'segment_usage';
  readonly path = '/v1/segments/{id}/used_by';
  readonly envelopeKey = 'used_by';
  readonly primaryKey = [['segment_id']];
  readonly parent: Stream;
  readonly parentFields = { segment_id: 'id' };

  constructor(parent: Stream) {
    super();
    this.parent = parent;
  }

  createCursor(): FullRefreshCursor {
    return new FullRefreshCursor();
  }

  override extract({ path, body }: SliceAnswer): JsonObject[] {
    const usedBy = expectObject(body, ['used_by'], path);
    return [
      {
        segment_id: body.segment_id ?? null,
        campaigns: usedBy.campaigns ?? [],
        draft_newsletters: usedBy.draft_newsletters ?? [],
        sent_newsletters: usedBy.sent_newsletters ?? [],
      },
    ];
  }
}
