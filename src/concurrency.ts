type Step<R> = { id: number; result: IteratorResult<R> } | { id: number; error: unknown };

/**
 * Reads up to `limit` of the iterables `fn(item)` at once and yields their values as they arrive. Each
 * inner iterable has at most one value in flight besides the one handed on; with values being pages (record
 * batches), memory stays bounded by about two pages per partition however long a partition is (plus what a
 * prefetching stream reads ahead). `items` is pulled lazily. The first failure is rethrown.
 */
export async function* mergeConcurrent<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T) => AsyncIterable<R>,
): AsyncGenerator<R> {
  const source = asyncIteratorOf(items);
  const active = new Map<number, { iterator: AsyncIterator<R>; pending: Promise<Step<R>> }>();
  // Settled immediately so that a failure not yet awaited is never an unhandled rejection.
  const pull = (id: number, iterator: AsyncIterator<R>): Promise<Step<R>> =>
    iterator.next().then(
      (result) => ({ id, result }),
      (error: unknown) => ({ id, error }),
    );
  let nextId = 0;
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && active.size < limit) {
        const step = await source.next();
        if (step.done) {
          exhausted = true;
          break;
        }
        const iterator = fn(step.value)[Symbol.asyncIterator]();
        const id = nextId++;
        active.set(id, { iterator, pending: pull(id, iterator) });
      }
      if (active.size === 0) return;
      const step = await Promise.race(Array.from(active.values(), (entry) => entry.pending));
      const entry = active.get(step.id);
      if ('error' in step) throw step.error;
      if (entry === undefined || step.result.done) {
        active.delete(step.id);
        continue;
      }
      entry.pending = pull(step.id, entry.iterator);
      yield step.result.value;
    }
  } finally {
    for (const { iterator } of active.values()) iterator.return?.().catch(() => undefined);
    await source.return?.();
  }
}

/** Splits an iterable into arrays of `size`. */
export async function* chunks<T>(items: Iterable<T> | AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** One item's read in `inOrder`: its values not yet handed on, and how its read ended. */
interface Lane<R> {
  held: R[];
  done: boolean;
  failed: boolean;
  error: unknown;
  iterator: AsyncIterator<R>;
  /** Wakes the lane's read when the consumer took a value (it waits while `hold` values are held). */
  resume: (() => void) | undefined;
}

/**
 * Reads the iterables `fn(item)` of up to `limit` items at once and yields every value in item order: the
 * first item's as they come, a later item's held until every item before it is done. A lane holding `hold`
 * values waits until they are taken, so memory stays about `limit × (hold + 1)` values whatever the items
 * are. Used where slices do not depend on each other but their records must come out in slice order (each
 * slice's end moves a cursor). `items` is pulled lazily. The first failure, in item order, is rethrown.
 */
export async function* inOrder<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  hold: number,
  fn: (item: T) => AsyncIterable<R>,
): AsyncGenerator<R> {
  const source = asyncIteratorOf(items);
  const lanes: Lane<R>[] = [];
  let exhausted = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  let stopped = false;
  const pump = async (lane: Lane<R>) => {
    try {
      while (!stopped) {
        if (lane.held.length >= hold) {
          await new Promise<void>((resolve) => (lane.resume = resolve));
          continue;
        }
        const step = await lane.iterator.next();
        if (step.done) break;
        lane.held.push(step.value);
        notify();
      }
    } catch (error) {
      lane.failed = true;
      lane.error = error;
    }
    lane.done = true;
    notify();
  };
  const fill = async () => {
    while (!exhausted && lanes.length < limit) {
      let step: IteratorResult<T>;
      try {
        step = await source.next();
      } catch (error) {
        // The source's failure comes after the values of the items it gave before it, like a lane's.
        exhausted = true;
        const iterator = failing<R>(error);
        lanes.push({ held: [], done: false, failed: false, error: undefined, iterator, resume: undefined });
        void pump(lanes.at(-1) as Lane<R>);
        return;
      }
      if (step.done) {
        exhausted = true;
        return;
      }
      const lane: Lane<R> = {
        held: [],
        done: false,
        failed: false,
        error: undefined,
        iterator: fn(step.value)[Symbol.asyncIterator](),
        resume: undefined,
      };
      lanes.push(lane);
      void pump(lane);
    }
  };
  try {
    for (;;) {
      await fill();
      const lane = lanes[0];
      if (lane === undefined) return;
      if (lane.held.length > 0) {
        const value = lane.held.shift() as R;
        const resume = lane.resume;
        lane.resume = undefined;
        resume?.();
        yield value;
        continue;
      }
      if (lane.done) {
        if (lane.failed) throw lane.error;
        lanes.shift();
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stopped = true;
    for (const lane of lanes) {
      lane.iterator.return?.().catch(() => undefined);
      lane.resume?.();
    }
    await source.return?.();
  }
}

function failing<R>(error: unknown): AsyncIterator<R> {
  return {
    next: () => Promise.reject(error),
  };
}

function asyncIteratorOf<T>(items: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> {
  return Symbol.asyncIterator in items
    ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
    : toAsync((items as Iterable<T>)[Symbol.iterator]());
}

async function* toAsync<T>(iterator: Iterator<T>): AsyncGenerator<T> {
  for (let step = iterator.next(); !step.done; step = iterator.next()) yield step.value;
}
