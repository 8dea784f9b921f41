import type { ServerResponse } from 'node:http';
import { stringify as stringifyLossless } from 'lossless-json';
import type { ApiResponse } from './router.js';
import { simulatedNow } from './time.js';

/** How a response goes on the wire: whole, cut short mid-body, or not at all (connection reset). */
export type Delivery =
  | { kind: 'complete'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'truncated'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'trickle'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'reset' };

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function jsonDelivery(response: ApiResponse, headers: Record<string, string> = {}): Delivery {
  return {
    kind: 'complete',
    status: response.status,
    headers: { 'content-type': JSON_CONTENT_TYPE, ...headers },
    body: jsonText(response.body),
  };
}

/**
 * Customer.io's integer ids are 64-bit on the wire: a BigInt in the workspace data (as tests put one, beyond
 * 2^53) is written as its digits, which JSON.stringify refuses to do.
 */
function jsonText(body: unknown): string {
  try {
    return JSON.stringify(body);
  } catch {
    return stringifyLossless(body) as string;
  }
}

export function htmlDelivery(status: number, html: string): Delivery {
  return { kind: 'complete', status, headers: { 'content-type': 'text/html' }, body: html };
}

/** The status a delivery answers with; 0 for a reset, which answers nothing. */
export function deliveryStatus(delivery: Delivery): number {
  return delivery.kind === 'reset' ? 0 : delivery.status;
}

/** A complete 200 whose body is the first half of the JSON: syntactically broken, correctly framed. */
export function halfBody(delivery: Delivery): Delivery {
  if (delivery.kind !== 'complete') return delivery;
  return { ...delivery, body: delivery.body.slice(0, Math.floor(delivery.body.length / 2)) };
}

/** How a trickled body is sent: this many bytes per tick (about 80 bytes/second). */
const TRICKLE_BYTES = 8;
const TRICKLE_INTERVAL_MS = 100;

/** The normal answer, its headers at once and its body a few bytes at a time. */
export function trickledBody(delivery: Delivery): Delivery {
  return delivery.kind === 'complete' ? { ...delivery, kind: 'trickle' } : delivery;
}

function trickle(res: ServerResponse, bytes: Buffer): void {
  let offset = 0;
  const timer = setInterval(() => {
    if (res.destroyed) {
      clearInterval(timer);
      return;
    }
    const end = Math.min(bytes.length, offset + TRICKLE_BYTES);
    res.write(bytes.subarray(offset, end));
    offset = end;
    if (offset < bytes.length) return;
    clearInterval(timer);
    res.end();
  }, TRICKLE_INTERVAL_MS);
  res.once('close', () => clearInterval(timer));
}

/** Announces the full body but dies halfway through sending it. */
export function truncatedBody(delivery: Delivery): Delivery {
  return delivery.kind === 'complete' ? { ...delivery, kind: 'truncated' } : delivery;
}

type JsonBody = Record<string, unknown>;

/** A complete JSON answer with its body rewritten; anything else (an error page, a reset) as it is. */
export function rewriteJson(delivery: Delivery, rewrite: (body: JsonBody) => JsonBody): Delivery {
  if (delivery.kind !== 'complete' || delivery.status !== 200) return delivery;
  const body = JSON.parse(delivery.body) as unknown;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return delivery;
  return { ...delivery, body: JSON.stringify(rewrite(body as JsonBody)) };
}

/** The body without its top-level lists. */
export function listsDropped(body: JsonBody): JsonBody {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => !Array.isArray(value)));
}

/** The body with its top-level lists replaced by null. */
export function listsNulled(body: JsonBody): JsonBody {
  return Object.fromEntries(
    Object.entries(body).map(([key, value]) => [key, Array.isArray(value) ? null : value]),
  );
}

/** A rewrite that removes `field` everywhere inside the items of the body's top-level lists. */
export function fieldDropped(field: string): (body: JsonBody) => JsonBody {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).flatMap(([key, inner]) => (key === field ? [] : [[key, strip(inner)]])),
    );
  };
  return (body) =>
    Object.fromEntries(
      Object.entries(body).map(([key, value]) => [key, Array.isArray(value) ? strip(value) : value]),
    );
}

export function writeDelivery(res: ServerResponse, delivery: Delivery): void {
  if (res.destroyed || res.socket?.destroyed) return;
  if (delivery.kind === 'reset') {
    res.socket?.resetAndDestroy();
    return;
  }
  const bytes = Buffer.from(delivery.body, 'utf8');
  res.writeHead(delivery.status, {
    date: new Date(simulatedNow() * 1000).toUTCString(),
    ...delivery.headers,
    'content-length': String(bytes.length),
  });
  if (delivery.kind === 'complete') {
    res.end(bytes);
    return;
  }
  if (delivery.kind === 'trickle') {
    res.flushHeaders();
    trickle(res, bytes);
    return;
  }
  // Full Content-Length announced, half the bytes sent, then the connection dies.
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
}
