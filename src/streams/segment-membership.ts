import type { JsonObject } from '../protocol.js';
import { ChildStream, type Slice, type StreamContext, type StreamItem, type StreamRun } from './base.js';
import { SegmentsStream } from './segments.js';

/**
 * One record per member of each segment. A long full refresh checkpoints the segments it has finished, so a
 * retried attempt resumes with the others; the completed stream resets that progress.
 */
export class SegmentMembershipStream extends ChildStream {
  readonly name = 'segment_membership';
  readonly path = '/v1/segments/{id}/membership';
  readonly envelopeKey = 'identifiers';
  readonly primaryKey = [['segment_id'], ['cio_id']];
  override readonly resumableFullRefresh = true;
  readonly parent = new SegmentsStream();
  readonly parentFields = { segment_id: 'id' };
  // The documented maximum: most segments come back in one request.
  override readonly pageSize = 30_000;
  override readonly prefetch = true;
  #completed: number[] = [];

  override slices(_context: StreamContext, segment: JsonObject): Slice[] {
    const id = segment.id as number;
    if (this.#completed.includes(id)) return [];
    return [{ done: () => this.#completed.push(id) }];
  }

  override transform(item: unknown): JsonObject {
    const person = item as JsonObject;
    return { cio_id: person.cio_id, id: person.id ?? null, email: person.email ?? null };
  }

  override async *read(
    context: StreamContext,
    run: StreamRun,
    observe?: (record: JsonObject) => void,
  ): AsyncGenerator<StreamItem> {
    const saved = (run.input?.resume as JsonObject | undefined)?.completed_segments;
    this.#completed = Array.isArray(saved) ? saved.filter((id): id is number => typeof id === 'number') : [];
    run.state = { resume: { completed_segments: this.#completed } };
    yield* super.read(context, run, observe);
  }
}
