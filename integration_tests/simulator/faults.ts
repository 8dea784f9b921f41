import { SeededRandom } from './random.js';

export const FAULT_KINDS = [
  'http_500',
  'http_502_html',
  'http_503',
  'http_429',
  'http_429_no_retry_after',
  'reset',
  'truncated_body',
  'invalid_json',
  'slow',
  /** Headers at once, then the body a few bytes at a time: only a deadline on the whole answer ends it. */
  'trickle',
] as const;

/**
 * Answers that are well-formed 200s but wrong, which no retry fixes: the connector must fail the stream, not
 * read them as empty or page forever. Not in FAULT_KINDS, whose faults a read is expected to survive.
 */
export const BROKEN_ANSWER_KINDS = [
  /** The normal answer without its lists (every array-valued top-level key dropped). */
  'missing_list',
  /** `{"errors": [...]}` with status 200. */
  'errors_200',
  /** The normal answer with its lists replaced by null. */
  'null_list',
  /** The first page whatever `start` says, with a fresh `next` token every time. */
  'looping_token',
  /** The first page whatever `offset` says. */
  'ignored_offset',
  /** A proxy's or captive portal's sign-in page: status 200, text/html. */
  'html_200',
  /** The normal answer with every `id` removed from the items of its lists (and from what they hold). */
  'no_id',
  /** The normal answer with every `cio_id` removed from the items of its lists (identifiers, attributes...). */
  'no_cio_id',
  /** The normal answer with every `object_id` removed from the items of its lists. */
  'no_object_id',
] as const;

/**
 * Answers that say how long to wait (Retry-After): a read survives them by waiting as told. Not in
 * FAULT_KINDS, so that random-fault reads stay quick.
 */
export const PACED_FAULT_KINDS = [
  /** 503 with `Retry-After: 1`. */
  'http_503_retry_after',
  /** 429 with `Retry-After: 3600`, more than any client should wait at once. */
  'http_429_long_retry_after',
] as const;

export type FaultKind =
  | (typeof FAULT_KINDS)[number]
  | (typeof BROKEN_ANSWER_KINDS)[number]
  | (typeof PACED_FAULT_KINDS)[number];

export interface RandomFaults {
  /** Probability in [0, 1] that an admitted request matching `path` fails. */
  rate: number;
  kinds: FaultKind[];
  seed?: number;
  /** Only requests whose path matches are eligible; all when absent. */
  path?: RegExp;
}

interface QueuedFault {
  kind: FaultKind;
  remaining: number;
  path: RegExp | undefined;
}

export function pathMatches(pattern: RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  pattern.lastIndex = 0; // a /g or /y pattern would otherwise remember where it stopped
  return pattern.test(path);
}

/** Decides which admitted requests fail: queued faults first (FIFO), then random ones. */
export class FaultPlan {
  readonly #queue: QueuedFault[] = [];
  #random: { faults: RandomFaults; random: SeededRandom } | null = null;

  constructor(randomFaults: RandomFaults | null) {
    this.setRandom(randomFaults);
  }

  inject(kind: FaultKind, count: number, path?: RegExp): void {
    if (!Number.isInteger(count) || count < 0)
      throw new Error(`fault count must be a non-negative integer: ${count}`);
    if (count > 0) this.#queue.push({ kind, remaining: count, path });
  }

  setRandom(faults: RandomFaults | null): void {
    if (faults !== null) validateRandomFaults(faults);
    this.#random = faults === null ? null : { faults, random: new SeededRandom(faults.seed ?? 1) };
  }

  /** The fault for this request, if any. Consumes one queued fault when one applies. */
  next(path: string): FaultKind | undefined {
    const queued = this.#queue.find((fault) => pathMatches(fault.path, path));
    if (queued !== undefined) {
      queued.remaining -= 1;
      if (queued.remaining === 0) this.#queue.splice(this.#queue.indexOf(queued), 1);
      return queued.kind;
    }
    if (this.#random === null || !pathMatches(this.#random.faults.path, path)) return undefined;
    const { faults, random } = this.#random;
    return random.chance(faults.rate) ? random.pick(faults.kinds) : undefined;
  }
}

function validateRandomFaults(faults: RandomFaults): void {
  if (!(faults.rate >= 0 && faults.rate <= 1))
    throw new Error(`fault rate must be within [0, 1]: ${faults.rate}`);
  if (faults.kinds.length === 0) throw new Error('random faults need at least one kind');
}
