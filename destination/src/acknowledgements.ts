import type { JsonObject } from '@cio-connectors/kit/json';
import type { EchoedStateMessage } from '@cio-connectors/kit/protocol';
import { streamKey } from './plans.js';

/** Records since a state: read, and of those, rejected. */
interface Tally {
  records: number;
  rejected: number;
}

/** A record's place in the input, and the tallies it counts in: its stream's, and the whole input's. */
export interface Ticket {
  readonly sequence: number;
  readonly streamTally: Tally;
  readonly inputTally: Tally;
}

interface PendingState {
  /** Records read before it. */
  before: number;
  message: JsonObject;
  tally: Tally;
}

const newTally = (): Tally => ({ records: 0, rejected: 0 });

/**
 * Which states may be echoed: a state goes back only once every record read before it is settled (written,
 * or rejected and reported), in the order the states came, with the records and rejections counted since the
 * previous state of its stream (STREAM states) or of the whole input (GLOBAL and LEGACY states).
 */
export class Acknowledgements {
  #read = 0;
  /** Every record below this sequence number is settled. */
  #settledBelow = 0;
  /** Settled records at or above #settledBelow (settling is out of order; bounded by what is in flight). */
  readonly #settledAhead = new Set<number>();
  readonly #streamTallies = new Map<string, Tally>();
  #inputTally = newTally();
  readonly #states: PendingState[] = [];
  #settled = 0;
  #rejected = 0;

  record(stream: string): Ticket {
    let tally = this.#streamTallies.get(stream);
    if (tally === undefined) {
      tally = newTally();
      this.#streamTallies.set(stream, tally);
    }
    tally.records += 1;
    this.#inputTally.records += 1;
    return { sequence: this.#read++, streamTally: tally, inputTally: this.#inputTally };
  }

  settle(ticket: Ticket, rejected: boolean): void {
    this.#settled += 1;
    if (rejected) {
      this.#rejected += 1;
      ticket.streamTally.rejected += 1;
      ticket.inputTally.rejected += 1;
    }
    if (ticket.sequence !== this.#settledBelow) {
      this.#settledAhead.add(ticket.sequence);
      return;
    }
    this.#settledBelow += 1;
    while (this.#settledAhead.delete(this.#settledBelow)) this.#settledBelow += 1;
  }

  /** A state from the input: it waits for the records read before it. */
  state(message: JsonObject): void {
    const stream = message.type === 'STREAM' ? (message.stream as JsonObject | undefined) : undefined;
    const descriptor = stream?.stream_descriptor as { name?: unknown; namespace?: unknown } | undefined;
    let tally: Tally;
    if (typeof descriptor?.name === 'string') {
      const key = streamKey(descriptor.name, descriptor.namespace);
      tally = this.#streamTallies.get(key) ?? newTally();
      this.#streamTallies.set(key, newTally());
    } else {
      tally = this.#inputTally;
      this.#inputTally = newTally();
    }
    this.#states.push({ before: this.#read, message, tally });
  }

  /**
   * The states now safe to echo, in order, each with its counts; they leave the queue. A state `held` keeps
   * itself and every later one waiting (a mirror stream's, until the mirror is done).
   */
  releasable(held: (message: JsonObject) => boolean = () => false): EchoedStateMessage[] {
    const released: EchoedStateMessage[] = [];
    while (
      this.#states.length > 0 &&
      (this.#states[0]?.before ?? Number.POSITIVE_INFINITY) <= this.#settledBelow &&
      !held(this.#states[0]?.message ?? {})
    ) {
      const { message, tally } = this.#states.shift() as PendingState;
      released.push({
        ...message,
        destinationStats: { recordCount: tally.records, rejectedRecordCount: tally.rejected },
      });
    }
    return released;
  }

  get read(): number {
    return this.#read;
  }

  get settled(): number {
    return this.#settled;
  }

  get rejected(): number {
    return this.#rejected;
  }

  /** States still waiting for records. */
  get waitingStates(): number {
    return this.#states.length;
  }
}
