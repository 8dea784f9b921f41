import { ConfigError, UnexpectedResponseError } from '@cio-connectors/kit/errors';
import { type ClientOptions, HttpClient } from '@cio-connectors/kit/http-client';
import type { ApiWording } from '@cio-connectors/kit/http-errors';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { AppApiConfig } from './config.js';
import type { ObjectType } from './operations.js';
import { APP_HOSTS, type Region } from './spec.js';

/** What the App API's failures say about its key and the destination's settings. */
const APP_API_WORDING: ApiWording = {
  keyName: 'App API key',
  rejectedKey:
    'Check "app_api_key": an App API key (not a Track API key) from Customer.io > Settings > Account Settings > API Credentials > App API Keys, and that "region" matches your workspace (US or EU).',
  forbidden:
    "the App API key's scope does not cover this workspace, or your account's IP allowlist blocks this machine. Use a key with write access to the workspace, or allow this machine's IP address.",
  hostSettings: '"region" or "app_base_url"',
  baseUrlSetting: '"app_base_url"',
  budgetName: 'App API rate',
  tooLargeHint: 'Report it: these App API answers are small.',
};

export type AppClientOptions = Omit<
  ClientOptions,
  'baseUrl' | 'authorization' | 'wording' | 'requestsPerSecond'
>;

export function createAppClient(app: AppApiConfig, region: Region, options: AppClientOptions = {}) {
  return new HttpClient({
    ...options,
    baseUrl: app.baseUrl ?? APP_HOSTS[region],
    authorization: `Bearer ${app.apiKey}`,
    wording: APP_API_WORDING,
    requestsPerSecond: app.requestsPerSecond,
    userAgent: 'destination-customer-io/0.1.0',
  });
}

/** The config's App API settings, or a config error naming what needs them. */
export function requireApp(app: AppApiConfig | undefined, what: string): AppApiConfig {
  if (app === undefined)
    throw new ConfigError(
      `${what} needs the App API: set "app_api_key" (Customer.io > Settings > Account Settings > API Credentials > App API Keys).`,
    );
  return app;
}

const unexpected = (method: string, path: string, what: string) =>
  new UnexpectedResponseError(`Customer.io answered ${method} ${path} without ${what}: report it.`, {
    method,
    path,
    status: 200,
  });

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const OBJECT_TYPES_PATH = '/v1/object_types';

/** The workspace's custom object types: `GET /v1/object_types`. */
export async function listObjectTypes(client: HttpClient): Promise<ObjectType[]> {
  const { body } = await client.send(OBJECT_TYPES_PATH, { method: 'GET' });
  const types = body.types;
  if (!Array.isArray(types)) throw unexpected('GET', OBJECT_TYPES_PATH, 'its "types" list');
  return types.map((type) => {
    if (
      !isObject(type) ||
      (typeof type.id !== 'string' && typeof type.id !== 'number') ||
      typeof type.name !== 'string'
    )
      throw unexpected('GET', OBJECT_TYPES_PATH, 'an id and a name for each type');
    return { id: String(type.id), name: type.name };
  });
}

/** A member of a segment, as the membership list names people. */
export interface SegmentMember {
  cio_id: string;
  id?: string;
  email?: string;
}

const MEMBERSHIP_PAGE = 1000;

/** Every member of a segment, page by page: `GET /v1/segments/{id}/membership`. */
export async function* segmentMembers(
  client: HttpClient,
  segmentId: string,
): AsyncGenerator<SegmentMember[]> {
  const path = `/v1/segments/${segmentId}/membership`;
  let start: string | undefined;
  do {
    const { body } = await client.send(path, {
      method: 'GET',
      params: { limit: MEMBERSHIP_PAGE, ...(start === undefined ? {} : { start }) },
    });
    // An empty segment answers `identifiers: null` (a documented quirk).
    const identifiers = body.identifiers === null ? [] : body.identifiers;
    if (
      !Array.isArray(identifiers) ||
      (body.next !== undefined && body.next !== null && typeof body.next !== 'string')
    )
      throw unexpected('GET', path, 'its "identifiers" list and "next" token');
    yield identifiers.map((raw) => {
      if (!isObject(raw) || typeof raw.cio_id !== 'string')
        throw unexpected('GET', path, 'a cio_id for each member');
      return {
        cio_id: raw.cio_id,
        ...(typeof raw.id === 'string' && raw.id !== '' ? { id: raw.id } : {}),
        ...(typeof raw.email === 'string' && raw.email !== '' ? { email: raw.email } : {}),
      };
    });
    start = typeof body.next === 'string' && body.next !== '' ? body.next : undefined;
  } while (start !== undefined);
}

const COLLECTIONS_PATH = '/v1/collections';

/** The id of the collection named `name`, if there is one: `GET /v1/collections`. */
export async function findCollection(client: HttpClient, name: string): Promise<number | undefined> {
  const { body } = await client.send(COLLECTIONS_PATH, { method: 'GET' });
  if (!Array.isArray(body.collections)) throw unexpected('GET', COLLECTIONS_PATH, 'its "collections" list');
  for (const collection of body.collections) {
    if (!isObject(collection) || typeof collection.id !== 'number')
      throw unexpected('GET', COLLECTIONS_PATH, 'an id for each collection');
    if (collection.name === name) return collection.id;
  }
  return undefined;
}

/** A collection's rows, JSON already: `[row,row,…]` without parsing them again. */
function rowsBody(name: string | undefined, rows: readonly string[]): string {
  const data = `[${rows.join(',')}]`;
  return name === undefined ? `{"data":${data}}` : `{"name":${JSON.stringify(name)},"data":${data}}`;
}

/** The rows a collection holds now (to add to them): `GET /v1/collections/{id}/content`. */
export async function collectionRows(client: HttpClient, id: number): Promise<string[]> {
  const path = `${COLLECTIONS_PATH}/${id}/content`;
  const { body } = await client.send(path, { method: 'GET' });
  const rows = Array.isArray(body) ? body : body.data;
  if (!Array.isArray(rows)) throw unexpected('GET', path, 'its rows');
  return rows.map((row) => JSON.stringify(row));
}

/** Replaces the collection's rows, or creates it with them: `PUT /v1/collections/{id}` or `POST /v1/collections`. */
export async function writeCollection(
  client: HttpClient,
  id: number | undefined,
  name: string,
  rows: readonly string[],
): Promise<void> {
  if (id === undefined) await client.send(COLLECTIONS_PATH, { method: 'POST', body: rowsBody(name, rows) });
  else await client.send(`${COLLECTIONS_PATH}/${id}`, { method: 'PUT', body: rowsBody(undefined, rows) });
}
