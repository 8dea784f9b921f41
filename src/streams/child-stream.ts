import type { JsonObject } from '@cio-connectors/kit/json';
import { answerId } from '../answer-ids.js';
import { mergeConcurrent } from '../concurrency.js';
import type { Cursor } from '../cursors.js';
import { ChildEndpointNotFoundError, NotFoundError } from '../errors.js';
import { type Probe, Stream, type StreamContext } from './base.js';
import { CHECKPOINT, RecordBatch, type StreamItem } from './items.js';

/** A parent answering 404 is taken for one deleted during the sync only while most parents answer. */
const MAX_MISSING_PARENT_SHARE = 0.5;
/** Warnings for single missing parents stop here; the total comes at the end. */
const MISSING_PARENT_WARNINGS = 5;

/**
 * A stream read once per record of a parent stream, several parents at once. `path` holds `{field}`
 * placeholders filled from the parent record; `parentFields` (child field → parent field) are added to
 * each record that lacks them. A parent deleted during the sync (404) is skipped with a warning, but when
 * most parents answer 404 the endpoint itself is wrong or unavailable, and the stream fails.
 */
export abstract class ChildStream<C extends Cursor = Cursor> extends Stream<C> {
  abstract readonly parent: Stream;
  /**
   * Several parents are read at once already (partitionConcurrency), which keeps the budget busy: a parent's
   * slices are read one after another, so what a child stream holds stays a page or two per parent.
   */
  override readonly slicesAtOnce: number = 1;
  abstract readonly parentFields: Readonly<Record<string, string>>;

  override get probe(): Probe | undefined {
    return this.parent.probe;
  }

  pathFor(parent: JsonObject): string {
    return this.path.replace(/\{(\w+)\}/g, (_match, field: string) =>
      encodeURIComponent(answerId(parent[field], field, `a ${this.parent.name} record`)),
    );
  }

  /** The parents to read; the parent stream's records by default. */
  partitionSource(context: StreamContext, _cursor: C): AsyncIterable<JsonObject> {
    return context.partitions(this.parent);
  }

  /** How many parents this read goes through, where known before they are all read (progress estimates). */
  partitionTotal(context: StreamContext, _cursor: C): number | undefined {
    return context.partitionCount?.(this.parent);
  }

  override async *readRecords(context: StreamContext, cursor: C): AsyncGenerator<StreamItem> {
    const tally = { parents: 0, missing: 0, done: 0, idle: 0 };
    yield* mergeConcurrent(this.partitionSource(context, cursor), context.partitionConcurrency, (parent) =>
      this.#readPartition(context, parent, cursor, tally),
    );
    if (tally.missing > 0 && tally.missing > tally.parents * MAX_MISSING_PARENT_SHARE) {
      // No stream prefix here: the read loop adds it to every error of a stream.
      throw new ChildEndpointNotFoundError(
        `Customer.io answered 404 for ${tally.missing} of ${tally.parents} ${this.parent.name} at ${this.path}: the endpoint is wrong or unavailable for this workspace, not a few deletions. No records of this stream were lost silently; retry later or report it.`,
      );
    }
    if (tally.missing > MISSING_PARENT_WARNINGS) {
      await context.log(
        'WARN',
        `${this.name}: ${tally.missing} of ${tally.parents} ${this.parent.name} no longer existed (404) and were skipped.`,
      );
    }
  }

  async *#readPartition(
    context: StreamContext,
    parent: JsonObject,
    cursor: C,
    tally: { parents: number; missing: number; done: number; idle: number },
  ): AsyncGenerator<StreamItem> {
    tally.parents += 1;
    let sliced = false;
    const onSliceRead = () => {
      sliced = true;
    };
    try {
      for await (const item of this.readSlices(context, parent, cursor, this.pathFor(parent), onSliceRead)) {
        if (item === CHECKPOINT) yield item;
        else if (item instanceof RecordBatch) yield item.map((record) => this.withParent(record, parent));
        else yield this.withParent(item, parent);
      }
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      tally.missing += 1;
      if (tally.missing <= MISSING_PARENT_WARNINGS) {
        await context.log(
          'WARN',
          `${this.name}: ${this.parent.name} ${this.pathFor(parent)} answered 404, taken for deleted during the sync; skipped.`,
        );
      }
    }
    // Progress counts the parents read in this attempt: one with nothing to read (finished by an earlier attempt,
    // or gone) would pass for one that had no records.
    if (sliced) tally.done += 1;
    else tally.idle += 1;
    const total = this.partitionTotal(context, cursor);
    context.progress.report({
      done: tally.done,
      total: total === undefined ? undefined : total - tally.idle,
      unit: this.parent.name,
    });
    if (this.partitionEnded(parent, cursor)) yield CHECKPOINT;
  }

  /** Called when a parent is done (read, or gone); returns whether that moved the cursor (a checkpoint follows). */
  partitionEnded(_parent: JsonObject, _cursor: C): boolean {
    return false;
  }

  withParent(record: JsonObject, parent: JsonObject): JsonObject {
    let result = record;
    for (const [field, parentField] of Object.entries(this.parentFields)) {
      if (result[field] == null) result = { ...result, [field]: parent[parentField] };
    }
    return result;
  }
}
