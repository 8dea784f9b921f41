// HTTP helpers of the people/deliveries/activities tests, and the mapping from what the simulator serves
// to the records the connector emits (plan).

import { expect } from 'vitest';
import type { Simulator } from './index.js';

export { withSimulator } from './test-support.js';

export type JsonObject = Record<string, unknown>;

export interface Reply {
  status: number;
  body: JsonObject;
}

export async function request(simulator: Simulator, path: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${simulator.apiKey}` };
  const init: RequestInit =
    body === undefined
      ? { headers }
      : {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        };
  const response = await fetch(`${simulator.url}${path}`, init);
  return { status: response.status, body: (await response.json()) as JsonObject };
}

export async function okBody(simulator: Simulator, path: string, body?: unknown): Promise<JsonObject> {
  const reply = await request(simulator, path, body);
  if (reply.status !== 200) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** The array under `key`; null (the live empty-list quirk) reads as []. */
export function items(body: JsonObject, key: string): JsonObject[] {
  const value = body[key];
  if (value === null) return [];
  if (!Array.isArray(value)) throw new Error(`no ${key} array in ${JSON.stringify(body).slice(0, 200)}`);
  return value as JsonObject[];
}

export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
  return query.size > 0 ? `${path}${path.includes('?') ? '&' : '?'}${query}` : path;
}

/** Follows `next` until it is "", as a connector does; returns the pages' arrays under `key`. */
export async function readPages(
  simulator: Simulator,
  path: string,
  key: string,
  params: Record<string, string | number | undefined> = {},
  body?: unknown,
): Promise<JsonObject[][]> {
  const pages: JsonObject[][] = [];
  let start: string | undefined;
  while (pages.length < 10_000) {
    const reply = await okBody(simulator, withQuery(path, { ...params, start }), body);
    pages.push(items(reply, key));
    expect(typeof reply.next).toBe('string');
    start = reply.next as string;
    if (start === '') return pages;
  }
  throw new Error(`pagination of ${path} did not end`);
}

export async function readAll(
  simulator: Simulator,
  path: string,
  key: string,
  params: Record<string, string | number | undefined> = {},
  body?: unknown,
): Promise<JsonObject[]> {
  return (await readPages(simulator, path, key, params, body)).flat();
}

export function roundTrip<T>(value: T): JsonObject[] {
  return JSON.parse(JSON.stringify(value)) as JsonObject[];
}

export const AUDIENCE_STREAMS = [
  'messages',
  'campaign_messages',
  'broadcast_messages',
  'newsletter_messages',
  'transactional_message_deliveries',
  'customer_messages',
  'activities',
  'customer_activities',
  'customers',
  'customer_segments',
  'customer_relationships',
  'segment_membership',
  'segment_usage',
  'transactional_messages',
  'transactional_message_variants',
] as const;
export type AudienceStream = (typeof AUDIENCE_STREAMS)[number];

const DAY = 86_400;

/** Everything the connector would emit for these streams, read over HTTP the way the plan describes. */
export async function emittedRecords(
  source: Simulator,
  now: number,
): Promise<Record<AudienceStream, JsonObject[]>> {
  const ws = source.workspace;
  const out = Object.fromEntries(AUDIENCE_STREAMS.map((stream) => [stream, []])) as unknown as Record<
    AudienceStream,
    JsonObject[]
  >;
  // Deliveries: 30-day windows over the generated span, as the connector reads /v1/messages.
  for (let end = now; end > now - 420 * DAY; end -= 30 * DAY) {
    const window = { start_ts: end - 30 * DAY + 1, end_ts: end, limit: 1000, get_tracked_responses: 'true' };
    out.messages.push(...(await readAll(source, '/v1/messages', 'messages', window)));
    for (const campaign of ws.campaigns) {
      out.campaign_messages.push(
        ...(await readAll(source, `/v1/campaigns/${campaign.id}/messages`, 'messages', window)),
      );
    }
    for (const broadcast of ws.broadcasts) {
      out.broadcast_messages.push(
        ...(await readAll(source, `/v1/broadcasts/${broadcast.id}/messages`, 'messages', window)),
      );
    }
    for (const newsletter of ws.newsletters) {
      out.newsletter_messages.push(
        ...(await readAll(source, `/v1/newsletters/${newsletter.id}/messages`, 'messages', window)),
      );
    }
    for (const message of ws.transactionalMessages) {
      out.transactional_message_deliveries.push(
        ...(await readAll(source, `/v1/transactional/${message.id}/messages`, 'messages', window)),
      );
    }
  }
  out.activities = await readAll(source, '/v1/activities', 'activities', { deleted: 'true', limit: 100 });
  const filter = { filter: { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] } };
  const identifiers = await readAll(source, '/v1/customers', 'identifiers', { limit: 1000 }, filter);
  const cioIds = identifiers.map((identifier) => identifier.cio_id as string);
  for (let index = 0; index < cioIds.length; index += 100) {
    const body = await okBody(source, '/v1/customers/attributes?id_type=cio_id', {
      ids: cioIds.slice(index, index + 100),
    });
    for (const customer of items(body, 'customers')) {
      const ids = customer.identifiers as { cio_id: string; email: string | null; id: string | null };
      out.customers.push({ cio_id: ids.cio_id, id: ids.id, email: ids.email, ...customer });
    }
  }
  for (const cioId of cioIds) {
    const base = `/v1/customers/${cioId}`;
    const byCio = { id_type: 'cio_id' };
    const segments = items(await okBody(source, `${base}/segments?id_type=cio_id`), 'segments');
    out.customer_segments.push(...segments.map((segment) => ({ cio_id: cioId, ...segment })));
    for (let end = now; end > now - 420 * DAY; end -= 180 * DAY) {
      const window = { ...byCio, start_ts: end - 180 * DAY + 1, end_ts: end, limit: 1000 };
      const messages = await readAll(source, `${base}/messages`, 'messages', window);
      // The connector declares msg_template_id a string here, as the spec does for this endpoint.
      const asEmitted = (message: JsonObject) => ({
        ...message,
        cio_id: cioId,
        msg_template_id: message.msg_template_id == null ? null : String(message.msg_template_id),
      });
      out.customer_messages.push(...messages.map(asEmitted));
    }
    const activities = await readAll(source, `${base}/activities`, 'activities', { ...byCio, limit: 100 });
    out.customer_activities.push(...activities.map((activity) => ({ ...activity, cio_id: cioId })));
    const relationships = await readAll(source, `${base}/relationships`, 'cio_relationships', byCio);
    out.customer_relationships.push(
      ...relationships.map((relationship) => {
        const ids = relationship.identifiers as { object_id: string; cio_object_id: string };
        return { cio_id: cioId, object_id: ids.object_id, cio_object_id: ids.cio_object_id, ...relationship };
      }),
    );
  }
  for (const segment of ws.segments) {
    const members = await readAll(source, `/v1/segments/${segment.id}/membership`, 'identifiers');
    out.segment_membership.push(...members.map((member) => ({ segment_id: segment.id, ...member })));
    const usage = await okBody(source, `/v1/segments/${segment.id}/used_by`);
    out.segment_usage.push({ segment_id: segment.id, ...(usage.used_by as JsonObject) });
  }
  out.transactional_messages = items(await okBody(source, '/v1/transactional'), 'messages');
  for (const message of out.transactional_messages) {
    const contents = items(await okBody(source, `/v1/transactional/${message.id}/contents`), 'contents');
    out.transactional_message_variants.push(
      ...contents.map((content) => ({ ...content, transactional_message_id: message.id })),
    );
  }
  return out;
}
