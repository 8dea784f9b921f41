import { ConfigError } from '@cio-connectors/kit/errors';
import type { HttpClient } from '@cio-connectors/kit/http-client';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { Ticket } from './acknowledgements.js';
import { collectionRows, findCollection, segmentMembers, writeCollection } from './app-client.js';
import type { MemberGroup } from './entries.js';
import { type StreamPlan, streamKey } from './plans.js';

/** A collection's whole size (App API): 10 MB, read as 10,000,000 bytes. */
const COLLECTION_MAX_BYTES = 10_000_000;
/** Track's add_customers / remove_customers take at most 1000 ids a request. */
export const SEGMENT_IDS_PER_REQUEST = 1000;

/** What a mirror stream has seen in this run. */
interface MirrorStream {
  plan: StreamPlan;
  records: number;
  /** Rows the connector rejected: removing what they would have kept would remove it wrongly. */
  rejected: number;
  /** A state of the stream came before any of its records: the source resumed it, so this run sees a part. */
  resumed: boolean;
  /** The source said the stream is COMPLETE (its stream status): it brought every row. */
  complete: boolean;
  finished: boolean;
  /** Segment mirrors: the segments its rows named. */
  segments: Set<string>;
  /** Collection mirrors: the rows (JSON), their bytes, and their records' tickets (settled once written). */
  rows: string[];
  rowBytes: number;
  tickets: Ticket[];
}

/** A segment's people added in this run by any stream, by id type (`id`, `email` lowercased, `cio_id`). */
type Synced = Map<MemberGroup['idType'], Set<string>>;

export interface MirrorContext {
  track: HttpClient;
  app: HttpClient | undefined;
  allowEmpty: boolean;
  settle(ticket: Ticket): void;
  warn(message: string): Promise<void>;
  info(message: string): Promise<void>;
}

const REMOVE_PATH = (segmentId: string) => `/api/v1/segments/${segmentId}/remove_customers`;

/**
 * The streams that replace what Customer.io holds (segment_membership in overwrite mode, collection). Nothing
 * is removed until the whole input was read and every write before it acknowledged; until then their states
 * are held back, so an attempt that fails midway leaves no state to resume from, and the next attempt sees the
 * whole stream again. A stream whose state arrives before its records was resumed by its source (this run
 * sees only part of it): it adds, but removes nothing.
 */
export class Mirrors {
  readonly #streams = new Map<string, MirrorStream>();
  /** Every segment's people added in this run, by any stream: a mirror keeps them all. */
  readonly #synced = new Map<string, Synced>();
  /** Requests the mirrors' ends sent (membership pages, removals, collection writes). */
  requests = 0;

  constructor(plans: Iterable<[string, StreamPlan]>) {
    for (const [key, plan] of plans) {
      const { action } = plan.operation;
      if (action === 'segment_mirror' || action === 'collection_replace')
        this.#streams.set(key, {
          plan,
          records: 0,
          rejected: 0,
          resumed: false,
          complete: false,
          finished: false,
          segments: new Set(plan.segmentId === undefined ? [] : [plan.segmentId]),
          rows: [],
          rowBytes: 0,
          tickets: [],
        });
    }
  }

  get active(): boolean {
    return this.#streams.size > 0;
  }

  /** A state from the input: a mirror stream not yet seen is one its source resumed. */
  noteState(message: JsonObject): void {
    const stream = message.type === 'STREAM' ? (message.stream as JsonObject | undefined) : undefined;
    const descriptor = stream?.stream_descriptor as { name?: unknown; namespace?: unknown } | undefined;
    if (typeof descriptor?.name !== 'string') {
      for (const mirror of this.#streams.values()) if (mirror.records === 0) mirror.resumed = true;
      return;
    }
    const mirror = this.#streams.get(streamKey(descriptor.name, descriptor.namespace));
    const state = stream?.stream_state;
    const empty =
      state === undefined || state === null || (typeof state === 'object' && Object.keys(state).length === 0);
    if (mirror !== undefined && mirror.records === 0 && !empty) mirror.resumed = true;
  }

  /** Whether a state must wait: its stream's mirror (or, for a state of the whole input, any mirror) is not done. */
  holds(message: JsonObject): boolean {
    const stream = message.type === 'STREAM' ? (message.stream as JsonObject | undefined) : undefined;
    const descriptor = stream?.stream_descriptor as { name?: unknown; namespace?: unknown } | undefined;
    if (typeof descriptor?.name !== 'string')
      return [...this.#streams.values()].some((mirror) => !mirror.finished);
    const mirror = this.#streams.get(streamKey(descriptor.name, descriptor.namespace));
    return mirror !== undefined && !mirror.finished;
  }

  /** A record of a stream (written or rejected): a mirror stream with records is not empty. */
  noteRecord(stream: string): void {
    const mirror = this.#streams.get(stream);
    if (mirror !== undefined) mirror.records += 1;
  }

  /** A row of a stream the connector rejected. */
  noteRejected(stream: string): void {
    const mirror = this.#streams.get(stream);
    if (mirror !== undefined) mirror.rejected += 1;
  }

  /** The source's status of a stream: COMPLETE marks a mirror stream whole. */
  noteStatus(stream: string, status: string): void {
    const mirror = this.#streams.get(stream);
    if (mirror !== undefined && status === 'COMPLETE') mirror.complete = true;
  }

  /** A person added to a segment by any stream: a mirror of that segment keeps them. */
  noteMember(stream: string, group: MemberGroup, value: string): void {
    if (group.change !== 'add') return;
    this.#streams.get(stream)?.segments.add(group.segmentId);
    let byType = this.#synced.get(group.segmentId);
    if (byType === undefined) {
      byType = new Map();
      this.#synced.set(group.segmentId, byType);
    }
    let values = byType.get(group.idType);
    if (values === undefined) {
      values = new Set();
      byType.set(group.idType, values);
    }
    values.add(group.idType === 'email' ? value.toLowerCase() : value);
  }

  /** A collection row, kept until the collection is written; a reason when it would pass the collection's size. */
  addRow(stream: string, text: string, bytes: number, ticket: Ticket): string | undefined {
    const mirror = this.#streams.get(stream);
    if (mirror === undefined) throw new Error(`${stream} is not a collection stream`);
    if (mirror.rowBytes + bytes + 1 > COLLECTION_MAX_BYTES)
      return `the collection would pass ${COLLECTION_MAX_BYTES} bytes (Customer.io's 10 MB) with this row`;
    mirror.rows.push(text);
    mirror.rowBytes += bytes + 1;
    mirror.tickets.push(ticket);
    return undefined;
  }

  /** Why a mirror stream may not remove anything, or undefined when it may. */
  #partial(key: string, mirror: MirrorStream): string | undefined {
    if (mirror.resumed)
      return `the stream "${key}" was resumed from a state, so this run saw only part of it`;
    if (!mirror.complete)
      return `the source did not say the stream "${key}" is COMPLETE (no STREAM_STATUS COMPLETE trace in the input), so it may have stopped partway`;
    if (mirror.rejected > 0)
      return `${mirror.rejected} row(s) of the stream "${key}" were rejected (see the warnings), and what they name would be removed`;
    return undefined;
  }

  /** Once the input is read and every write acknowledged: removes what the mirrors no longer hold. */
  async finish(context: MirrorContext): Promise<void> {
    for (const [key, mirror] of this.#streams) {
      if (mirror.records === 0 && !mirror.resumed && !context.allowEmpty)
        throw new ConfigError(
          `The mirror stream "${key}" brought no rows: nothing was removed from Customer.io. If the stream is meant to be empty, set "allow_empty_mirror" to true.`,
        );
      if (mirror.plan.operation.action === 'collection_replace')
        await this.#writeCollection(key, mirror, context);
    }
    await this.#mirrorSegments(context);
    for (const mirror of this.#streams.values()) mirror.finished = true;
  }

  async #writeCollection(key: string, mirror: MirrorStream, context: MirrorContext): Promise<void> {
    const app = context.app as HttpClient;
    const name = mirror.plan.collectionName;
    const partial = this.#partial(key, mirror);
    if (partial !== undefined && !mirror.resumed)
      throw new ConfigError(
        `The collection "${name}" was not replaced: ${partial}. Its rows are written once the stream comes whole and every row is accepted.`,
      );
    const id = await findCollection(app, name);
    this.requests += 1;
    let rows = mirror.rows;
    if (mirror.resumed && id !== undefined) {
      rows = [...(await collectionRows(app, id)), ...rows];
      this.requests += 1;
      await context.warn(
        `The collection stream "${mirror.plan.stream}" was resumed from a state: its ${mirror.rows.length} rows were added to the collection "${name}", and no row was removed.`,
      );
    }
    await writeCollection(app, id, name, rows);
    this.requests += 1;
    for (const ticket of mirror.tickets) context.settle(ticket);
    mirror.tickets = [];
    await context.info(
      `Collection "${name}" ${id === undefined ? 'created' : 'replaced'}: ${rows.length} rows.`,
    );
  }

  async #mirrorSegments(context: MirrorContext): Promise<void> {
    // Each segment any mirror stream names: removed from only when every mirror stream naming it is whole.
    const blocked = new Map<string, string>();
    const mirrored = new Map<string, string>();
    for (const [key, mirror] of this.#streams) {
      if (mirror.plan.operation.action !== 'segment_mirror') continue;
      const partial = this.#partial(key, mirror);
      for (const segmentId of mirror.segments) {
        mirrored.set(segmentId, key);
        if (partial !== undefined && !blocked.has(segmentId)) blocked.set(segmentId, partial);
      }
    }
    for (const [segmentId, key] of mirrored) {
      const partial = blocked.get(segmentId);
      if (partial !== undefined) {
        await context.warn(
          `Segment ${segmentId} was not mirrored: ${partial}. Its people were added and nobody was removed; the next whole sync removes who left.`,
        );
        continue;
      }
      const synced = this.#synced.get(segmentId) ?? new Map();
      const leaving: string[] = [];
      for await (const page of segmentMembers(context.app as HttpClient, segmentId)) {
        this.requests += 1;
        for (const member of page) {
          const stays =
            synced.get('cio_id')?.has(member.cio_id) === true ||
            (member.id !== undefined && synced.get('id')?.has(member.id) === true) ||
            (member.email !== undefined && synced.get('email')?.has(member.email.toLowerCase()) === true);
          if (!stays) leaving.push(member.cio_id);
        }
      }
      for (let start = 0; start < leaving.length; start += SEGMENT_IDS_PER_REQUEST) {
        this.requests += 1;
        await context.track.send(REMOVE_PATH(segmentId), {
          method: 'POST',
          params: { id_type: 'cio_id' },
          body: { ids: leaving.slice(start, start + SEGMENT_IDS_PER_REQUEST) },
        });
      }
      await context.info(
        `Segment ${segmentId} mirrored from "${key}": ${leaving.length} people no longer in the stream removed.`,
      );
    }
  }
}
