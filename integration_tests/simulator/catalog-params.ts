// Route and parameter helpers of the catalog routes (metrics, children, objects, reference data).

import { badRequest } from './responses.js';
import type { ApiResponse, RouteContext, RouteDefinition, RouteHandler } from './router.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: ApiResponse };

export function get(path: string, handler: RouteHandler): RouteDefinition {
  return { method: 'GET', path, handler };
}

export function post(path: string, handler: RouteHandler): RouteDefinition {
  return { method: 'POST', path, handler };
}

export function invalid(detail: string): { ok: false; response: ApiResponse } {
  return { ok: false, response: badRequest(detail) };
}

/** A numeric path id; the API answers 400 for a malformed one. */
export function pathId(context: RouteContext, name: string): Parsed<number> {
  const raw = context.params[name] ?? '';
  return /^[1-9]\d{0,15}$/.test(raw) ? { ok: true, value: Number(raw) } : invalid(`invalid ${name}: ${raw}`);
}

/** A numeric path id kept as the string it is in action and object-type records. */
export function pathIdString(context: RouteContext, name: string): Parsed<string> {
  const parsed = pathId(context, name);
  return parsed.ok ? { ok: true, value: String(parsed.value) } : parsed;
}

/** A non-negative integer query parameter; `fallback` when absent or empty. */
export function queryInteger(context: RouteContext, name: string, fallback?: number): Parsed<number> {
  const raw = context.query.get(name);
  if (raw === null || raw === '') {
    return fallback === undefined ? invalid(`${name} is required`) : { ok: true, value: fallback };
  }
  if (!/^\d{1,15}$/.test(raw)) return invalid(`${name} must be a non-negative integer: ${raw}`);
  return { ok: true, value: Number(raw) };
}
