// People exports (reference §5.9): POST /v1/exports/customers creates one, GET /v1/exports/{id} reports its
// status, GET /v1/exports/{id}/download answers a pre-signed link to the file in "storage": a path of the same
// server that, like S3, takes no Authorization header, is not rate limited, and may be gzip-compressed without
// saying so. Created exports join the workspace's export list, as they do live.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { allPeople } from './audience.js';
import { pathId, route } from './audience-params.js';
import type { Export } from './catalog-records.js';
import { parsePeopleFilter } from './people-filter.js';
import type { Person } from './records-audience.js';
import { badRequest, notFound, ok } from './responses.js';
import type { ApiResponse, RouteContext, RouteDefinition } from './router.js';
import { simulatedNow } from './time.js';
import type { Workspace } from './workspace.js';

export const STORAGE_PREFIX = '/__storage/';
/** How long a link is valid, as the docs say. */
const LINK_SECONDS = 15 * 60;
const IDENTIFIER_COLUMNS = ['cio_id', 'id', 'email'];
/** Rows per chunk written to storage's answer. */
const ROWS_PER_CHUNK = 500;

export interface ExportBehaviour {
  /** Status polls answering `pending` before the export is done (or failed). */
  pollsUntilDone: number;
  /** The export ends `failed` instead of `done`. */
  fail: boolean;
  /** Files are stored gzip-compressed (served as plain bytes, without Content-Encoding). */
  gzip: boolean;
  /** The next `expiredLinks` links issued answer 403 (expired) from the start. */
  expiredLinks: number;
  /** The next `dyingLinks.count` downloads stop after `afterBytes` bytes; their link then answers 403. */
  dyingLinks: { count: number; afterBytes: number };
  /**
   * What storage serves while the export still reports every person in `total`: the file, its header row
   * alone, or a body that is not the CSV at all (`{}` as JSON, as a misrouted link answers).
   */
  file: 'csv' | 'header_only' | 'not_csv';
}

export const DEFAULT_EXPORT_BEHAVIOUR: Readonly<ExportBehaviour> = {
  pollsUntilDone: 2,
  fail: false,
  gzip: true,
  expiredLinks: 0,
  dyingLinks: { count: 0, afterBytes: 0 },
  file: 'csv',
};

interface ExportJob {
  record: Export;
  /** Who matched the filter when the export was created, in search order. */
  people: Person[];
  columns: string[];
  polls: number;
}

interface StorageLink {
  exportId: number;
  expired: boolean;
}

interface ExportState {
  behaviour: ExportBehaviour;
  jobs: Map<number, ExportJob>;
  links: Map<string, StorageLink>;
  linksIssued: number;
  expiredLinksLeft: number;
  dyingLinksLeft: number;
  origin: string;
}

const states = new WeakMap<Workspace, ExportState>();

function stateOf(workspace: Workspace): ExportState {
  let state = states.get(workspace);
  if (state === undefined) {
    state = {
      behaviour: { ...DEFAULT_EXPORT_BEHAVIOUR },
      jobs: new Map(),
      links: new Map(),
      linksIssued: 0,
      expiredLinksLeft: 0,
      dyingLinksLeft: 0,
      origin: 'http://127.0.0.1',
    };
    states.set(workspace, state);
  }
  return state;
}

/** Sets how this workspace's exports behave from now on (tests change it between reads). */
export function configureExports(workspace: Workspace, behaviour: Partial<ExportBehaviour>): void {
  const state = stateOf(workspace);
  Object.assign(state.behaviour, behaviour);
  state.expiredLinksLeft = state.behaviour.expiredLinks;
  state.dyingLinksLeft = state.behaviour.dyingLinks.count;
}

/** Where the server listens: the host its links point to. */
export function setStorageOrigin(workspace: Workspace, origin: string): void {
  stateOf(workspace).origin = origin;
}

/** The columns of a people export: identifiers first, then the asked attributes, or every one the people have. */
export function exportColumns(
  people: readonly Person[],
  attributes: readonly string[] | undefined,
): string[] {
  const names = new Set<string>();
  if (attributes !== undefined) for (const name of attributes) names.add(name);
  else for (const person of people) for (const name of Object.keys(person.attributes)) names.add(name);
  return [...IDENTIFIER_COLUMNS, ...[...names].filter((name) => !IDENTIFIER_COLUMNS.includes(name))];
}

/** One cell: identifiers from the person, `unsubscribed` from its flag unless set as an attribute. */
function cellOf(person: Person, column: string): string {
  switch (column) {
    case 'cio_id':
      return person.cio_id;
    case 'id':
      return person.id ?? '';
    case 'email':
      return person.email ?? '';
    case 'unsubscribed':
      return person.attributes.unsubscribed ?? String(person.unsubscribed);
    default:
      return person.attributes[column] ?? '';
  }
}

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The export file, header first, a few hundred rows per chunk. */
export function* exportCsv(people: readonly Person[], columns: readonly string[]): Generator<string> {
  const line = (cells: string[]) => `${cells.map(csvField).join(',')}\n`;
  yield line([...columns]);
  for (let at = 0; at < people.length; at += ROWS_PER_CHUNK) {
    yield people
      .slice(at, at + ROWS_PER_CHUNK)
      .map((person) => line(columns.map((column) => cellOf(person, column))))
      .join('');
  }
}

function bodyObject(body: unknown): Record<string, unknown> | undefined {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

function createPeopleExport(context: RouteContext): ApiResponse {
  const body = bodyObject(context.body);
  if (body === undefined || !('filters' in body)) return badRequest('the body must be {"filters": ...}');
  const filter = parsePeopleFilter(body.filters);
  if (!filter.ok) return badRequest(filter.error);
  const { attributes } = body;
  if (
    attributes !== undefined &&
    !(Array.isArray(attributes) && attributes.every((name) => typeof name === 'string'))
  )
    return badRequest('attributes must be an array of strings');
  const { workspace } = context;
  const people = allPeople(workspace).filter(filter.matches);
  const now = simulatedNow();
  const id = Math.max(0, ...workspace.exports.map((item) => item.id)) + 1;
  const record: Export = {
    id,
    deduplicate_id: `${id}:${now}`,
    type: 'customers',
    status: 'pending',
    failed: false,
    description: 'Filtered customer export (created via the api)',
    total: 0,
    downloads: 0,
    user_id: 0,
    user_email: '',
    created_at: now,
    updated_at: now,
  };
  workspace.exports.push(record);
  stateOf(workspace).jobs.set(id, {
    record,
    people,
    columns: exportColumns(people, attributes as string[] | undefined),
    polls: 0,
  });
  return ok({ export: record });
}

function findExport(
  context: RouteContext,
): { ok: true; value: Export } | { ok: false; response: ApiResponse } {
  const id = pathId(context, 'export_id');
  if (!id.ok) return id;
  const record = context.workspace.exports.find((item) => item.id === id.value);
  return record === undefined
    ? { ok: false, response: notFound(`export ${id.value} not found`) }
    : { ok: true, value: record };
}

/** Each poll of a pending export brings it closer to done (or failed). */
function getExport(context: RouteContext): ApiResponse {
  const found = findExport(context);
  if (!found.ok) return found.response;
  const state = stateOf(context.workspace);
  const job = state.jobs.get(found.value.id);
  if (job !== undefined && job.record.status === 'pending') {
    job.polls += 1;
    if (job.polls >= state.behaviour.pollsUntilDone) {
      const failed = state.behaviour.fail;
      Object.assign(job.record, {
        status: failed ? 'failed' : 'done',
        failed,
        total: failed ? 0 : job.people.length,
        updated_at: simulatedNow(),
      });
    }
  }
  return ok({ export: found.value });
}

function downloadExport(context: RouteContext): ApiResponse {
  const found = findExport(context);
  if (!found.ok) return found.response;
  const state = stateOf(context.workspace);
  const job = state.jobs.get(found.value.id);
  if (job === undefined) return notFound(`export ${found.value.id} has no file`);
  if (job.record.status !== 'done') return badRequest(`export ${found.value.id} is ${job.record.status}`);
  state.linksIssued += 1;
  const signature = `sig${state.linksIssued}x${found.value.id}`;
  state.links.set(signature, { exportId: found.value.id, expired: state.expiredLinksLeft > 0 });
  state.expiredLinksLeft = Math.max(0, state.expiredLinksLeft - 1);
  job.record.downloads += 1;
  const expires = simulatedNow() + LINK_SECONDS;
  const url = `${state.origin}${STORAGE_PREFIX}exports/${found.value.id}.csv.gz?signature=${signature}&expires=${expires}`;
  return ok({ url });
}

export const EXPORT_ROUTES: readonly RouteDefinition[] = [
  route('POST', '/v1/exports/customers', createPeopleExport),
  route('GET', '/v1/exports/:export_id', getExport),
  route('GET', '/v1/exports/:export_id/download', downloadExport),
];

function s3Error(res: ServerResponse, status: number, code: string, message: string): number {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  );
  return status;
}

/**
 * GET /__storage/exports/{id}.csv.gz?signature=...: the file, streamed. Answers as S3 does: 400 to a request
 * that also carries an Authorization header, 403 to an unknown or expired signature. Returns the status.
 */
export async function serveStorage(
  workspace: Workspace,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<number> {
  if (req.headers.authorization !== undefined)
    return s3Error(
      res,
      400,
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    );
  const state = stateOf(workspace);
  const link = state.links.get(url.searchParams.get('signature') ?? '');
  const job = link === undefined ? undefined : state.jobs.get(link.exportId);
  if (link === undefined || job === undefined || !url.pathname.includes(`/${link.exportId}.`))
    return s3Error(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match');
  if (link.expired) return s3Error(res, 403, 'AccessDenied', 'Request has expired');
  const { dyingLinks, gzip } = state.behaviour;
  const cutAt = state.dyingLinksLeft > 0 ? dyingLinks.afterBytes : undefined;
  if (cutAt !== undefined) {
    state.dyingLinksLeft -= 1;
    link.expired = true;
  }
  if (state.behaviour.file === 'not_csv') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    return 200;
  }
  res.writeHead(200, { 'content-type': 'binary/octet-stream' });
  const people = state.behaviour.file === 'header_only' ? [] : job.people;
  const text = Readable.from(exportCsv(people, job.columns));
  await writeBody(res, gzip ? text.pipe(createGzip()) : text, cutAt);
  return 200;
}

/** Writes the bytes with back-pressure; with `cutAt`, the connection dies once that many bytes are out. */
async function writeBody(
  res: ServerResponse,
  chunks: AsyncIterable<Buffer | string>,
  cutAt: number | undefined,
): Promise<void> {
  let sent = 0;
  for await (const chunk of chunks) {
    if (res.destroyed) return;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const part = cutAt === undefined ? bytes : bytes.subarray(0, cutAt - sent);
    sent += part.length;
    if (cutAt !== undefined && sent >= cutAt) {
      res.write(part, () => res.destroy());
      return;
    }
    if (!res.write(part)) await drained(res);
  }
  res.end();
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
