import type { Params } from '@cio-connectors/kit/http-client';
import type { JsonObject } from '@cio-connectors/kit/json';
import { type Cursor, CursorAround, type CursorInput, type Resumable } from '../cursors.js';
import type { StreamContext } from './base.js';
import { ChildStream } from './child-stream.js';
import type { StreamItem } from './items.js';
import { PEOPLE, peopleIn, searchPeople } from './people.js';
import { type PeopleSweepCursor, peopleSweepCursor } from './people-sweep.js';

/**
 * A per-person stream's cursor for one read: the sweep over the people (`per_person`), or the stream's bulk
 * cursor (`bulk`), whichever the read uses; it saves and emits the state of that one.
 */
export class PersonCursor<C extends Cursor, B extends Cursor> extends CursorAround<Cursor> {
  readonly bulk: B | undefined;
  readonly #sweep: Resumable<PeopleSweepCursor<C>> | undefined;

  private constructor(
    active: Cursor,
    sweep: Resumable<PeopleSweepCursor<C>> | undefined,
    bulk: B | undefined,
  ) {
    super(active);
    this.#sweep = sweep;
    this.bulk = bulk;
  }

  static perPerson<C extends Cursor, B extends Cursor>(
    sweep: Resumable<PeopleSweepCursor<C>>,
  ): PersonCursor<C, B> {
    return new PersonCursor<C, B>(sweep, sweep, undefined);
  }

  static inBulk<C extends Cursor, B extends Cursor>(bulk: B): PersonCursor<C, B> {
    return new PersonCursor<C, B>(bulk, undefined, bulk);
  }

  /** The sweep over the people; only a per-person read has one. */
  get sweep(): Resumable<PeopleSweepCursor<C>> {
    if (this.#sweep === undefined) throw new Error('A bulk read has no sweep over the people.');
    return this.#sweep;
  }
}

/** How a per-person stream reads in bulk: its cursor over the whole run, and its records from workspace-wide lists. */
export interface BulkRead<B extends Cursor> {
  createCursor(context: StreamContext, run: CursorInput): B;
  read(context: StreamContext, cursor: B): AsyncIterable<StreamItem>;
}

/**
 * A stream of records per person matching `customers_filter`. With `per_person_method: per_person` it is read
 * once per person, addressed by cio_id: people come from the search (read whole first, 8 bytes a person) page by page, and
 * the read checkpoints its progress through them, so a read killed after hours resumes with the next person,
 * not from the start. With `bulk` (the default), streams that have a workspace-wide source of the same records
 * (`bulk`: its cursor and its read) read that instead, kept to the people the stream
 * covers.
 */
export abstract class PersonStream<C extends Cursor, B extends Cursor = never> extends ChildStream<
  PersonCursor<C, B>
> {
  readonly parent = PEOPLE;
  readonly parentFields = { cio_id: 'cio_id' };

  override params(): Params {
    return { id_type: 'cio_id' };
  }

  /** The stream's own cursor, within one sweep over the people. */
  abstract createPersonCursor(context: StreamContext, run: CursorInput): C;

  /** The stream's bulk read, where workspace-wide lists hold its records; undefined where none does. */
  readonly bulk: BulkRead<B> | undefined = undefined;

  createCursor(context: StreamContext, run: CursorInput): PersonCursor<C, B> {
    if (this.bulk !== undefined && context.config.perPersonMethod === 'bulk') {
      return PersonCursor.inBulk(this.bulk.createCursor(context, run));
    }
    return PersonCursor.perPerson(peopleSweepCursor(run, (input) => this.createPersonCursor(context, input)));
  }

  override async *readRecords(
    context: StreamContext,
    cursor: PersonCursor<C, B>,
  ): AsyncGenerator<StreamItem> {
    if (this.bulk !== undefined && cursor.bulk !== undefined) {
      yield* this.bulk.read(context, cursor.bulk);
      return;
    }
    yield* super.readRecords(context, cursor);
  }

  /**
   * The only people who can have records, when a cheaper read tells (the others need no request); all by
   * default. `people`: how many the sweep has to read (from the search it has already made).
   */
  async peopleWithRecords(
    _context: StreamContext,
    _people: number,
  ): Promise<{ has(cioId: string): boolean; readonly size: number } | undefined> {
    return undefined;
  }

  override async *partitionSource(
    context: StreamContext,
    cursor: PersonCursor<C, B>,
  ): AsyncGenerator<JsonObject> {
    const { progress } = cursor.sweep.strategy;
    const pages = await searchPeople(context, progress.resumePage);
    const needed = await this.peopleWithRecords(context, peopleIn(pages));
    const toRead = (token: string | undefined, ids: string[]) => {
      const skip = token === progress.resumePage ? ids.indexOf(progress.resumeAfter ?? '') + 1 : 0;
      return { skipped: ids.slice(0, skip), rest: ids.slice(skip) };
    };
    progress.expected = 0;
    for (const { token, ids } of pages) {
      const { rest } = toRead(token, ids.toArray());
      progress.expected += needed === undefined ? rest.length : rest.filter((id) => needed.has(id)).length;
    }
    // Each page is let go once read: memory falls as the sweep goes.
    for (let page = pages.shift(); page !== undefined; page = pages.shift()) {
      const ids = page.ids.toArray();
      progress.beginPage(page.token, ids);
      const { skipped, rest } = toRead(page.token, ids);
      for (const id of skipped) progress.personDone(id);
      for (const id of rest) {
        if (needed === undefined || needed.has(id)) yield { cio_id: id };
        else progress.personDone(id);
      }
    }
  }

  override partitionTotal(_context: StreamContext, cursor: PersonCursor<C, B>): number | undefined {
    return cursor.sweep.strategy.progress.expected;
  }

  override partitionEnded(person: JsonObject, cursor: PersonCursor<C, B>): boolean {
    cursor.sweep.strategy.progress.personDone(String(person.cio_id));
    return true;
  }
}
