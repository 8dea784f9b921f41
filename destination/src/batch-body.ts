/**
 * A Track v2 batch body, written into bytes entry by entry as the batch fills: an entry's text is garbage as
 * soon as it is written (kept as strings until the batch is sent, a batch's texts would outlive the young
 * generation and fill the old one), and the body goes to the socket as it is. Where each entry starts is kept,
 * so a range of entries is one slice of the body (a batch split in halves needs nothing else).
 */
const OPEN = Buffer.from('{"batch":[');
const CLOSE = Buffer.from(']}');
export const BATCH_ENVELOPE_BYTES = OPEN.length + CLOSE.length;

export interface BatchBody {
  bytes: Buffer;
  /** starts[i]: the byte where entry i begins; starts[n]: one past the last entry's end (where a comma would be). */
  starts: number[];
}

export class BatchBuilder {
  readonly #maxBytes: number;
  #buffer: Buffer | undefined;
  #used = 0;
  #starts: number[] = [];

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get entries(): number {
    return this.#starts.length;
  }

  /** Whether an entry of `bytes` fits beside those already in (an empty batch takes any entry). */
  fits(bytes: number): boolean {
    return this.#starts.length === 0 || this.#used + 1 + bytes + CLOSE.length <= this.#maxBytes;
  }

  /** Appends an entry of `bytes` (its UTF-8 length): call `fits` first. */
  add(text: string, bytes: number): void {
    if (this.#buffer === undefined) {
      this.#buffer = Buffer.allocUnsafe(Math.max(this.#maxBytes, BATCH_ENVELOPE_BYTES + bytes));
      this.#used = OPEN.copy(this.#buffer, 0);
    } else {
      this.#buffer[this.#used] = 0x2c; // ','
      this.#used += 1;
    }
    this.#starts.push(this.#used);
    this.#used += this.#buffer.write(text, this.#used, 'utf8');
  }

  /** The body of the entries added, and a new empty batch. */
  finish(): BatchBody {
    const buffer = this.#buffer ?? Buffer.allocUnsafe(BATCH_ENVELOPE_BYTES);
    const starts = [...this.#starts, this.#used + 1];
    const end = this.#buffer === undefined ? OPEN.copy(buffer, 0) : this.#used;
    const length = end + CLOSE.copy(buffer, end);
    this.#buffer = undefined;
    this.#used = 0;
    this.#starts = [];
    return { bytes: buffer.subarray(0, length), starts };
  }
}

/** The body of entries [from, to) of a batch. */
export function batchPart(body: BatchBody, from: number, to: number): Buffer {
  const start = body.starts[from] ?? 0;
  const end = (body.starts[to] ?? start + 1) - 1;
  return Buffer.concat([OPEN, body.bytes.subarray(start, end), CLOSE]);
}

/** A body of one entry, sent alone (an anonymous event to Track v1). */
export function wholeBody(text: string): BatchBody {
  const bytes = Buffer.from(text, 'utf8');
  return { bytes, starts: [0, bytes.length + 1] };
}
