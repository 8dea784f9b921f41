import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import type { ApiClient } from '../api-client.js';
import { MissingEnvelopeError, TransientApiError, UnexpectedResponseError } from '../errors.js';
import type { StreamContext } from './base.js';

/**
 * The file of a people export: downloaded from its pre-signed storage link, resumed from a new link when cut
 * short, gunzipped where compressed, and read as CSV rows.
 */

/** One line of an export file: column name → cell, every value a string. */
export type ExportRow = Record<string, string>;

/** How a download waits and gives up (part of the run's export timing). */
export interface DownloadTiming {
  /** Interrupted downloads in a row that bring no new person before the read fails. */
  maxFruitlessDownloads: number;
  /** A download that receives nothing for this long is dropped and resumed from a new link. */
  stallMs: number;
}

/** A fresh pre-signed link to the export's file (each is valid for about 15 minutes). */
async function downloadLink(client: ApiClient, id: string): Promise<string> {
  const path = `/v1/exports/${encodeURIComponent(id)}/download`;
  const { url } = await client.request(path);
  if (typeof url !== 'string' || url === '')
    throw new MissingEnvelopeError(`Customer.io answered GET ${path} without a download "url".`);
  return url;
}

/**
 * The export's rows, each once. A download cut short (an expired link, a dropped connection, a stall) asks for
 * a new link and downloads the file again, skipping the rows already read: an export's file never changes, and
 * rows, unlike byte offsets, can be counted through the compression.
 */
export async function* readExportRows(
  context: StreamContext,
  id: string,
  timing: DownloadTiming,
  stream: string,
): AsyncGenerator<ExportRow> {
  let read = 0;
  let fruitless = 0;
  for (;;) {
    const link = await downloadLink(context.client, id);
    const before = read;
    try {
      for await (const row of parseCsvRows(downloadedBytes(context.client, link, timing.stallMs), read)) {
        read += 1;
        yield row;
      }
      return;
    } catch (error) {
      if (!(error instanceof DownloadInterrupted)) throw asFileError(error, id);
      fruitless = read > before ? 1 : fruitless + 1;
      if (fruitless >= timing.maxFruitlessDownloads) {
        throw new TransientApiError(
          `The download of Customer.io export ${id} kept failing (${error.message}) after ${read} people.`,
        );
      }
      await context.log(
        'WARN',
        `${stream}: the download of export ${id} stopped after ${read} people (${error.message}); resuming there from a new link.`,
      );
    }
  }
}

/** The transfer stopped before the end of the file: a new link and a new download may get it all. */
export class DownloadInterrupted extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DownloadInterrupted';
  }
}

/** What storage answers when a link has expired, and transient failures of its own. */
const RETRYABLE_STORAGE_STATUSES = new Set([403, 408, 429, 500, 502, 503, 504]);

/** A parse error, or storage refusing the link for good: reading the file again would not help. */
function asFileError(error: unknown, id: string): UnexpectedResponseError {
  const detail = error instanceof Error ? error.message : String(error);
  return new UnexpectedResponseError(`Customer.io export ${id} could not be read: ${detail}`);
}

/**
 * The file's bytes, decompressed when they are gzip. Storage is asked through the client's download: the same
 * HTTP stack (proxy, no redirects), but no Authorization header (a pre-signed link carries its own, and
 * storage refuses two) and no place in the App API's budget. Every failure of the transfer comes out as
 * DownloadInterrupted.
 */
export async function* downloadedBytes(
  client: Pick<ApiClient, 'download'>,
  link: string,
  stallMs: number,
): AsyncGenerator<Uint8Array> {
  try {
    yield* gunzipIfCompressed(storageBytes(client, link, stallMs));
  } catch (error) {
    if (error instanceof DownloadInterrupted || error instanceof StorageRefused) throw error;
    throw new DownloadInterrupted(describeTransferFailure(error), { cause: error });
  }
}

class StorageRefused extends Error {}

const WEB_PAGE_INSTEAD =
  "storage answered a web page (HTML) instead of the file: a proxy or captive portal (a network sign-in page) answered instead of Customer.io. Check this machine's network path (HTTPS_PROXY, a network that needs a sign-in)";

/** The body as it arrives; waiting more than `stallMs` for headers or the next bytes drops the download. */
async function* storageBytes(
  client: Pick<ApiClient, 'download'>,
  link: string,
  stallMs: number,
): AsyncGenerator<Uint8Array> {
  const stall = new AbortController();
  const within = async <T>(pending: Promise<T>): Promise<T> => {
    const timer = setTimeout(() => stall.abort(), stallMs);
    try {
      return await pending;
    } catch (error) {
      if (stall.signal.aborted) throw new DownloadInterrupted(`no data for ${Math.round(stallMs / 1000)} s`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  const response = await within(client.download(link, stall.signal));
  if (response.status !== 200 || response.contentType.toLowerCase().includes('text/html')) {
    response.body.destroy();
    if (response.status === 200) throw new StorageRefused(WEB_PAGE_INSTEAD);
    const what = `storage answered HTTP ${response.status}`;
    if (RETRYABLE_STORAGE_STATUSES.has(response.status)) throw new DownloadInterrupted(what);
    throw new StorageRefused(what);
  }
  // Only the waits for the network count: time spent by the reader downstream (a slow destination) does not.
  const chunks: AsyncIterator<Uint8Array> = response.body[Symbol.asyncIterator]();
  try {
    for (let next = await within(chunks.next()); next.done !== true; next = await within(chunks.next()))
      yield next.value;
  } finally {
    // Drops the body when the reader stops early; an already failed body has nothing to drop.
    response.body.destroy();
  }
}

function describeTransferFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/** gzip files start with these two bytes, whatever the file is called or served as. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** The bytes as they are, or gunzipped when the first two say gzip. */
export async function* gunzipIfCompressed(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const source = chunks[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headLength = 0;
  while (headLength < 2) {
    const next = await source.next();
    if (next.done === true) break;
    head.push(next.value);
    headLength += next.value.length;
  }
  const all = (async function* () {
    try {
      yield* head;
      for (let next = await source.next(); next.done !== true; next = await source.next()) yield next.value;
    } finally {
      await source.return?.();
    }
  })();
  if (!isGzip(Buffer.concat(head))) {
    yield* all;
    return;
  }
  const gunzip = createGunzip();
  // A failure of either side destroys `gunzip` with it, so the loop below sees it.
  pipeline(Readable.from(all), gunzip).catch(() => undefined);
  yield* gunzip;
}

/** A CSV file with a header row as one object per line, keyed by the header; the first `skip` lines left out. */
export async function* parseCsvRows(bytes: AsyncIterable<Uint8Array>, skip = 0): AsyncGenerator<ExportRow> {
  const parser = parse({ columns: true, bom: true, skip_empty_lines: true, from: skip + 1 });
  pipeline(Readable.from(bytes), parser).catch(() => undefined);
  yield* parser as AsyncIterable<ExportRow>;
}
