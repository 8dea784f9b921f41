// The endpoint table. To simulate another endpoint, add a handler and one line to ROUTES.

import { JOURNEY_METRIC_ROUTES } from './journey-metrics.js';
import { OPTOUT_ROUTES } from './optouts.js';
import { nextToken, pageAt, parseLimit, startOffset } from './pagination.js';
import { badRequest, notFound, ok } from './responses.js';
import type { ApiResponse, RouteContext, RouteDefinition, RouteHandler } from './router.js';
import { AUDIENCE_ROUTES } from './routes-audience.js';
import { CATALOG_ROUTES } from './routes-catalog.js';
import { EXPORT_ROUTES } from './routes-exports.js';
import { MESSAGE_ROUTES } from './routes-messages.js';
import { SUBSCRIPTION_PREFERENCE_ROUTES } from './subscription-preferences.js';
import { TRIGGER_ERROR_ROUTES } from './trigger-errors.js';

function get(path: string, handler: RouteHandler, options: { requiresAuth?: boolean } = {}): RouteDefinition {
  return { method: 'GET', path, handler, ...options };
}

type IdParse = { ok: true; id: number } | { ok: false; response: ApiResponse };

/** A numeric path id; the API answers 400 for a malformed one. */
function pathId(context: RouteContext, name: string): IdParse {
  const raw = context.params[name] ?? '';
  if (!/^[1-9]\d{0,15}$/.test(raw)) return { ok: false, response: badRequest(`invalid ${name}: ${raw}`) };
  return { ok: true, id: Number(raw) };
}

function getCampaign(context: RouteContext): ApiResponse {
  const parsed = pathId(context, 'campaign_id');
  if (!parsed.ok) return parsed.response;
  const campaign = context.workspace.campaigns.find((candidate) => candidate.id === parsed.id);
  return campaign ? ok({ campaign }) : notFound(`campaign ${parsed.id} not found`);
}

/** `start` only: this endpoint ignores `limit` and always pages by the fixed size. */
function listCampaignActions(context: RouteContext): ApiResponse {
  const parsed = pathId(context, 'campaign_id');
  if (!parsed.ok) return parsed.response;
  const campaignId = parsed.id;
  if (!context.workspace.campaigns.some((campaign) => campaign.id === campaignId)) {
    return notFound(`campaign ${campaignId} not found`);
  }
  const offset = startOffset(context.query.get('start'));
  if (offset === undefined) return badRequest('invalid start token');
  const actions = context.workspace.campaignActions.get(campaignId) ?? [];
  const page = pageAt(actions, offset, context.pageSizes.campaignActions);
  return ok({ actions: page.items, next: nextToken(page.nextOffset) });
}

function listNewsletters(context: RouteContext): ApiResponse {
  const { query, pageSizes } = context;
  const offset = startOffset(query.get('start'));
  if (offset === undefined) return badRequest('invalid start token');
  const limit = parseLimit(query.get('limit'), pageSizes.newslettersDefault, pageSizes.newslettersMax);
  if (!limit.ok) return badRequest('limit must be a positive integer');
  const sort = query.get('sort') ?? 'asc';
  if (sort !== 'asc' && sort !== 'desc') return badRequest('sort must be asc or desc');
  const byId = [...context.workspace.newsletters].sort((a, b) =>
    sort === 'asc' ? a.id - b.id : b.id - a.id,
  );
  const page = pageAt(byId, offset, limit.limit);
  return ok({ newsletters: page.items, next: nextToken(page.nextOffset) });
}

/**
 * `hidden=true` includes the hidden senders, as the spec says (live, Airbyte saw only the hidden ones), and a
 * page with senders always carries a `next`, so the end is an extra request answering `[]` with `next: ""`
 * (a live quirk).
 */
function listSenderIdentities(context: RouteContext): ApiResponse {
  const { query, pageSizes } = context;
  const offset = startOffset(query.get('start'));
  if (offset === undefined) return badRequest('invalid start token');
  const limit = parseLimit(
    query.get('limit'),
    pageSizes.senderIdentitiesDefault,
    pageSizes.senderIdentitiesMax,
  );
  if (!limit.ok) return badRequest('limit must be a positive integer');
  const hidden = query.get('hidden') ?? 'false';
  if (hidden !== 'true' && hidden !== 'false') return badRequest('hidden must be true or false');
  const sort = query.get('sort') ?? 'asc';
  if (sort !== 'asc' && sort !== 'desc') return badRequest('sort must be asc or desc');
  const senders = context.workspace.senderIdentities
    .filter((sender) => hidden === 'true' || !sender.hidden)
    .sort((a, b) => (sort === 'asc' ? a.id - b.id : b.id - a.id));
  const items = senders.slice(offset, offset + limit.limit);
  return ok({
    sender_identities: items,
    next: nextToken(items.length > 0 ? offset + items.length : undefined),
  });
}

export const ROUTES: readonly RouteDefinition[] = [
  ...AUDIENCE_ROUTES,
  ...MESSAGE_ROUTES,
  ...CATALOG_ROUTES,
  ...EXPORT_ROUTES,
  ...OPTOUT_ROUTES,
  ...JOURNEY_METRIC_ROUTES,
  ...SUBSCRIPTION_PREFERENCE_ROUTES,
  ...TRIGGER_ERROR_ROUTES,
  get('/v1/workspaces', ({ workspace }) => ok({ workspaces: workspace.workspaces })),
  get('/v1/campaigns', ({ workspace }) => ok({ campaigns: workspace.campaigns })),
  get('/v1/campaigns/:campaign_id', getCampaign),
  get('/v1/campaigns/:campaign_id/actions', listCampaignActions),
  get('/v1/broadcasts', ({ workspace }) => ok({ broadcasts: workspace.broadcasts })),
  get('/v1/newsletters', listNewsletters),
  get('/v1/segments', ({ workspace }) => ok({ segments: workspace.segments })),
  get('/v1/sender_identities', listSenderIdentities),
  get('/v1/info/ip_addresses', ({ workspace }) => ok({ ip_addresses: workspace.ipAddresses }), {
    requiresAuth: false,
  }),
];
