// Campaign journey metrics (GET /v1/campaigns/{campaign_id}/journey_metrics, official docs
// campaignJourneyMetrics): `start`, `end` (unix seconds) and `resolution` are all required (400 without any);
// the answer is `{"journey_metric": {<metric>: [count per bucket, oldest first]}}`, each count being the
// journeys that started in that bucket and went on to reach the metric. The resolution enum is the metrics
// one (hours|hourly|days|daily|weeks|weekly|months|monthly); the simulator serves daily UTC buckets and
// answers 400 "unsupported in simulator" for the others. The docs give no window limit: the simulator refuses
// windows over MAX_JOURNEY_WINDOW_DAYS days, the limit the connector assumes.

import { get, pathId, queryInteger } from './catalog-params.js';
import { hash32 } from './hash.js';
import { CURRENT_UTC_DAY, utcDay } from './metrics.js';
import type { Campaign } from './records.js';
import { badRequest, notFound, ok } from './responses.js';
import type { ApiResponse, RouteContext, RouteDefinition } from './router.js';

export const JOURNEY_METRIC_KEYS = [
  'activated',
  'converted',
  'exited_early',
  'finished',
  'messaged',
  'never_activated',
  'started',
] as const;
export type JourneyMetricKey = (typeof JOURNEY_METRIC_KEYS)[number];
export const MAX_JOURNEY_WINDOW_DAYS = 45;
const RESOLUTIONS = new Set(['hours', 'hourly', 'days', 'daily', 'weeks', 'weekly', 'months', 'monthly']);

/**
 * The journeys a campaign started on a UTC day (a day number) and where they went: none before it first
 * started or after today. Derived from the campaign id and the day, so every request agrees.
 */
export function journeyDay(campaign: Campaign, day: number): Record<JourneyMetricKey, number> {
  const active =
    campaign.first_started > 0 && day >= utcDay(campaign.first_started) && day <= CURRENT_UTC_DAY;
  const roll = hash32(`journey:${campaign.id}:${day}`);
  const started = active ? roll % 12 : 0;
  const neverActivated = (roll >>> 4) % (Math.min(3, started) + 1);
  const activated = started - neverActivated;
  const exitedEarly = (roll >>> 8) % (Math.min(2, activated) + 1);
  const finished = activated - exitedEarly;
  return {
    activated,
    converted: (roll >>> 12) % (finished + 1),
    exited_early: exitedEarly,
    finished,
    messaged: activated - ((roll >>> 16) % (Math.min(1, activated) + 1)),
    never_activated: neverActivated,
    started,
  };
}

/** The series of UTC days `fromDay`..`toDay` (day numbers, inclusive), one array per metric. */
export function journeySeries(
  campaign: Campaign,
  fromDay: number,
  toDay: number,
): Record<JourneyMetricKey, number[]> {
  const days = Array.from({ length: toDay - fromDay + 1 }, (_, index) =>
    journeyDay(campaign, fromDay + index),
  );
  return Object.fromEntries(
    JOURNEY_METRIC_KEYS.map((key) => [key, days.map((counts) => counts[key])]),
  ) as Record<JourneyMetricKey, number[]>;
}

function journeyMetrics(context: RouteContext): ApiResponse {
  const id = pathId(context, 'campaign_id');
  if (!id.ok) return id.response;
  const campaign = context.workspace.campaigns.find((candidate) => candidate.id === id.value);
  if (campaign === undefined) return notFound(`campaign ${id.value} not found`);
  const start = queryInteger(context, 'start');
  if (!start.ok) return start.response;
  const end = queryInteger(context, 'end');
  if (!end.ok) return end.response;
  const resolution = context.query.get('resolution') ?? '';
  if (resolution === '') return badRequest('resolution is required');
  if (!RESOLUTIONS.has(resolution)) return badRequest(`invalid resolution: ${resolution}`);
  if (resolution !== 'days' && resolution !== 'daily')
    return badRequest(`resolution=${resolution} is unsupported in simulator (days only)`);
  if (start.value > end.value) return badRequest('start must not be after end');
  const [fromDay, toDay] = [utcDay(start.value), utcDay(end.value)];
  if (toDay - fromDay + 1 > MAX_JOURNEY_WINDOW_DAYS)
    return badRequest(`the window must not exceed ${MAX_JOURNEY_WINDOW_DAYS} days`);
  return ok({ journey_metric: journeySeries(campaign, fromDay, toDay) });
}

export const JOURNEY_METRIC_ROUTES: readonly RouteDefinition[] = [
  get('/v1/campaigns/:campaign_id/journey_metrics', journeyMetrics),
];
