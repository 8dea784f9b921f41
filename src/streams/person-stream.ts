import { type Cursor, type CursorInput, PeopleSweepCursor } from '../cursors.js';
import type { JsonObject } from '../protocol.js';
import { ChildStream, type Params, type StreamContext } from './base.js';
import { PEOPLE } from './people.js';

/**
 * A stream read once per person matching `customers_filter`, addressed by cio_id. People come page by page
 * from the search (never all held at once) and the read checkpoints its progress through them, so a read
 * killed after hours resumes with the next person, not from the start.
 */
export abstract class PersonStream<C extends Cursor = Cursor> extends ChildStream {
  readonly parent = PEOPLE;
  readonly parentFields = { cio_id: 'cio_id' };

  override params(): Params {
    return { id_type: 'cio_id' };
  }

  override createCursor(context: StreamContext, run: CursorInput): PeopleSweepCursor<C> {
    const { progress, innerInput } = PeopleSweepCursor.input(run);
    return new PeopleSweepCursor(
      this.createPersonCursor(context, innerInput),
      progress,
      run.syncMode === 'incremental',
    );
  }

  /** The stream's own cursor, within one sweep over the people: the stream's default by default. */
  createPersonCursor(context: StreamContext, run: CursorInput): C {
    return super.createCursor(context, run) as C;
  }

  override async *partitionSource(
    context: StreamContext,
    cursor: PeopleSweepCursor<C>,
  ): AsyncGenerator<JsonObject> {
    const { progress } = cursor;
    const [slice = {}] = PEOPLE.slices(context);
    let token = progress.resumePage;
    const request = {
      ...PEOPLE.pageRequest(context, slice),
      ...(token === undefined ? {} : { start: token }),
    };
    for await (const page of context.client.pages(request)) {
      const people = page.records.map((person) => ({ cio_id: person.cio_id }));
      const ids = people.map((person) => String(person.cio_id));
      progress.beginPage(token, ids);
      const skip = token === progress.resumePage ? ids.indexOf(progress.resumeAfter ?? '') + 1 : 0;
      for (const id of ids.slice(0, skip)) progress.personDone(id);
      yield* people.slice(skip);
      token = page.next;
    }
  }

  override partitionEnded(person: JsonObject, cursor: PeopleSweepCursor<C>): boolean {
    cursor.progress.personDone(String(person.cio_id));
    return true;
  }
}
