/**
 * What a run reads once and its streams share (the people search of the bulk per-person streams): the first
 * stream to ask reads it, the others wait for that read, also when they ask at the same moment. A failed read
 * is forgotten, so the next stream to ask reads it again. One per run: nothing of a run outlives it.
 */
export class RunMemo {
  readonly #values = new Map<string, Promise<unknown>>();

  once<T>(key: string, read: () => Promise<T>): Promise<T> {
    const known = this.#values.get(key);
    if (known !== undefined) return known as Promise<T>;
    const reading = read();
    this.#values.set(key, reading);
    reading.catch(() => {
      if (this.#values.get(key) === reading) this.#values.delete(key);
    });
    return reading;
  }
}
