// Metrics endpoints. Campaigns and their actions answer version 2 (res/start/end/tz) when asked with
// version=2 and version 1 (period/steps) otherwise, as documented; broadcasts, their actions,
// newsletters and transactional messages answer version 1 only. The simulator implements daily UTC
// buckets; other resolutions, periods and time zones answer 400 "unsupported in simulator".

import { get, type Parsed, pathId, pathIdString, queryInteger } from './catalog-params.js';
import {
  CURRENT_UTC_DAY,
  languageVariantSubjects,
  type MetricRef,
  type MetricSubject,
  metricSeries,
  metricSubject,
  utcDay,
} from './metrics.js';
import { badRequest, notFound, ok } from './responses.js';
import type { ApiResponse, RouteContext, RouteDefinition } from './router.js';
import { DAY_SECONDS } from './time.js';

const RESOLUTIONS = new Set(['hours', 'hourly', 'days', 'daily', 'weeks', 'weekly', 'months', 'monthly']);
const PERIODS = new Set(['hours', 'days', 'weeks', 'months']);
const CHANNELS = new Set([
  'email',
  'webhook',
  'twilio',
  'whatsapp',
  'slack',
  'push',
  'in_app',
  'live_notification',
]);
const UTC_NAMES = new Set(['UTC', 'Etc/UTC']);
/** "window ≤ 10 years": ten years of 365 days plus three leap days. */
export const MAX_V2_WINDOW_SECONDS = 3_653 * DAY_SECONDS;
export const MAX_V1_DAY_STEPS = 45;

function isoSeconds(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().replace('.000Z', 'Z');
}

/** `type` filters by channel; the simulator checks the value and otherwise ignores it. */
function checkType(context: RouteContext): ApiResponse | undefined {
  const type = context.query.get('type');
  return type !== null && type !== '' && !CHANNELS.has(type)
    ? badRequest(`invalid type: ${type}`)
    : undefined;
}

/** Fields an answer adds beside `metric` for the days from..to (an action's `language_variants`). */
type Extras = (fromDay: number, toDay: number) => Record<string, unknown>;

function version2(context: RouteContext, seed: number, subject: MetricSubject, extras: Extras): ApiResponse {
  const res = context.query.get('res') ?? '';
  if (res === '') return badRequest('res is required with version=2');
  if (!RESOLUTIONS.has(res)) return badRequest(`invalid res: ${res}`);
  if (res !== 'days' && res !== 'daily')
    return badRequest(`res=${res} is unsupported in simulator (days only)`);
  const start = queryInteger(context, 'start');
  if (!start.ok) return start.response;
  const end = queryInteger(context, 'end');
  if (!end.ok) return end.response;
  if (start.value > end.value) return badRequest('start must not be after end');
  if (end.value - start.value > MAX_V2_WINDOW_SECONDS)
    return badRequest('the window must not exceed 10 years');
  const tz = context.query.get('tz') ?? '';
  if (tz !== '' && !UTC_NAMES.has(tz)) return badRequest(`tz=${tz} is unsupported in simulator (UTC only)`);
  const typeError = checkType(context);
  if (typeError) return typeError;
  const [fromDay, toDay] = [utcDay(start.value), utcDay(end.value)];
  return ok({
    start: isoSeconds(start.value),
    end: isoSeconds(end.value),
    res,
    metric: { series: metricSeries(seed, subject, fromDay, toDay) },
    ...extras(fromDay, toDay),
  });
}

/**
 * Version 1: `steps` days ending with the current day, oldest first. As documented, fewer than 2 steps
 * cannot be had (steps=1 answers 2 days) and steps=0 or none means the maximum, 45.
 */
function version1(context: RouteContext, seed: number, subject: MetricSubject, extras: Extras): ApiResponse {
  const period = context.query.get('period') || 'days';
  if (!PERIODS.has(period)) return badRequest(`invalid period: ${period}`);
  if (period !== 'days') return badRequest(`period=${period} is unsupported in simulator (days only)`);
  const steps = queryInteger(context, 'steps', 0);
  if (!steps.ok) return steps.response;
  if (steps.value > MAX_V1_DAY_STEPS) return badRequest(`steps must be at most ${MAX_V1_DAY_STEPS} for days`);
  const typeError = checkType(context);
  if (typeError) return typeError;
  const fromDay = CURRENT_UTC_DAY - v1StepCount(steps.value) + 1;
  return ok({
    metric: { series: metricSeries(seed, subject, fromDay, CURRENT_UTC_DAY) },
    ...extras(fromDay, CURRENT_UTC_DAY),
  });
}

/** How many days a version-1 request with `steps` answers (the array length). */
export function v1StepCount(steps: number): number {
  return steps === 0 ? MAX_V1_DAY_STEPS : Math.max(2, steps);
}

type RefParser = (context: RouteContext) => Parsed<MetricRef>;

function metricsRoute(path: string, parseRef: RefParser, versioned: boolean): RouteDefinition {
  return get(path, (context) => {
    const ref = parseRef(context);
    if (!ref.ok) return ref.response;
    const subject = metricSubject(context.workspace, ref.value);
    if (subject === undefined) return notFound(`${ref.value.kind.replace('_', ' ')} not found`);
    const { seed } = context.workspace;
    const variants = languageVariantSubjects(context.workspace, ref.value);
    const extras: Extras = (fromDay, toDay) =>
      variants.length === 0
        ? {}
        : {
            language_variants: Object.fromEntries(
              variants.map(([id, variant]) => [id, { series: metricSeries(seed, variant, fromDay, toDay) }]),
            ),
          };
    return versioned && context.query.get('version') === '2'
      ? version2(context, seed, subject, extras)
      : version1(context, seed, subject, extras);
  });
}

function withId<T>(parsed: Parsed<number>, build: (id: number) => T): Parsed<T> {
  return parsed.ok ? { ok: true, value: build(parsed.value) } : parsed;
}

function withAction(
  context: RouteContext,
  parentName: string,
  build: (parent: number, action: string) => MetricRef,
): Parsed<MetricRef> {
  const parent = pathId(context, parentName);
  if (!parent.ok) return parent;
  const action = pathIdString(context, 'action_id');
  if (!action.ok) return action;
  return { ok: true, value: build(parent.value, action.value) };
}

export const METRIC_ROUTES: readonly RouteDefinition[] = [
  metricsRoute(
    '/v1/campaigns/:campaign_id/metrics',
    (context) => withId(pathId(context, 'campaign_id'), (campaignId) => ({ kind: 'campaign', campaignId })),
    true,
  ),
  metricsRoute(
    '/v1/campaigns/:campaign_id/actions/:action_id/metrics',
    (context) =>
      withAction(context, 'campaign_id', (campaignId, actionId) => ({
        kind: 'campaign_action',
        campaignId,
        actionId,
      })),
    true,
  ),
  metricsRoute(
    '/v1/broadcasts/:broadcast_id/metrics',
    (context) =>
      withId(pathId(context, 'broadcast_id'), (broadcastId) => ({ kind: 'broadcast', broadcastId })),
    false,
  ),
  metricsRoute(
    '/v1/broadcasts/:broadcast_id/actions/:action_id/metrics',
    (context) =>
      withAction(context, 'broadcast_id', (broadcastId, actionId) => ({
        kind: 'broadcast_action',
        broadcastId,
        actionId,
      })),
    false,
  ),
  metricsRoute(
    '/v1/newsletters/:newsletter_id/metrics',
    (context) =>
      withId(pathId(context, 'newsletter_id'), (newsletterId) => ({ kind: 'newsletter', newsletterId })),
    false,
  ),
  metricsRoute(
    '/v1/transactional/:transactional_id/metrics',
    (context) =>
      withId(pathId(context, 'transactional_id'), (transactionalId) => ({
        kind: 'transactional',
        transactionalId,
      })),
    false,
  ),
];
