/** mulberry32: a tiny, fast, seedable PRNG. Good enough for fixtures, not for anything secret. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class SeededRandom {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }

  /** A float in [0, 1). */
  float(): number {
    return this.#next();
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.#next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.#next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.#next() * items.length)];
    if (item === undefined) throw new Error('pick() from an empty list');
    return item;
  }

  /** Between min and max distinct items, in their original order. */
  sample<T>(items: readonly T[], min: number, max: number): T[] {
    const count = Math.min(items.length, this.int(min, max));
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(this.#next() * items.length));
    return items.filter((_, index) => chosen.has(index));
  }

  /** `count` words from the vocabulary, space separated. */
  words(vocabulary: readonly string[], count: number): string {
    return Array.from({ length: count }, () => this.pick(vocabulary)).join(' ');
  }

  /** A lowercase hexadecimal string of `length` characters. */
  hex(length: number): string {
    return Array.from({ length }, () => this.int(0, 15).toString(16)).join('');
  }
}

/** Increasing ids with small random gaps, like a workspace where some objects were deleted. */
export class IdSequence {
  #last: number;

  constructor(start: number) {
    this.#last = start - 1;
  }

  next(random: SeededRandom, maxGap = 1): number {
    this.#last += random.int(1, maxGap);
    return this.#last;
  }
}
