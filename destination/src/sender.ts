import { asConnectorError, ConnectorError, UnexpectedResponseError } from '@cio-connectors/kit/errors';
import type { HttpClient, RequestOptions } from '@cio-connectors/kit/http-client';
import type { Ticket } from './acknowledgements.js';
import { type BatchBody, batchPart } from './batch-body.js';
import type { MatchingKey, Rejection } from './entries.js';

export const BATCH_PATH = '/api/v2/batch';
/** Anonymous events: Track v2 documents no anonymous person, so each goes to Track v1 on its own. */
export const ANONYMOUS_EVENTS_PATH = '/api/v1/events';

/**
 * One request and how its answer settles its items. `list`: a body of entries (a Track v2 batch, a segment's
 * ids), refused per entry by a 207, or as a whole by a 400/413 that is split until the refused entries are
 * found. `single`: one item's request (an anonymous event, a snippet): a 400/404/422 rejects it, except a 404
 * to a DELETE, which finds it already done.
 */
export type Outgoing =
  | { kind: 'list'; client: HttpClient; path: string; params?: RequestOptions['params']; body: BatchBody }
  | {
      kind: 'single';
      client: HttpClient;
      path: string;
      method: 'POST' | 'PUT' | 'DELETE';
      body?: RequestOptions['body'];
    };

/** A single request's refusals that reject its item rather than stop the sync. */
const REFUSED_ALONE: ReadonlySet<number> = new Set([400, 404, 409, 413, 422]);

/**
 * One record on its way: whose it is (for ordering), its place in the input, its stream and matching key (for
 * reports). Its entry is in the request's body (batch-body.ts), not kept beside it.
 */
export interface Item {
  ticket: Ticket;
  /** The people (or visitors, objects) it is about: requests about the same one are answered in order. */
  subjects: readonly string[];
  stream: string;
  key: MatchingKey;
}

export interface SenderOptions {
  /** Requests queued or in flight at once; the caller waits past this. */
  maxInFlight: number;
  /** Each item's outcome: accepted (no rejection) or rejected. */
  settle(item: Item, rejection: Rejection | undefined): void;
}

/**
 * Sends the requests: several at once within the client's rate, but a request waits for the earlier ones
 * about any of its subjects, so that each person's operations arrive in the order they were read. A 207
 * rejects the entries it names; a whole-request 400 (or 413) is split in halves until the entries Customer.io
 * refuses are found. Any other failure stops sending: it is `failure`, and what was not sent stays unsettled.
 */
export class Sender {
  readonly #options: SenderOptions;
  readonly #running = new Set<Promise<void>>();
  /** Each subject's latest request. */
  readonly #lastBySubject = new Map<string, Promise<void>>();
  #failure: ConnectorError | undefined;
  /** Requests sent, splits included (retries are the client's). */
  requests = 0;

  constructor(options: SenderOptions) {
    this.#options = options;
  }

  get failure(): ConnectorError | undefined {
    return this.#failure;
  }

  /** Queues a request of `items` (in order; a list body holds their entries) and resolves once there is room for another. */
  async send(outgoing: Outgoing, items: Item[]): Promise<void> {
    const earlier = new Set<Promise<void>>();
    for (const { subjects } of items)
      for (const subject of subjects) {
        const last = this.#lastBySubject.get(subject);
        if (last !== undefined) earlier.add(last);
      }
    const done = this.#run(outgoing, items, [...earlier]);
    for (const { subjects } of items) for (const subject of subjects) this.#lastBySubject.set(subject, done);
    this.#running.add(done);
    void done.then(() => {
      this.#running.delete(done);
      for (const { subjects } of items)
        for (const subject of subjects)
          if (this.#lastBySubject.get(subject) === done) this.#lastBySubject.delete(subject);
    });
    while (this.#running.size >= this.#options.maxInFlight) await Promise.race(this.#running);
  }

  /** Resolves once every queued request is answered (or given up after a failure). */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  /** Never rejects: a failure is kept in `failure`. */
  async #run(outgoing: Outgoing, items: Item[], earlier: Promise<void>[]): Promise<void> {
    await Promise.all(earlier);
    if (this.#failure !== undefined) return;
    try {
      if (outgoing.kind === 'list') await this.#post(outgoing, items, 0, items.length);
      else await this.#single(outgoing, items);
    } catch (error) {
      this.#failure ??= asConnectorError(error);
    }
  }

  async #single(outgoing: Extract<Outgoing, { kind: 'single' }>, items: Item[]): Promise<void> {
    const { client, path, method, body } = outgoing;
    this.requests += 1;
    try {
      await client.send(path, { method, ...(body === undefined ? {} : { body }) });
      for (const item of items) this.#options.settle(item, undefined);
    } catch (error) {
      if (
        !(error instanceof ConnectorError) ||
        error.status === undefined ||
        !REFUSED_ALONE.has(error.status)
      )
        throw error;
      const done = error.status === 404 && method === 'DELETE';
      const words = error.detail === undefined ? '' : `: ${error.detail}`;
      for (const item of items)
        this.#options.settle(
          item,
          done
            ? undefined
            : { field: '(record)', reason: `Customer.io refused it (HTTP ${error.status}${words})` },
        );
    }
  }

  /** Sends entries [from, to) of a list; a whole-request 400 or 413 splits them until the refused ones are found. */
  async #post(
    outgoing: Extract<Outgoing, { kind: 'list' }>,
    items: Item[],
    from: number,
    to: number,
  ): Promise<void> {
    const { client, path, params, body } = outgoing;
    const bytes = from === 0 && to === items.length ? body.bytes : batchPart(body, from, to);
    this.requests += 1;
    try {
      const answer = await client.send(path, {
        method: 'POST',
        body: bytes,
        ...(params === undefined ? {} : { params }),
      });
      const refused = answer.status === 207 ? refusedEntries(answer.body, to - from, path) : new Map();
      for (let index = from; index < to; index++)
        this.#options.settle(items[index] as Item, refused.get(index - from));
    } catch (error) {
      if (!(error instanceof ConnectorError) || (error.status !== 400 && error.status !== 413)) throw error;
      if (to - from === 1) {
        const words = error.detail === undefined ? '' : `: ${error.detail}`;
        this.#options.settle(items[from] as Item, {
          field: '(entry)',
          reason: `Customer.io refused it (HTTP ${error.status}${words})`,
        });
        return;
      }
      // The whole request was refused: halves, one after the other (the order of each person's operations holds).
      const half = from + Math.ceil((to - from) / 2);
      await this.#post(outgoing, items, from, half);
      await this.#post(outgoing, items, half, to);
    }
  }
}

/** A 207's `errors`, by batch index: a list naming entries of this batch, or the answer is not the documented one. */
export function refusedEntries(
  body: Record<string, unknown>,
  size: number,
  path: string,
): Map<number, Rejection> {
  const errors = body.errors;
  const malformed = () =>
    new UnexpectedResponseError(
      `Customer.io answered 207 to POST ${path} without a list of errors naming entries of the batch (${size} entries): report it.`,
      { method: 'POST', path, status: 207 },
    );
  if (!Array.isArray(errors) || errors.length === 0) throw malformed();
  const refused = new Map<number, Rejection>();
  for (const error of errors as unknown[]) {
    const { batch_index: index, reason, field, message } = (error ?? {}) as Record<string, unknown>;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= size)
      throw malformed();
    if (refused.has(index)) continue;
    const words = [reason, message].filter((word): word is string => typeof word === 'string' && word !== '');
    refused.set(index, {
      field: typeof field === 'string' && field !== '' ? field : '(entry)',
      reason: `Customer.io refused it${words.length === 0 ? '' : ` (${words.join(': ')})`}`,
    });
  }
  return refused;
}
