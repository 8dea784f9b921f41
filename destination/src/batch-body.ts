/**
 * A Track v2 batch body, written into bytes entry by entry as the batch fills: an entry's text is garbage as
 * soon as it is written (kept as strings until the batch is sent, a batch's texts would outlive the young
 * generation and fill the old one), and the body goes to the socket as it is. Where each entry starts is kept,
 * so a range of entries is one slice of the body (a batch split in halves needs nothing else).
 */
/** A JSON list inside an object: `{"batch":[` … `]}` (Track v2 batches), `{"ids":[` … `]}` (segment members). */
export interface Envelope {
  open: Buffer;
  close: Buffer;
}

const envelope = (key: string): Envelope => ({ open: Buffer.from(`{"${key}":[`), close: Buffer.from(']}') });
const BATCH_ENVELOPE = envelope('batch');
export const IDS_ENVELOPE = envelope('ids');
export const BATCH_ENVELOPE_BYTES = BATCH_ENVELOPE.open.length + BATCH_ENVELOPE.close.length;

export interface BatchBody {
  bytes: Buffer;
  /** starts[i]: the byte where entry i begins; starts[n]: one past the last entry's end (where a comma would be). */
  starts: number[];
  envelope: Envelope;
}

export class BatchBuilder {
  readonly #maxBytes: number;
  readonly #maxEntries: number;
  readonly #envelope: Envelope;
  #buffer: Buffer | undefined;
  #used = 0;
  #starts: number[] = [];

  constructor(maxBytes: number, envelope: Envelope = BATCH_ENVELOPE, maxEntries = Number.POSITIVE_INFINITY) {
    this.#maxBytes = maxBytes;
    this.#envelope = envelope;
    this.#maxEntries = maxEntries;
  }

  get entries(): number {
    return this.#starts.length;
  }

  /** Whether an entry of `bytes` fits beside those already in (an empty batch takes any entry). */
  fits(bytes: number): boolean {
    if (this.#starts.length === 0) return true;
    return (
      this.#starts.length < this.#maxEntries &&
      this.#used + 1 + bytes + this.#envelope.close.length <= this.#maxBytes
    );
  }

  /** Appends an entry of `bytes` (its UTF-8 length): call `fits` first. */
  add(text: string, bytes: number): void {
    if (this.#buffer === undefined) {
      const { open, close } = this.#envelope;
      this.#buffer = Buffer.allocUnsafe(Math.max(this.#maxBytes, open.length + close.length + bytes));
      this.#used = open.copy(this.#buffer, 0);
    } else {
      this.#buffer[this.#used] = 0x2c; // ','
      this.#used += 1;
    }
    this.#starts.push(this.#used);
    this.#used += this.#buffer.write(text, this.#used, 'utf8');
  }

  /** The body of the entries added, and a new empty batch. */
  finish(): BatchBody {
    const { open, close } = this.#envelope;
    const buffer = this.#buffer ?? Buffer.allocUnsafe(open.length + close.length);
    const starts = [...this.#starts, this.#used + 1];
    const end = this.#buffer === undefined ? open.copy(buffer, 0) : this.#used;
    const length = end + close.copy(buffer, end);
    this.#buffer = undefined;
    this.#used = 0;
    this.#starts = [];
    return { bytes: buffer.subarray(0, length), starts, envelope: this.#envelope };
  }
}

/** The body of entries [from, to) of a batch. */
export function batchPart(body: BatchBody, from: number, to: number): Buffer {
  const start = body.starts[from] ?? 0;
  const end = (body.starts[to] ?? start + 1) - 1;
  return Buffer.concat([body.envelope.open, body.bytes.subarray(start, end), body.envelope.close]);
}
