import type { JsonObject } from '@cio-connectors/kit/json';
import { type CursorInput, EveryRecordCursor, Resumable } from '../cursors.js';
import type { Slice, Stream, StreamContext } from './base.js';
import { ChildStream } from './child-stream.js';

/**
 * A third of the documented maximum (30,000). A page's records live while its members are emitted, long enough
 * for V8 to move them to the old generation, which it collects only as it grows: at 30,000 a page customer_segments' read of a
 * million people peaked at 407 MB RSS, at 10,000 under 200 MB, for S + Σ⌈members ÷ 10,000⌉ requests (about
 * 1,800 at a million people in 50 segments; still far below one per person).
 */
const MEMBERSHIP_PAGE_SIZE = 10_000;

/**
 * One record per member of each segment. A long full refresh checkpoints the segments it has finished, so a
 * retried attempt resumes with the others; the completed stream resets that progress.
 */
export class SegmentMembershipStream extends ChildStream<Resumable<CompletedPartitionsCursor>> {
  readonly name = 'segment_membership';
  readonly path = '/v1/segments/{id}/membership';
  readonly envelopeKey = 'identifiers';
  readonly primaryKey = [['segment_id'], ['cio_id']];
  override readonly resumableFullRefresh = true;
  readonly parent: Stream;
  readonly parentFields = { segment_id: 'id' };

  override readonly pageSize = MEMBERSHIP_PAGE_SIZE;
  override readonly prefetch: boolean;

  /** `prefetch: false` reads a page only once the last one is emitted (several segments read at once). */
  constructor(parent: Stream, options: { prefetch?: boolean } = {}) {
    super();
    this.parent = parent;
    this.prefetch = options.prefetch ?? true;
  }

  createCursor(_context: StreamContext, run: CursorInput): Resumable<CompletedPartitionsCursor> {
    return completedPartitionsCursor('completed_segments', run);
  }

  /** The segments still to read; their counts are the expected members when `segments` was read in this sync. */
  override async *partitionSource(
    context: StreamContext,
    { strategy }: Resumable<CompletedPartitionsCursor>,
  ): AsyncGenerator<JsonObject> {
    const segments: JsonObject[] = [];
    for await (const segment of context.partitions(this.parent)) segments.push(segment);
    const counts = segments
      .filter((segment) => !strategy.isComplete(segment.id as number))
      .map((segment) => segment.customer_count);
    if (counts.every((count) => typeof count === 'number'))
      context.progress.report({ rows: counts.reduce((total, count) => total + count, 0) });
    yield* segments;
  }

  override slices(
    _context: StreamContext,
    segment: JsonObject,
    { strategy }: Resumable<CompletedPartitionsCursor>,
  ): Slice[] {
    const id = segment.id as number;
    if (strategy.isComplete(id)) return [];
    return [{ done: () => strategy.complete(id) }];
  }

  override transform(item: unknown): JsonObject {
    const person = item as JsonObject;
    return { cio_id: person.cio_id, id: person.id ?? null, email: person.email ?? null };
  }
}

/**
 * The partitions (e.g. segments) a full refresh has finished, `{[key]: [ids]}`, so a retried attempt skips
 * them (under `resume`: see `completedPartitionsCursor`).
 */
export class CompletedPartitionsCursor extends EveryRecordCursor {
  readonly #key: string;
  readonly #completed: Array<string | number>;

  constructor(key: string, input: CursorInput) {
    super();
    this.#key = key;
    const saved = input.saved?.[key];
    this.#completed = Array.isArray(saved)
      ? saved.filter((id): id is string | number => typeof id === 'string' || typeof id === 'number')
      : [];
  }

  isComplete(id: string | number): boolean {
    return this.#completed.includes(id);
  }

  complete(id: string | number): void {
    this.#completed.push(id);
  }

  checkpoint(): JsonObject {
    return { [this.#key]: [...this.#completed] };
  }
}

export function completedPartitionsCursor(
  key: string,
  run: CursorInput,
): Resumable<CompletedPartitionsCursor> {
  return new Resumable(run, (input) => new CompletedPartitionsCursor(key, input));
}
