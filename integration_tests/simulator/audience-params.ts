// Parameter parsing shared by the people, delivery and activity routes: malformed values answer 400.

import type { IdType } from './audience.js';
import { decodePageToken, parseLimit } from './pagination.js';
import { badRequest } from './responses.js';
import type { ApiResponse, RouteContext, RouteDefinition, RouteHandler } from './router.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: ApiResponse };

export function route(method: 'GET' | 'POST', path: string, handler: RouteHandler): RouteDefinition {
  return { method, path, handler };
}

export function invalid(detail: string): { ok: false; response: ApiResponse } {
  return { ok: false, response: badRequest(detail) };
}

/** A numeric path id. */
export function pathId(context: RouteContext, name: string): Parsed<number> {
  const raw = context.params[name] ?? '';
  return /^[1-9]\d{0,15}$/.test(raw) ? { ok: true, value: Number(raw) } : invalid(`invalid ${name}: ${raw}`);
}

/** An optional non-negative integer query parameter (unix times, ids). */
export function optionalInteger(context: RouteContext, name: string): Parsed<number | undefined> {
  const raw = context.query.get(name);
  if (raw === null || raw === '') return { ok: true, value: undefined };
  return /^\d{1,15}$/.test(raw)
    ? { ok: true, value: Number(raw) }
    : invalid(`${name} must be a non-negative integer: ${raw}`);
}

export function optionalBoolean(context: RouteContext, name: string): Parsed<boolean | undefined> {
  const raw = context.query.get(name);
  if (raw === null || raw === '') return { ok: true, value: undefined };
  return raw === 'true' || raw === 'false'
    ? { ok: true, value: raw === 'true' }
    : invalid(`${name} must be true or false`);
}

/** An optional string parameter restricted to `allowed`. */
export function optionalEnum(
  context: RouteContext,
  name: string,
  allowed: readonly string[],
): Parsed<string | undefined> {
  const raw = context.query.get(name);
  if (raw === null || raw === '') return { ok: true, value: undefined };
  return allowed.includes(raw)
    ? { ok: true, value: raw }
    : invalid(`${name} must be one of ${allowed.join(', ')}`);
}

export function optionalString(context: RouteContext, name: string): Parsed<string | undefined> {
  const raw = context.query.get(name);
  return { ok: true, value: raw === null || raw === '' ? undefined : raw };
}

const ID_TYPES: readonly IdType[] = ['id', 'email', 'cio_id', 'phone'];

/** `id_type`: id (default), email, cio_id or phone. */
export function idType(context: RouteContext): Parsed<IdType> {
  const raw = context.query.get('id_type');
  if (raw === null || raw === '') return { ok: true, value: 'id' };
  const found = ID_TYPES.find((candidate) => candidate === raw);
  return found === undefined
    ? invalid(`id_type must be one of ${ID_TYPES.join(', ')}`)
    : { ok: true, value: found };
}

export function limit(context: RouteContext, defaultSize: number, maxSize: number): Parsed<number> {
  const parsed = parseLimit(context.query.get('limit'), defaultSize, maxSize);
  return parsed.ok ? { ok: true, value: parsed.limit } : invalid('limit must be a positive integer');
}

/** The `start` token's number (an offset or a row); undefined when absent or empty. */
export function startToken(context: RouteContext): Parsed<number | undefined> {
  const raw = context.query.get('start');
  if (raw === null || raw === '') return { ok: true, value: undefined };
  const decoded = decodePageToken(raw);
  return decoded === undefined ? invalid('invalid start token') : { ok: true, value: decoded };
}
