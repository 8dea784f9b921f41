import type { JsonObject } from '@cio-connectors/kit/json';
import {
  type Cursor,
  CursorAround,
  type CursorInput,
  cursorSeconds,
  notAfterSyncStart,
  objectIn,
  Resumable,
} from '../cursors.js';

interface PeoplePage {
  /** The `start` token the page was read with; undefined for the first page. */
  token: string | undefined;
  ids: string[];
  done: Set<string>;
}

/**
 * Progress through the people search for per-person streams: pages in order, people within a page in any
 * order (several are read at once). Saved as `{started, page, after}`: the sweep began at `started`, and every
 * person before the page read with `page`, and that page's people up to cio_id `after`, are done. Keeping the
 * last cio_id rather than a count means a person deleted meanwhile cannot make a resumed read skip someone.
 */
export class PeopleProgress {
  /** When the sweep began: a resumed sweep keeps its first attempt's start, which bounds the cursor. */
  readonly started: number;
  readonly resumePage: string | undefined;
  readonly resumeAfter: string | undefined;
  /** How many people this attempt reads, known once the search is read (progress estimates). */
  expected: number | undefined;
  readonly #pages: PeoplePage[] = [];

  constructor(saved: JsonObject | undefined, syncStart: number) {
    const started = cursorSeconds(saved?.started);
    this.started = started === undefined ? syncStart : notAfterSyncStart(started, { syncStart });
    this.resumePage = typeof saved?.page === 'string' ? saved.page : undefined;
    this.resumeAfter = typeof saved?.after === 'string' ? saved.after : undefined;
  }

  beginPage(token: string | undefined, ids: string[]): void {
    this.#pages.push({ token, ids, done: new Set() });
  }

  personDone(cioId: string): void {
    const page = this.#pages.find((candidate) => candidate.ids.includes(cioId));
    page?.done.add(cioId);
    // A finished page is forgotten once the next has begun: the next page's token then says it all.
    while (this.#pages.length > 1 && this.#isFinished(this.#pages[0])) this.#pages.shift();
  }

  #isFinished(page: PeoplePage | undefined): boolean {
    return page?.ids.every((id) => page.done.has(id)) ?? false;
  }

  state(): JsonObject {
    const [page] = this.#pages;
    let token = this.resumePage;
    let after = this.resumeAfter;
    if (page !== undefined) {
      let prefix = 0;
      while (prefix < page.ids.length && page.done.has(page.ids[prefix] ?? '')) prefix += 1;
      token = page.token;
      if (prefix > 0) after = page.ids[prefix - 1];
      // On the page a resumed read started with, the people it skipped count as done.
      else after = page.token === this.resumePage ? this.resumeAfter : undefined;
    }
    return {
      started: this.started,
      ...(token === undefined ? {} : { page: token }),
      ...(after === undefined ? {} : { after }),
    };
  }
}

/**
 * A per-person stream's cursor: the stream's own cursor (`inner`, bounded by the sweep's start) plus its
 * progress through the people, checkpointed as `people` so a killed read resumes with the next person.
 */
export class PeopleSweepCursor<C extends Cursor = Cursor> extends CursorAround<C> {
  readonly progress: PeopleProgress;

  constructor(inner: C, progress: PeopleProgress) {
    super(inner);
    this.progress = progress;
  }

  override checkpoint(): JsonObject {
    return { ...this.inner.checkpoint(), people: this.progress.state() };
  }
}

/**
 * A sweep over the people, resumable in a full refresh (`{resume: {people}}`): the saved people progress, and
 * the stream's own cursor made by `createInner` for the run as it sees it, ending at the sweep's start.
 */
export function peopleSweepCursor<C extends Cursor>(
  run: CursorInput,
  createInner: (input: CursorInput) => C,
): Resumable<PeopleSweepCursor<C>> {
  return new Resumable(run, (input) => {
    const progress = new PeopleProgress(objectIn(input.saved?.people), input.syncStart);
    // A full refresh resumes only its people progress: a bulk read's `resume` position (every person's records
    // up to a time) would make each person skip what came before it.
    const saved = run.syncMode === 'incremental' ? input.saved : undefined;
    return new PeopleSweepCursor(createInner({ ...input, saved, syncStart: progress.started }), progress);
  });
}
