import { answerId, SEARCHED_PERSON } from '../answer-ids.js';
import { type Cursor, type CursorInput, PeopleSweepCursor } from '../cursors.js';
import type { JsonObject } from '../protocol.js';
import { ChildStream, type Params, type StreamContext, type StreamItem } from './base.js';
import { PEOPLE } from './people.js';

/**
 * A stream of records per person matching `customers_filter`. With `per_person_method: per_person` it is read
 * once per person, addressed by cio_id: people come page by page from the search (never all held at once) and
 * the read checkpoints its progress through them, so a read killed after hours resumes with the next person,
 * not from the start. With `bulk` (the default), streams that have a workspace-wide source of the same records
 * (`readInBulk`) read that instead, kept to the people the stream covers.
 */
export abstract class PersonStream<C extends Cursor = Cursor> extends ChildStream {
  readonly parent = PEOPLE;
  readonly parentFields = { cio_id: 'cio_id' };

  override params(): Params {
    return { id_type: 'cio_id' };
  }

  /** The stream's records from workspace-wide lists; undefined where there is no such source. */
  readInBulk?(context: StreamContext, cursor: Cursor): AsyncGenerator<StreamItem>;

  /** The cursor of a bulk read: the stream's own cursor over the whole run by default. */
  createBulkCursor(context: StreamContext, run: CursorInput): Cursor {
    return this.createPersonCursor(context, run);
  }

  isBulk(context: StreamContext): boolean {
    return context.config.perPersonMethod === 'bulk' && this.readInBulk !== undefined;
  }

  override createCursor(context: StreamContext, run: CursorInput): Cursor {
    if (this.isBulk(context)) return this.createBulkCursor(context, run);
    const { progress, innerInput } = PeopleSweepCursor.input(run);
    // A full refresh per person resumes only its people progress: a bulk read's `resume` position (every person's
    // records up to a time) would make each person skip what came before it.
    const input = run.syncMode === 'incremental' ? innerInput : { ...innerInput, saved: undefined };
    return new PeopleSweepCursor(
      this.createPersonCursor(context, input),
      progress,
      run.syncMode === 'incremental',
    );
  }

  override async *readRecords(context: StreamContext, cursor?: Cursor): AsyncGenerator<StreamItem> {
    if (this.readInBulk !== undefined && this.isBulk(context) && cursor !== undefined) {
      yield* this.readInBulk(context, cursor);
      return;
    }
    yield* super.readRecords(context, cursor);
  }

  /** The stream's own cursor, within one sweep over the people: the stream's default by default. */
  createPersonCursor(context: StreamContext, run: CursorInput): C {
    return super.createCursor(context, run) as C;
  }

  /** The only people who can have records, when a cheaper read tells (the others need no request); all by default. */
  async peopleWithRecords(_context: StreamContext): Promise<{ has(cioId: string): boolean } | undefined> {
    return undefined;
  }

  override async *partitionSource(
    context: StreamContext,
    cursor: PeopleSweepCursor<C>,
  ): AsyncGenerator<JsonObject> {
    const { progress } = cursor;
    const needed = await this.peopleWithRecords(context);
    const [slice = {}] = PEOPLE.slices(context);
    let token = progress.resumePage;
    const request = {
      ...PEOPLE.pageRequest(context, slice),
      ...(token === undefined ? {} : { start: token }),
    };
    for await (const page of context.client.pages(request)) {
      const ids = page.records.map((person) => answerId(person.cio_id, 'cio_id', SEARCHED_PERSON));
      const people = ids.map((cioId) => ({ cio_id: cioId }));
      progress.beginPage(token, ids);
      const skip = token === progress.resumePage ? ids.indexOf(progress.resumeAfter ?? '') + 1 : 0;
      for (const id of ids.slice(0, skip)) progress.personDone(id);
      for (const person of people.slice(skip)) {
        const id = String(person.cio_id);
        if (needed === undefined || needed.has(id)) yield person;
        else progress.personDone(id);
      }
      token = page.next;
    }
  }

  override partitionEnded(person: JsonObject, cursor: PeopleSweepCursor<C>): boolean {
    cursor.progress.personDone(String(person.cio_id));
    return true;
  }
}
