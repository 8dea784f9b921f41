// Broadcast and newsletter children, workspace reference data and ESP suppressions.

import { get, pathId, queryInteger } from './catalog-params.js';
import { SUPPRESSION_TYPES, type SuppressionType } from './catalog-records.js';
import { suppressionsOf } from './generate-catalog.js';
import { badRequest, notFound, ok } from './responses.js';
import type { ApiResponse, RouteContext, RouteDefinition } from './router.js';
import { METRIC_ROUTES } from './routes-metrics.js';
import { OBJECT_ROUTES } from './routes-objects.js';

/** A child list of an existing parent: 400 for a malformed id, 404 for an unknown parent. */
function childList(
  parentName: 'broadcast' | 'newsletter',
  key: string,
  list: (context: RouteContext, parentId: number) => unknown[],
): (context: RouteContext) => ApiResponse {
  return (context) => {
    const parsed = pathId(context, `${parentName}_id`);
    if (!parsed.ok) return parsed.response;
    const parents = parentName === 'broadcast' ? context.workspace.broadcasts : context.workspace.newsletters;
    if (!parents.some((parent) => parent.id === parsed.value))
      return notFound(`${parentName} ${parsed.value} not found`);
    return ok({ [key]: list(context, parsed.value) });
  };
}

export const DEFAULT_SUPPRESSION_LIMIT = 100;
export const MAX_SUPPRESSION_LIMIT = 1000;

const SUPPRESSION_CATEGORIES: Readonly<Record<SuppressionType, string>> = {
  bounces: 'bounces',
  blocks: 'blocks',
  spam_reports: 'spam',
  invalid_emails: 'invalid_emails',
};

function isSuppressionType(value: string): value is SuppressionType {
  return (SUPPRESSION_TYPES as readonly string[]).includes(value);
}

/**
 * limit (default 100, clamped to 1000) + offset, no `next`. Live quirk: an empty page, including one past
 * the end, is `suppressions: null`. `domain` picks a sending domain's list (the default domain's without
 * it); an unknown domain answers the empty (null) list, as live.
 */
function listSuppressions(context: RouteContext): ApiResponse {
  const type = context.params.suppression_type ?? '';
  if (!isSuppressionType(type)) return badRequest(`invalid suppression_type: ${type}`);
  const limit = queryInteger(context, 'limit', DEFAULT_SUPPRESSION_LIMIT);
  if (!limit.ok) return limit.response;
  if (limit.value < 1) return badRequest('limit must be a positive integer');
  const offset = queryInteger(context, 'offset', 0);
  if (!offset.ok) return offset.response;
  const all = suppressionsOf(context.workspace, type, context.query.get('domain') ?? undefined);
  const page = all.slice(offset.value, offset.value + Math.min(limit.value, MAX_SUPPRESSION_LIMIT));
  return ok({ category: SUPPRESSION_CATEGORIES[type], suppressions: page.length > 0 ? page : null });
}

export const CATALOG_ROUTES: readonly RouteDefinition[] = [
  ...METRIC_ROUTES,
  ...OBJECT_ROUTES,
  get(
    '/v1/broadcasts/:broadcast_id/actions',
    childList('broadcast', 'actions', ({ workspace }, id) => workspace.broadcastActions.get(id) ?? []),
  ),
  get(
    '/v1/broadcasts/:broadcast_id/triggers',
    childList('broadcast', 'triggers', ({ workspace }, id) => workspace.broadcastTriggers.get(id) ?? []),
  ),
  get(
    '/v1/newsletters/:newsletter_id/contents',
    childList('newsletter', 'contents', ({ workspace }, id) => workspace.newsletterContents.get(id) ?? []),
  ),
  get(
    '/v1/newsletters/:newsletter_id/test_groups',
    childList(
      'newsletter',
      'test_groups',
      ({ workspace }, id) => workspace.newsletterTestGroups.get(id) ?? [],
    ),
  ),
  get('/v1/exports', ({ workspace }) => ok({ exports: workspace.exports })),
  get('/v1/collections', ({ workspace }) => ok({ collections: workspace.collections })),
  get('/v1/snippets', ({ workspace }) => ok({ snippets: workspace.snippets })),
  get('/v1/subscription_topics', ({ workspace }) => ok({ topics: workspace.subscriptionTopics })),
  get('/v1/subscription_channels', ({ workspace }) => ok({ channels: workspace.subscriptionChannels })),
  get('/v1/reporting_webhooks', ({ workspace }) => ok({ reporting_webhooks: workspace.reportingWebhooks })),
  get('/v1/esp/suppression/:suppression_type', listSuppressions),
];
