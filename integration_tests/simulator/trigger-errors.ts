// The errors of an API-triggered broadcast's trigger (GET /v1/campaigns/{broadcast_id}/triggers/{trigger_id}/errors,
// note the /campaigns/ prefix): per-recipient problems of the trigger's audience or data file, as strings like
// "line 3: ...". Paged by an integer offset: `start` in, `next` out, and `next: 0` on the last page (the
// official docs' example answers `{"errors": [...], "next": 0}`). The docs give no default or maximum `limit`:
// the simulator's is PageSizes.triggerErrorsMax.

import { get, pathId, queryInteger } from './catalog-params.js';
import type { BroadcastTrigger } from './catalog-records.js';
import { badRequest, notFound, ok } from './responses.js';
import type { ApiResponse, RouteContext, RouteDefinition } from './router.js';
import type { Workspace } from './workspace.js';

const PROBLEMS = [
  'customer not found for id',
  'invalid email address',
  'missing required field "headline" in per_user_data',
  'customer is unsubscribed',
] as const;

/**
 * Every third processed trigger (in broadcast order) has 13 errors, the next one 2, the third none: some
 * triggers need several pages, some one, some none. Queued triggers (processed_at 0) have none yet.
 */
export function triggerErrorsOf(
  workspace: Pick<Workspace, 'broadcasts' | 'broadcastTriggers'>,
): Map<number, string[]> {
  const processed = workspace.broadcasts
    .flatMap((broadcast) => workspace.broadcastTriggers.get(broadcast.id) ?? [])
    .filter((trigger) => trigger.processed_at > 0);
  return new Map(
    processed.map((trigger, index) => {
      const count = [13, 2, 0][index % 3] ?? 0;
      const errors = Array.from({ length: count }, (_, line) => {
        const problem = PROBLEMS[(trigger.id + line) % PROBLEMS.length] ?? PROBLEMS[0];
        return `line ${line * 2 + 2}: ${problem}`;
      });
      return [trigger.id, errors];
    }),
  );
}

function findTrigger(context: RouteContext): { trigger: BroadcastTrigger } | { response: ApiResponse } {
  const broadcastId = pathId(context, 'broadcast_id');
  if (!broadcastId.ok) return { response: broadcastId.response };
  const triggerId = pathId(context, 'trigger_id');
  if (!triggerId.ok) return { response: triggerId.response };
  const trigger = (context.workspace.broadcastTriggers.get(broadcastId.value) ?? []).find(
    (candidate) => candidate.id === triggerId.value,
  );
  return trigger === undefined
    ? { response: notFound(`trigger ${triggerId.value} of broadcast ${broadcastId.value} not found`) }
    : { trigger };
}

function listTriggerErrors(context: RouteContext): ApiResponse {
  const found = findTrigger(context);
  if ('response' in found) return found.response;
  const start = queryInteger(context, 'start', 0);
  if (!start.ok) return start.response;
  const limit = queryInteger(context, 'limit', context.pageSizes.triggerErrorsMax);
  if (!limit.ok) return limit.response;
  if (limit.value < 1) return badRequest('limit must be a positive integer');
  const all = triggerErrorsOf(context.workspace).get(found.trigger.id) ?? [];
  const end = start.value + Math.min(limit.value, context.pageSizes.triggerErrorsMax);
  return ok({ errors: all.slice(start.value, end), next: end < all.length ? end : 0 });
}

export const TRIGGER_ERROR_ROUTES: readonly RouteDefinition[] = [
  get('/v1/campaigns/:broadcast_id/triggers/:trigger_id/errors', listTriggerErrors),
];
