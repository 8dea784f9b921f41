// The workspace's deliveries, stored as columns sorted by `created` (rows ascending, the API serves them
// newest first). Records are built on demand from the columns; tests may append newer deliveries or
// replace one (for example to record a late open), which later reads then serve.

import { type DeliveryParentKind, type DeliverySlot, materializeDelivery } from './delivery-details.js';
import type { MessageDelivery, Person } from './records-audience.js';

export interface DeliveryColumns {
  /** Unix seconds, ascending. */
  created: Uint32Array;
  slot: Uint32Array;
  /** Index into `people`. */
  person: Uint32Array;
  seed: Uint32Array;
  length: number;
}

/** Ascending store rows (hence ascending `created`): every row, or one parent's or person's rows. */
export interface RowList {
  readonly length: number;
  row(position: number): number;
}

const EMPTY_ROWS = new Int32Array(0);

function rowList(rows: Int32Array): RowList {
  return { length: rows.length, row: (position) => rows[position] ?? -1 };
}

function parentKey(kind: DeliveryParentKind, id: number): string {
  return `${kind}:${id}`;
}

export class DeliveryStore {
  #columns: DeliveryColumns;
  readonly #slots: readonly DeliverySlot[];
  readonly #people: readonly Person[];
  readonly #explicit = new Map<number, MessageDelivery>();
  #byParent: Map<string, Int32Array> | undefined;
  #byPerson: Map<string, Int32Array> | undefined;

  constructor(columns: DeliveryColumns, slots: readonly DeliverySlot[], people: readonly Person[]) {
    this.#columns = columns;
    this.#slots = slots;
    this.#people = [...people];
  }

  static empty(): DeliveryStore {
    const none = new Uint32Array(0);
    return new DeliveryStore({ created: none, slot: none, person: none, seed: none, length: 0 }, [], []);
  }

  get length(): number {
    return this.#columns.length;
  }

  /** Every row, ascending. */
  get rows(): RowList {
    return { length: this.#columns.length, row: (position) => position };
  }

  createdOf(row: number): number {
    return this.#columns.created[row] ?? 0;
  }

  /** The delivery stored at an ascending row. */
  record(row: number): MessageDelivery {
    const explicit = this.#explicit.get(row);
    if (explicit !== undefined) return explicit;
    const slot = this.#slots[this.#columns.slot[row] ?? 0];
    if (slot === undefined || row < 0 || row >= this.#columns.length)
      throw new RangeError(`no delivery row ${row}`);
    return materializeDelivery({
      row,
      created: this.createdOf(row),
      seed: this.#columns.seed[row] ?? 0,
      slot,
      person: this.#people[this.#columns.person[row] ?? 0],
    });
  }

  /** The index-th delivery, newest first (index 0 = the newest). */
  at(index: number): MessageDelivery {
    return this.record(this.#columns.length - 1 - index);
  }

  /** Every delivery, newest first. Fine for test workspaces; avoid on a million rows. */
  all(): MessageDelivery[] {
    return Array.from({ length: this.length }, (_, index) => this.at(index));
  }

  toJSON(): MessageDelivery[] {
    return this.all();
  }

  /** Rows of one parent (ascending). */
  parentRows(kind: DeliveryParentKind, id: number): RowList {
    this.#byParent ??= this.#index((row) => {
      const delivery = this.#explicit.get(row);
      if (delivery !== undefined) return explicitParentKey(delivery);
      const slot = this.#slots[this.#columns.slot[row] ?? 0];
      return slot === undefined ? undefined : parentKey(slot.kind, slot.parentId);
    });
    return rowList(this.#byParent.get(parentKey(kind, id)) ?? EMPTY_ROWS);
  }

  /** Rows addressed to one person, by raw cio_id (ascending). */
  personRows(cioId: string): RowList {
    this.#byPerson ??= this.#index((row) => {
      const delivery = this.#explicit.get(row);
      if (delivery !== undefined) return delivery.customer_identifiers?.cio_id;
      return this.#people[this.#columns.person[row] ?? 0]?.cio_id;
    });
    return rowList(this.#byPerson.get(cioId) ?? EMPTY_ROWS);
  }

  /** Adds a delivery at least as new as every stored one. */
  append(delivery: MessageDelivery): void {
    const { length } = this.#columns;
    if (length > 0 && delivery.created < this.createdOf(length - 1)) {
      throw new Error(
        `appended deliveries must be the newest: ${delivery.created} < ${this.createdOf(length - 1)}`,
      );
    }
    if (length === this.#columns.created.length) this.#grow(Math.max(16, length * 2));
    this.#columns.created[length] = delivery.created;
    this.#columns.length = length + 1;
    this.#explicit.set(length, delivery);
    this.#invalidate();
  }

  /** Replaces the index-th delivery (newest first) by one with the same `created`. */
  replace(index: number, delivery: MessageDelivery): void {
    const row = this.#columns.length - 1 - index;
    if (row < 0 || row >= this.#columns.length) throw new RangeError(`no delivery at ${index}`);
    if (delivery.created !== this.createdOf(row)) throw new Error('a replacement must keep `created`');
    this.#explicit.set(row, delivery);
    this.#invalidate();
  }

  #grow(capacity: number): void {
    const grow = (column: Uint32Array) => {
      const bigger = new Uint32Array(capacity);
      bigger.set(column.subarray(0, this.#columns.length));
      return bigger;
    };
    const { created, slot, person, seed, length } = this.#columns;
    this.#columns = {
      created: grow(created),
      slot: grow(slot),
      person: grow(person),
      seed: grow(seed),
      length,
    };
  }

  #invalidate(): void {
    this.#byParent = undefined;
    this.#byPerson = undefined;
  }

  #index(keyOf: (row: number) => string | undefined): Map<string, Int32Array> {
    const groups = new Map<string, number[]>();
    for (let row = 0; row < this.#columns.length; row++) {
      const key = keyOf(row);
      if (key === undefined) continue;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [row]);
      else group.push(row);
    }
    return new Map([...groups].map(([key, rows]) => [key, Int32Array.from(rows)]));
  }
}

function explicitParentKey(delivery: MessageDelivery): string | undefined {
  if (delivery.campaign_id !== null) return parentKey('campaign', delivery.campaign_id);
  if (delivery.broadcast_id !== null) return parentKey('broadcast', delivery.broadcast_id);
  if (delivery.newsletter_id !== null) return parentKey('newsletter', delivery.newsletter_id);
  if (delivery.transactional_message_id !== null) {
    return parentKey('transactional', delivery.transactional_message_id);
  }
  return undefined;
}

/** First position whose row's `created` is >= ts (binary search). */
export function firstAtOrAfter(store: DeliveryStore, list: RowList, ts: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (store.createdOf(list.row(middle)) < ts) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Number of positions whose row is <= row (rows ascend along the list). */
function positionsUpToRow(list: RowList, row: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list.row(middle) <= row) low = middle + 1;
    else high = middle;
  }
  return low;
}

export interface DeliveryFilter {
  type?: string;
  /** Keeps deliveries that recorded this metric (`attempted`: any that were sent or failed). */
  metric?: string;
  campaignId?: number;
  actionId?: number;
  newsletterId?: number;
}

export function matchesDeliveryFilter(delivery: MessageDelivery, filter: DeliveryFilter): boolean {
  if (filter.type !== undefined && delivery.type !== filter.type) return false;
  if (filter.campaignId !== undefined && delivery.campaign_id !== filter.campaignId) return false;
  if (filter.newsletterId !== undefined && delivery.newsletter_id !== filter.newsletterId) return false;
  if (filter.actionId !== undefined && delivery.action_id !== filter.actionId) return false;
  if (filter.metric === undefined) return true;
  if (filter.metric === 'attempted') {
    return ['sent', 'failed', 'bounced', 'dropped', 'undeliverable'].some((name) => name in delivery.metrics);
  }
  return filter.metric in delivery.metrics;
}

export interface DeliveryPage {
  items: MessageDelivery[];
  /** The row to resume from (the next page's token), or undefined when the scan reached the window's end. */
  nextRow: number | undefined;
}

/**
 * One page of a list, newest first, of the deliveries with start <= created <= end that match the
 * filter, resuming at `resumeRow` (a row of the store; undefined = from the newest). A full page that
 * stops before the window's oldest row carries a next row even when no further delivery matches,
 * so a filtered read can end with an empty page, as the live API does.
 */
export function deliveryPage(
  store: DeliveryStore,
  list: RowList,
  window: { start: number; end: number },
  filter: DeliveryFilter,
  resumeRow: number | undefined,
  limit: number,
): DeliveryPage {
  const oldest = firstAtOrAfter(store, list, window.start);
  let position = firstAtOrAfter(store, list, window.end + 1) - 1;
  if (resumeRow !== undefined) position = Math.min(position, positionsUpToRow(list, resumeRow) - 1);
  const items: MessageDelivery[] = [];
  for (; position >= oldest && items.length < limit; position--) {
    const delivery = store.record(list.row(position));
    if (matchesDeliveryFilter(delivery, filter)) items.push(delivery);
  }
  return { items, nextRow: position >= oldest ? list.row(position) : undefined };
}

/** Every delivery with start <= created <= end matching the filter, newest first (the full read of a window). */
export function deliveriesIn(
  store: DeliveryStore,
  list: RowList,
  window: { start: number; end: number },
  filter: DeliveryFilter = {},
): MessageDelivery[] {
  return deliveryPage(store, list, window, filter, undefined, Number.MAX_SAFE_INTEGER).items;
}
