import type { JsonObject } from '@cio-connectors/kit/json';
import { mergeConcurrent } from '../concurrency.js';
import { FullRefreshCursor, type Resumable } from '../cursors.js';
import { NotFoundError } from '../errors.js';
import { type AudienceIds, hasPeopleFilter, readAudience } from './audience.js';
import { type Stream, type StreamContext, wholeRead } from './base.js';
import { CHECKPOINT, recordsIn, type StreamItem } from './items.js';
import { type BulkRead, PersonStream } from './person-stream.js';
import {
  type CompletedPartitionsCursor,
  completedPartitionsCursor,
  SegmentMembershipStream,
} from './segment-membership.js';

/**
 * Segments read at once: a page of 10,000 members is about 1 MB of JSON and several times that parsed, so more
 * in flight costs memory, not time (a workspace has tens of segments, and most are a few requests).
 */
const SEGMENTS_AT_ONCE = 2;

/**
 * Each person's segments. In bulk, the same records from the other side: every segment's membership (10,000
 * people a request), one record per member, `{cio_id, id, name, description}` as GET /v1/customers/{id}/segments
 * gives it. Cost 1 + Σ max(1, ⌈members ÷ 10,000⌉) (+ the people search with customers_filter), against one request
 * per person; a full refresh resumes after the segments it finished.
 */
export class CustomerSegmentsStream extends PersonStream<
  FullRefreshCursor,
  Resumable<CompletedPartitionsCursor>
> {
  readonly segments: Stream;
  /** The bulk read's source: each segment's members, a page at a time. */
  readonly #members: SegmentMembershipStream;

  constructor(segments: Stream) {
    super();
    this.segments = segments;
    this.#members = new SegmentMembershipStream(segments, { prefetch: false });
  }

  readonly name = 'customer_segments';
  readonly path = '/v1/customers/{cio_id}/segments';
  readonly envelopeKey = 'segments';
  readonly primaryKey = [['cio_id'], ['id']];

  createPersonCursor(): FullRefreshCursor {
    return new FullRefreshCursor();
  }

  override readonly bulk: BulkRead<Resumable<CompletedPartitionsCursor>> = {
    createCursor: (_context, run) => completedPartitionsCursor('completed_segments', run),
    read: (context, cursor) => this.#readInBulk(context, cursor),
  };

  async *#readInBulk(
    context: StreamContext,
    cursor: Resumable<CompletedPartitionsCursor>,
  ): AsyncGenerator<StreamItem> {
    const completed = cursor.strategy;
    const audience = hasPeopleFilter(context) ? await readAudience(context) : undefined;
    const segments: JsonObject[] = [];
    for await (const segment of wholeRead(this.segments, context)) {
      if (!completed.isComplete(segment.id as number)) segments.push(segment);
    }
    const atOnce = Math.min(context.partitionConcurrency, SEGMENTS_AT_ONCE);
    const progress = { done: 0, total: segments.length, unit: 'segments' };
    yield* mergeConcurrent(segments, atOnce, (segment) =>
      this.#readMembers(context, segment, audience, cursor, () => {
        progress.done += 1;
        context.progress.report(progress);
      }),
    );
  }

  async *#readMembers(
    context: StreamContext,
    segment: JsonObject,
    audience: AudienceIds | undefined,
    cursor: Resumable<CompletedPartitionsCursor>,
    onDone: () => void,
  ): AsyncGenerator<StreamItem> {
    const id = segment.id as number;
    const fields = { id, name: segment.name ?? null, description: segment.description ?? null };
    try {
      const slice = { path: this.#members.pathFor(segment) };
      for await (const item of this.#members.readSlice(context, slice, segment, cursor)) {
        for (const member of recordsIn(item)) {
          const cioId = member.cio_id;
          if (typeof cioId !== 'string' || (audience !== undefined && !audience.has(cioId))) continue;
          yield { cio_id: cioId, ...fields };
        }
      }
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      await context.log('WARN', `${this.name}: segment ${id} was deleted during the sync; skipped.`);
    }
    cursor.strategy.complete(id);
    onDone();
    yield CHECKPOINT;
  }
}
