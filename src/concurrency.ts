type Step<R> = { id: number; result: IteratorResult<R> } | { id: number; error: unknown };

/**
 * Reads up to `limit` of the iterables `fn(item)` at once and yields their values as they arrive. Each
 * inner iterable has at most one value in flight besides the one handed on; with values being pages (record
 * batches), memory stays bounded by about two pages per partition however long a partition is (plus what a
 * prefetching stream reads ahead). `items` is pulled lazily. The first failure is rethrown.
 */
export async function* mergeConcurrent<T, R>(
  items: AsyncIterable<T>,
  limit: number,
  fn: (item: T) => AsyncIterable<R>,
): AsyncGenerator<R> {
  const source = items[Symbol.asyncIterator]();
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
export async function* chunks<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
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
