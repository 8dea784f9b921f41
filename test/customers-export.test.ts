import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Download } from '@cio-connectors/kit/http-client';
import type { JsonObject } from '@cio-connectors/kit/json';
import { describe, expect, test } from 'vitest';
import { type ApiClient, ScopedRequests } from '../src/api-client.js';
import { parseConfig } from '../src/config.js';
import { ExportFailedError, RequestCancelledError, TransientApiError } from '../src/errors.js';
import { CustomerIoClient } from '../src/http-client.js';
import {
  customerFromExportRow,
  DEFAULT_EXPORT_TIMING,
  exportedAttributes,
  exportProgress,
  exportTiming,
  ProgressLog,
  pollDelays,
  rowShortfall,
  startExport,
  waitUntilDone,
} from '../src/streams/customers-export.js';
import {
  DownloadInterrupted,
  downloadedBytes,
  gunzipIfCompressed,
  isGzip,
  parseCsvRows,
} from '../src/streams/export-file.js';
import { tuningFromEnv } from '../src/tuning.js';

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function text(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  return Buffer.concat(await collect(chunks)).toString('utf8');
}

const CSV = 'cio_id,id,email,plan\na1,7,ann@example.com,pro\nb2,,bo@example.com,"free, for now"\n';

describe('gzip detection', () => {
  test('by the two magic bytes, not by a name', () => {
    expect(isGzip(gzipSync('x'))).toBe(true);
    expect(isGzip(Buffer.from('cio_id,id'))).toBe(false);
    expect(isGzip(Buffer.from([0x1f]))).toBe(false);
    expect(isGzip(Buffer.alloc(0))).toBe(false);
  });

  test('a gzip file is decompressed, even when its magic bytes arrive one chunk at a time', async () => {
    expect(await text(gunzipIfCompressed(chunksOf(gzipSync(CSV), 1)))).toBe(CSV);
    expect(await text(gunzipIfCompressed(chunksOf(gzipSync(CSV), 4096)))).toBe(CSV);
  });

  test('a plain file passes through as it is, an empty one stays empty', async () => {
    expect(await text(gunzipIfCompressed(chunksOf(Buffer.from(CSV), 3)))).toBe(CSV);
    expect(await text(gunzipIfCompressed(chunksOf(Buffer.alloc(0), 1)))).toBe('');
  });

  test('a gzip file cut short is an error, not a shorter file', async () => {
    const cut = gzipSync(CSV.repeat(50)).subarray(0, 40);
    await expect(text(gunzipIfCompressed(chunksOf(cut, 16)))).rejects.toThrow();
  });
});

describe('CSV rows', () => {
  test('one object per line keyed by the header, quoted commas and line breaks kept', async () => {
    const file = `${CSV}c3,9,,"two\nlines"\n`;
    expect(await collect(parseCsvRows(chunksOf(Buffer.from(file), 5)))).toEqual([
      { cio_id: 'a1', id: '7', email: 'ann@example.com', plan: 'pro' },
      { cio_id: 'b2', id: '', email: 'bo@example.com', plan: 'free, for now' },
      { cio_id: 'c3', id: '9', email: '', plan: 'two\nlines' },
    ]);
  });

  test('skipping the rows already read, when a download starts again', async () => {
    const rows = await collect(parseCsvRows(chunksOf(Buffer.from(CSV), 7), 1));
    expect(rows.map((row) => row.cio_id)).toEqual(['b2']);
  });

  test('a header alone is no people', async () => {
    expect(await collect(parseCsvRows(chunksOf(Buffer.from('cio_id,id,email\n'), 4)))).toEqual([]);
  });
});

describe('rows as customers records', () => {
  const row = {
    cio_id: 'a1',
    id: '',
    email: 'ann@example.com',
    plan: 'pro',
    phone: '',
    unsubscribed: 'true',
  };

  test('identifiers at the top level and in identifiers, empty cells null', () => {
    const record = customerFromExportRow(row, []);
    expect(record).toMatchObject({
      cio_id: 'a1',
      id: null,
      email: 'ann@example.com',
      identifiers: { cio_id: 'a1', id: null, email: 'ann@example.com' },
      timestamps: null,
      devices: null,
      unsubscribed: true,
    });
  });

  test('attributes: every non-empty cell, or only the selected names', () => {
    expect(customerFromExportRow(row, []).attributes).toEqual({
      cio_id: 'a1',
      email: 'ann@example.com',
      plan: 'pro',
      unsubscribed: 'true',
    });
    expect(customerFromExportRow(row, ['plan', 'phone']).attributes).toEqual({ plan: 'pro' });
  });

  test('unsubscribed is null when the file does not say', () => {
    expect(customerFromExportRow({ cio_id: 'a1' }, []).unsubscribed).toBeNull();
    expect(customerFromExportRow({ cio_id: 'a1', unsubscribed: 'false' }, []).unsubscribed).toBe(false);
  });
});

describe('the export request and its progress', () => {
  test('no selection asks for every attribute; a selection adds unsubscribed and leaves out identifiers', () => {
    expect(exportedAttributes([])).toBeUndefined();
    expect(exportedAttributes(['plan', 'email', 'plan'])).toEqual(['plan', 'unsubscribed']);
  });

  test('status done, failed (or the failed flag), anything else pending', () => {
    expect(exportProgress({ status: 'done' })).toBe('done');
    expect(exportProgress({ status: 'failed' })).toBe('failed');
    expect(exportProgress({ status: 'pending', failed: true })).toBe('failed');
    expect(exportProgress({ status: 'pending' })).toBe('pending');
    expect(exportProgress({})).toBe('pending');
  });

  test('polls back off by half each time, up to the cap', () => {
    const next = pollDelays({ pollIntervalMs: 1000, maxPollIntervalMs: 3000 });
    expect([next(), next(), next(), next(), next()]).toEqual([1000, 1500, 2250, 3000, 3000]);
  });

  test('the environment shortens the waits for tests', () => {
    expect(exportTiming(tuningFromEnv({}))).toEqual(DEFAULT_EXPORT_TIMING);
    expect(
      exportTiming(tuningFromEnv({ CIO_EXPORT_POLL_MS: '5', CIO_EXPORT_MAX_WAIT_MS: '100' })),
    ).toMatchObject({
      pollIntervalMs: 5,
      maxWaitMs: 100,
    });
  });
});

/** A client answering each status poll with the next of `statuses`, recording what was asked. */
function scriptedClient(statuses: JsonObject[], asked: string[] = []): ApiClient {
  const answers = [...statuses];
  const request = async (path: string, options: { method?: string; body?: JsonObject } = {}) => {
    asked.push(`${options.method ?? 'GET'} ${path}${options.body ? ` ${JSON.stringify(options.body)}` : ''}`);
    return answers.shift() ?? {};
  };
  const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  return { request, wait } as unknown as ApiClient;
}

const FAST = { ...DEFAULT_EXPORT_TIMING, pollIntervalMs: 1, maxPollIntervalMs: 1 };

describe('starting and waiting for an export', () => {
  test('the filter goes as "filters", the attributes only when some are selected', async () => {
    const asked: string[] = [];
    const client = scriptedClient([{ export: { id: 41 } }, { export: { id: 42 } }], asked);
    expect(await startExport(client, { segment: { id: 7 } }, ['plan'])).toBe('41');
    expect(await startExport(client, { segment: { id: 7 } }, undefined)).toBe('42');
    expect(asked).toEqual([
      'POST /v1/exports/customers {"filters":{"segment":{"id":7}},"attributes":["plan"]}',
      'POST /v1/exports/customers {"filters":{"segment":{"id":7}}}',
    ]);
  });

  test('an answer without the export object is an error, not an export', async () => {
    await expect(startExport(scriptedClient([{}]), {}, undefined)).rejects.toThrow(/without the "export"/);
  });

  test('polls until done', async () => {
    const asked: string[] = [];
    const pending = { export: { id: 5, status: 'pending' } };
    const client = scriptedClient([pending, pending, { export: { id: 5, status: 'done' } }], asked);
    await waitUntilDone(client, '5', FAST);
    expect(asked).toEqual(['GET /v1/exports/5', 'GET /v1/exports/5', 'GET /v1/exports/5']);
  });

  test('failed is an error naming the export', async () => {
    const client = scriptedClient([{ export: { id: 5, status: 'failed', failed: true } }]);
    const failure = waitUntilDone(client, '5', FAST);
    await expect(failure).rejects.toBeInstanceOf(ExportFailedError);
    await expect(
      waitUntilDone(scriptedClient([{ export: { status: 'failed' } }]), '5', FAST),
    ).rejects.toThrow(/export 5 failed/);
  });

  test('an export never done gives up once the wait is over (transient)', async () => {
    const pending = { export: { id: 5, status: 'pending' } };
    const client = scriptedClient([pending, pending, pending]);
    await expect(waitUntilDone(client, '5', { ...FAST, maxWaitMs: 0 })).rejects.toBeInstanceOf(
      TransientApiError,
    );
  });
});

describe('a stream stopped while its export is prepared', () => {
  test('ends its wait between polls at once, with the cancellation its requests get, and polls no more', async () => {
    const stop = new AbortController();
    const asked: string[] = [];
    const transport = {
      send: async (path: string) => {
        asked.push(path);
        return { body: { export: { id: 5, status: 'pending' } }, serverTime: undefined, status: 200 };
      },
      download: async (): Promise<Download> => {
        throw new Error('no downloads here');
      },
    };
    const client = new ScopedRequests(transport, { signal: stop.signal, stream: 'customers' });
    // Ten minutes between polls: only the stop can end this wait within the test's time.
    const slow = { ...DEFAULT_EXPORT_TIMING, pollIntervalMs: 600_000, maxPollIntervalMs: 600_000 };
    const waiting = waitUntilDone(client, '5', slow);
    setImmediate(() => stop.abort());
    await expect(waiting).rejects.toBeInstanceOf(RequestCancelledError);
    expect(asked).toEqual([]);
  });
});

describe('config', () => {
  test('customers_method is search by default, export when asked, nothing else', () => {
    expect(parseConfig({ app_api_key: 'k' }).customersMethod).toBe('search');
    expect(parseConfig({ app_api_key: 'k', customers_method: 'export' }).customersMethod).toBe('export');
    expect(() => parseConfig({ app_api_key: 'k', customers_method: 'bulk' })).toThrow(/customers_method/);
  });
});

/** The client a stream reads through: downloads go through its HTTP stack, without its key. */
const storageClient = new CustomerIoClient({
  baseUrl: 'https://api.customer.io',
  apiKey: 'secret-app-key-1234567890',
  requestsPerSecond: 1000,
});

/** A storage stand-in on 127.0.0.1 answering with `answer`, recording the headers it got. */
async function withStorage(
  answer: (res: ServerResponse) => void,
  run: (url: string, headers: IncomingHttpHeaders[]) => Promise<void>,
): Promise<void> {
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    headers.push(req.headers);
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/file?signature=s`, headers);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('downloading from storage', () => {
  test('a plain request: no Authorization header; a gzip body comes out decompressed', async () => {
    await withStorage(
      (res) => res.end(gzipSync(CSV)),
      async (url, headers) => {
        expect(await text(downloadedBytes(storageClient, url, 5000))).toBe(CSV);
        expect(headers[0]?.authorization).toBeUndefined();
      },
    );
  });

  test('an expired link (403) is an interruption to resume from a new link', async () => {
    await withStorage(
      (res) => res.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>'),
      async (url) => {
        await expect(text(downloadedBytes(storageClient, url, 5000))).rejects.toBeInstanceOf(
          DownloadInterrupted,
        );
      },
    );
  });

  test('a link storage does not know (404) is not retried', async () => {
    await withStorage(
      (res) => res.writeHead(404).end(),
      async (url) => {
        const failure = text(downloadedBytes(storageClient, url, 5000));
        await expect(failure).rejects.toThrow(/HTTP 404/);
        await expect(failure).rejects.not.toBeInstanceOf(DownloadInterrupted);
      },
    );
  });

  test('a body that stops arriving is an interruption, not a wait forever', async () => {
    await withStorage(
      (res) => res.write('cio_id,id,email\na1,7,ann@example.com\n'),
      async (url) => {
        await expect(text(downloadedBytes(storageClient, url, 50))).rejects.toThrow(/no data/);
      },
    );
  });
});

describe('rows read against the export count', () => {
  test('a header alone (0 of 60) is an error naming both numbers', () => {
    expect(() => rowShortfall('7', 0, 60)).toThrow(
      'Customer.io export 7 counted 60 people, but its file had 0: stopping rather than ending the stream COMPLETE with people missing.',
    );
    expect(() => rowShortfall('7', 0, 60)).toThrow(TransientApiError);
  });

  test('up to 1% fewer (people deleted while the export ran) is a warning; more is an error', () => {
    expect(rowShortfall('7', 2574, 2600)).toBe(
      'Customer.io export 7 counted 2600 people, but its file had 2574 (26 fewer: within the 1% taken for people deleted while the export ran).',
    );
    expect(() => rowShortfall('7', 2573, 2600)).toThrow(/counted 2600 people, but its file had 2573/);
    expect(() => rowShortfall('7', 59, 60)).toThrow(/counted 60 people, but its file had 59/);
  });

  test('as many or more rows than counted, or no count, is taken as it is', () => {
    expect(rowShortfall('7', 60, 60)).toBeUndefined();
    expect(rowShortfall('7', 61, 60)).toBeUndefined();
    expect(rowShortfall('7', 0, undefined)).toBeUndefined();
  });
});

describe('progress of a pending export', () => {
  test('with the default timing, a progress line at least every minute over an hour of polls', () => {
    const nextDelay = pollDelays(DEFAULT_EXPORT_TIMING);
    const log = new ProgressLog(DEFAULT_EXPORT_TIMING.progressLogMs, 0);
    const logged = [0];
    for (let now = nextDelay(); now < DEFAULT_EXPORT_TIMING.maxWaitMs; now += nextDelay())
      if (log.due(now)) logged.push(now);
    const gaps = logged.slice(1).map((at, index) => at - (logged[index] ?? 0));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(60_000);
    // And not at every poll: about one line per 30 s.
    expect(logged.length).toBeLessThan(130);
  });

  test('each poll due a line logs the status, the time waited and the poll number', async () => {
    const pending = { export: { id: 5, status: 'pending' } };
    const client = scriptedClient([pending, pending, { export: { id: 5, status: 'done', total: 3 } }]);
    const lines: string[] = [];
    const done = await waitUntilDone(client, '5', { ...FAST, progressLogMs: 0 }, async (_level, message) => {
      lines.push(message);
    });
    expect(done).toMatchObject({ status: 'done', total: 3 });
    expect(lines).toEqual([
      expect.stringMatching(/^customers: Customer\.io export 5 is still pending after \d+ s \(poll 1\)/),
      expect.stringMatching(/^customers: Customer\.io export 5 is still pending after \d+ s \(poll 2\)/),
    ]);
  });
});
