import { performance } from 'node:perf_hooks';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { LogLevel } from '@cio-connectors/kit/protocol';
import type { ApiClient } from '../api-client.js';
import {
  ExportFailedError,
  MissingEnvelopeError,
  TransientApiError,
  UnexpectedResponseError,
} from '../errors.js';
import type { ExportTuning } from '../tuning.js';
import type { StreamContext } from './base.js';
import { type DownloadTiming, type ExportRow, readExportRows } from './export-file.js';

/**
 * `customers` through Customer.io's Exports API: one export of the people filter, polled until done, then
 * its CSV file streamed from the pre-signed storage link. A few requests whatever the audience's size.
 */

export interface ExportTiming extends DownloadTiming {
  /** The first wait between status polls; each next wait is half as long again, up to `maxPollIntervalMs`. */
  pollIntervalMs: number;
  maxPollIntervalMs: number;
  /** An export still not done after this long is given up on (transient: the next attempt starts a new one). */
  maxWaitMs: number;
  /**
   * A pending export's poll is logged once this long has passed since the last progress line: with polls at
   * most `maxPollIntervalMs` apart, two lines are never more than a minute apart.
   */
  progressLogMs: number;
}

export const DEFAULT_EXPORT_TIMING: Readonly<ExportTiming> = {
  pollIntervalMs: 2000,
  maxPollIntervalMs: 30_000,
  maxWaitMs: 60 * 60_000,
  maxFruitlessDownloads: 5,
  stallMs: 60_000,
  progressLogMs: 30_000,
};

/** The export timing of a run: the defaults, with what the run's tuning shortens (tests, benchmarks). */
export function exportTiming(tuning: ExportTuning): ExportTiming {
  return {
    ...DEFAULT_EXPORT_TIMING,
    ...(tuning.exportPollMs === undefined ? {} : { pollIntervalMs: tuning.exportPollMs }),
    ...(tuning.exportMaxWaitMs === undefined ? {} : { maxWaitMs: tuning.exportMaxWaitMs }),
    ...(tuning.exportProgressMs === undefined ? {} : { progressLogMs: tuning.exportProgressMs }),
  };
}

/**
 * Up to this share of the people an export counted may be missing from its file (people deleted while it
 * ran): a warning. A larger shortfall is an error, never a COMPLETE stream with people missing.
 */
const TOLERATED_SHORTFALL = 0.01;

const CREATE_PATH = '/v1/exports/customers';
/** Always in the file, whatever attributes are asked for. */
const IDENTIFIER_COLUMNS = ['cio_id', 'id', 'email'];
/** Asked for with any attribute selection, to fill the record's top-level `unsubscribed`. */
const UNSUBSCRIBED = 'unsubscribed';

/** What one export reads, where it is not `customers` with its `customer_attributes`. */
export interface ExportRead {
  /** The stream that reads (the prefix of its messages); `customers` by default. */
  stream?: string;
  /** The attributes to export (none: every attribute); `customer_attributes` by default. */
  attributes?: readonly string[];
}

/** Everyone matching `customers_filter` as `customers` records, from one export. */
export async function* readCustomersByExport(
  context: StreamContext,
  read: ExportRead = {},
): AsyncGenerator<JsonObject> {
  const timing = exportTiming(context.tuning ?? {});
  const stream = read.stream ?? 'customers';
  const { customersFilter } = context.config;
  const customerAttributes = read.attributes ?? context.config.customerAttributes;
  const id = await startExport(context.client, customersFilter, exportedAttributes(customerAttributes));
  await context.log('INFO', `${stream}: Customer.io export ${id} started; waiting until it is done.`);
  const done = await waitUntilDone(context.client, id, timing, context.log, stream);
  if (typeof done.total === 'number') context.progress.report({ rows: done.total });
  let people = 0;
  for await (const row of readExportRows(context, id, timing, stream)) {
    people += 1;
    if (!row.cio_id)
      throw new UnexpectedResponseError(
        `Customer.io export ${id} has no cio_id on row ${people}: the file is not a people export.`,
      );
    yield customerFromExportRow(row, customerAttributes);
  }
  const shortfall = rowShortfall(id, people, done.total);
  if (shortfall !== undefined) await context.log('WARN', `${stream}: ${shortfall}`);
  await context.log('INFO', `${stream}: read ${people} people from Customer.io export ${id}.`);
}

/**
 * Rows read against the people the export counted (`total`): a few missing (TOLERATED_SHORTFALL) is the
 * warning returned; more is an error. An export without a count is taken as it is.
 */
export function rowShortfall(id: string, read: number, total: unknown): string | undefined {
  if (typeof total !== 'number' || read >= total) return undefined;
  const counts = `Customer.io export ${id} counted ${total} people, but its file had ${read}`;
  if (total - read > Math.floor(total * TOLERATED_SHORTFALL)) {
    throw new TransientApiError(
      `${counts}: stopping rather than ending the stream COMPLETE with people missing. The next attempt starts a new export; if this keeps happening, use "customers_method": "search".`,
    );
  }
  return `${counts} (${total - read} fewer: within the ${TOLERATED_SHORTFALL * 100}% taken for people deleted while the export ran).`;
}

/** The attributes to ask for: none named means every attribute (the field is left out). */
export function exportedAttributes(selected: readonly string[]): string[] | undefined {
  if (selected.length === 0) return undefined;
  const names = [...selected, UNSUBSCRIBED].filter((name) => !IDENTIFIER_COLUMNS.includes(name));
  return [...new Set(names)];
}

/**
 * A row as the record search mode emits: identifiers at the top level and in `identifiers`, the selected
 * attributes as strings (empty cells are attributes the person does not have), and null for what only search
 * provides (timestamps, devices).
 */
export function customerFromExportRow(row: ExportRow, selected: readonly string[]): JsonObject {
  const cell = (name: string): string | null => {
    const value = row[name];
    return value === undefined || value === '' ? null : value;
  };
  const identifiers = { cio_id: cell('cio_id'), email: cell('email'), id: cell('id') };
  const attributes = Object.fromEntries(
    Object.entries(row).filter(
      ([name, value]) => value !== '' && (selected.length === 0 || selected.includes(name)),
    ),
  );
  return {
    cio_id: identifiers.cio_id,
    id: identifiers.id,
    email: identifiers.email,
    identifiers,
    attributes,
    timestamps: null,
    unsubscribed: booleanCell(cell(UNSUBSCRIBED)),
    devices: null,
  };
}

function booleanCell(value: string | null): boolean | null {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return null;
}

function exportOf(body: JsonObject, where: string): JsonObject {
  const item = body.export;
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    throw new MissingEnvelopeError(`Customer.io answered ${where} without the "export" object.`);
  return item as JsonObject;
}

export async function startExport(
  client: ApiClient,
  filter: JsonObject,
  attributes: string[] | undefined,
): Promise<string> {
  const body = await client.request(CREATE_PATH, {
    method: 'POST',
    body: { filters: filter, ...(attributes === undefined ? {} : { attributes }) },
  });
  const id = exportOf(body, `POST ${CREATE_PATH}`).id;
  if (typeof id !== 'number' && typeof id !== 'string')
    throw new MissingEnvelopeError(`Customer.io answered POST ${CREATE_PATH} with an export without an id.`);
  return String(id);
}

export type ExportProgress = 'done' | 'failed' | 'pending';

/** Whether an export object says it is done, failed or still being prepared. */
export function exportProgress(item: JsonObject): ExportProgress {
  if (item.status === 'failed' || item.failed === true) return 'failed';
  return item.status === 'done' ? 'done' : 'pending';
}

/** The waits between polls: growing by half each time, up to the cap. */
export function pollDelays(timing: Pick<ExportTiming, 'pollIntervalMs' | 'maxPollIntervalMs'>) {
  let delay = timing.pollIntervalMs;
  return (): number => {
    const current = delay;
    delay = Math.min(Math.max(timing.maxPollIntervalMs, timing.pollIntervalMs), delay * 1.5);
    return current;
  };
}

/** Polls until the export is done (answering its export object), logging its progress while it is pending. */
export async function waitUntilDone(
  client: ApiClient,
  id: string,
  timing: ExportTiming,
  log: (level: LogLevel, message: string) => Promise<void> = async () => undefined,
  stream = 'customers',
): Promise<JsonObject> {
  const path = `/v1/exports/${encodeURIComponent(id)}`;
  const started = performance.now();
  const nextDelay = pollDelays(timing);
  const progressLog = new ProgressLog(timing.progressLogMs, started);
  for (let poll = 1; ; poll++) {
    await client.wait(nextDelay());
    const item = exportOf(await client.request(path), `GET ${path}`);
    const progress = exportProgress(item);
    if (progress === 'done') return item;
    if (progress === 'failed') throw new ExportFailedError(id, { internal: `GET ${path}: status failed` });
    const now = performance.now();
    if (progressLog.due(now)) {
      const status = typeof item.status === 'string' ? item.status : 'pending';
      await log(
        'INFO',
        `${stream}: Customer.io export ${id} is still ${status} after ${Math.round((now - started) / 1000)} s (poll ${poll}); waiting at most ${Math.round(timing.maxWaitMs / 60_000)} minutes.`,
      );
    }
    if (now - started > timing.maxWaitMs) {
      throw new TransientApiError(
        `Customer.io export ${id} was still not done after ${Math.round(timing.maxWaitMs / 60_000)} minutes; the next attempt starts a new export.`,
      );
    }
  }
}

/** Says when a progress line is due: once `intervalMs` has passed since the last one (or the start). */
export class ProgressLog {
  readonly #intervalMs: number;
  #lastAt: number;

  constructor(intervalMs: number, startedAt: number) {
    this.#intervalMs = intervalMs;
    this.#lastAt = startedAt;
  }

  due(now: number): boolean {
    if (now - this.#lastAt < this.#intervalMs) return false;
    this.#lastAt = now;
    return true;
  }
}
