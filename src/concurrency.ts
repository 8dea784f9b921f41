type Settled<R> = { id: number; outcome: PromiseSettledResult<R> };

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, yielding results as they complete.
 * Pulls `items` lazily, so a long parent list is never held in memory; the first failure is rethrown.
 */
export async function* mapConcurrent<T, R>(
  items: AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const iterator = items[Symbol.asyncIterator]();
  const running = new Map<number, Promise<Settled<R>>>();
  let nextId = 0;
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && running.size < limit) {
        const step = await iterator.next();
        if (step.done) {
          exhausted = true;
          break;
        }
        const id = nextId++;
        // Settle immediately so a failure of a call not yet awaited is never an unhandled rejection.
        const settled = fn(step.value).then(
          (value): Settled<R> => ({ id, outcome: { status: 'fulfilled', value } }),
          (reason: unknown): Settled<R> => ({ id, outcome: { status: 'rejected', reason } }),
        );
        running.set(id, settled);
      }
      if (running.size === 0) return;
      const { id, outcome } = await Promise.race(running.values());
      running.delete(id);
      if (outcome.status === 'rejected') throw outcome.reason;
      yield outcome.value;
    }
  } finally {
    await iterator.return?.();
  }
}
