import type { JsonObject } from '@cio-connectors/kit/json';

/** Yielded between records where the stream's current state may be emitted: every record before it is out. */
export const CHECKPOINT = Symbol('checkpoint');

/**
 * A page's records, passed on whole: each layer between the API's pages and the read loop is an async generator,
 * and one record per step cost every layer a promise per record (about a fifth of a long read's CPU). Where the
 * page kept its records' texts (`recordsAsSent`), they ride along by position to the emitter; a step that returns
 * a record changed or copied drops its text.
 */
export class RecordBatch {
  readonly records: readonly JsonObject[];
  readonly texts: ReadonlyArray<string | undefined> | undefined;

  constructor(records: readonly JsonObject[], texts?: ReadonlyArray<string | undefined>) {
    this.records = records;
    this.texts = texts;
  }

  /** The page's records passed through `step`; each keeps its text only where `step` returned it as it was. */
  static ofPage(
    page: { records: readonly JsonObject[]; texts?: ReadonlyArray<string | undefined> | undefined },
    step: (record: JsonObject) => JsonObject,
  ): RecordBatch {
    const records = page.records.map(step);
    return new RecordBatch(records, sameTexts(page.records, records, page.texts));
  }

  map(step: (record: JsonObject) => JsonObject): RecordBatch {
    return RecordBatch.ofPage(this, step);
  }

  filter(keep: (record: JsonObject) => boolean): RecordBatch {
    const texts = this.texts;
    if (texts === undefined) return new RecordBatch(this.records.filter(keep));
    const records: JsonObject[] = [];
    const kept: Array<string | undefined> = [];
    this.records.forEach((record, index) => {
      if (!keep(record)) return;
      records.push(record);
      kept.push(texts[index]);
    });
    return new RecordBatch(records, kept);
  }
}

/** The texts of the records `after` holds unchanged from `before` (by position); none when nothing was kept. */
function sameTexts(
  before: readonly JsonObject[],
  after: readonly JsonObject[],
  texts: ReadonlyArray<string | undefined> | undefined,
): ReadonlyArray<string | undefined> | undefined {
  if (texts === undefined) return undefined;
  let kept = false;
  const carried = after.map((record, index) => {
    if (record !== before[index]) return undefined;
    kept = true;
    return texts[index];
  });
  return kept ? carried : undefined;
}

export type RecordItem = JsonObject | RecordBatch;
export type StreamItem = RecordItem | typeof CHECKPOINT;

export function recordsIn(item: RecordItem): readonly JsonObject[] {
  return item instanceof RecordBatch ? item.records : [item];
}

/** One record at a time, checkpoints left out: for readers off the hot path (a stream's parents, a helper read). */
export async function* eachRecord(items: AsyncIterable<StreamItem>): AsyncGenerator<JsonObject> {
  for await (const item of items) if (item !== CHECKPOINT) yield* recordsIn(item);
}

/**
 * The state a read reached, yielded by `Stream.read` where it may be emitted (every record before it is out);
 * the last one, `final`, once every record has been emitted.
 */
export class StreamState {
  readonly state: JsonObject;
  readonly final: boolean;

  constructor(state: JsonObject, final: boolean) {
    this.state = state;
    this.final = final;
  }
}
