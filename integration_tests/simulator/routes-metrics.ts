// Metrics endpoints. Campaigns and their actions answer version 2 (res/start/end/tz) when asked with
// version=2 and version 1 (period/steps) otherwise, as documented; broadcasts, their actions,
// newsletters and transactional messages answer version 1 only. The simulator implements daily UTC
// buckets (and, in version 1, monthly ones: calendar months of those days); other resolutions, periods
// and time zones answer 400 "unsupported in simulator". Link metrics (`/metrics/links`) answer version 1
// daily series per tracked link.

import { get, invalid, type Parsed, pathId, pathIdString, queryInteger } from './catalog-params.js';
import { linkMetricsBody } from './link-metrics.js';
import {
  CURRENT_UTC_DAY,
  languageVariantSubjects,
  type MetricRef,
  type MetricSubject,
  metricSeries,
  metricSubject,
  monthlySeries,
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
/** The current spec's maximum for period=months (the 2024 spec said 120). */
export const MAX_V1_MONTH_STEPS = 121;

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

type SeriesOf = (subject: MetricSubject) => Record<string, number[]>;
/** Fields an answer adds beside `metric`, in the same buckets (an action's `language_variants`). */
type Extras = (seriesOf: SeriesOf) => Record<string, unknown>;

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
  const seriesOf: SeriesOf = (of) => metricSeries(seed, of, fromDay, toDay);
  return ok({
    start: isoSeconds(start.value),
    end: isoSeconds(end.value),
    res,
    metric: { series: seriesOf(subject) },
    ...extras(seriesOf),
  });
}

/** The most steps a version-1 period answers, for the periods the simulator implements. */
const MAX_V1_STEPS: Readonly<Record<string, number>> = { days: MAX_V1_DAY_STEPS, months: MAX_V1_MONTH_STEPS };

/** A version-1 `period` and `steps`, checked: the parsed step count, or the 400 answer. */
function v1Steps(
  context: RouteContext,
  periods: readonly string[],
): Parsed<{ period: string; count: number }> {
  const period = context.query.get('period') || 'days';
  if (!PERIODS.has(period)) return invalid(`invalid period: ${period}`);
  const max = MAX_V1_STEPS[period];
  if (max === undefined || !periods.includes(period))
    return invalid(`period=${period} is unsupported in simulator (${periods.join(', ')} only)`);
  const steps = queryInteger(context, 'steps', 0);
  if (!steps.ok) return steps;
  if (steps.value > max) return invalid(`steps must be at most ${max} for ${period}`);
  return { ok: true, value: { period, count: v1StepCount(steps.value, max) } };
}

/**
 * Version 1: `steps` days (or calendar months) ending with the current one, oldest first. As documented,
 * fewer than 2 steps cannot be had (steps=1 answers 2) and steps=0 or none means the period's maximum.
 */
function version1(context: RouteContext, seed: number, subject: MetricSubject, extras: Extras): ApiResponse {
  const steps = v1Steps(context, ['days', 'months']);
  if (!steps.ok) return steps.response;
  const typeError = checkType(context);
  if (typeError) return typeError;
  const { period, count } = steps.value;
  const seriesOf: SeriesOf =
    period === 'months'
      ? (of) => monthlySeries(seed, of, count, CURRENT_UTC_DAY)
      : (of) => metricSeries(seed, of, CURRENT_UTC_DAY - count + 1, CURRENT_UTC_DAY);
  return ok({ metric: { series: seriesOf(subject) }, ...extras(seriesOf) });
}

/** How many buckets a version-1 request with `steps` answers (the array length). */
export function v1StepCount(steps: number, max = MAX_V1_DAY_STEPS): number {
  return steps === 0 ? max : Math.max(2, steps);
}

/** `unique`, a documented boolean: absent or empty means false. */
function uniqueParam(context: RouteContext): Parsed<boolean> {
  const raw = context.query.get('unique') ?? '';
  if (raw === '' || raw === 'false') return { ok: true, value: false };
  if (raw === 'true') return { ok: true, value: true };
  return invalid(`unique must be true or false: ${raw}`);
}

/** Link metrics: version 1 daily series per tracked link of the entity (`{links: [{link, metric}]}`). */
function linkMetricsRoute(path: string, parseRef: RefParser): RouteDefinition {
  return get(path, (context) => {
    const ref = parseRef(context);
    if (!ref.ok) return ref.response;
    const subject = metricSubject(context.workspace, ref.value);
    if (subject === undefined) return notFound(`${ref.value.kind.replaceAll('_', ' ')} not found`);
    const steps = v1Steps(context, ['days']);
    if (!steps.ok) return steps.response;
    const unique = uniqueParam(context);
    if (!unique.ok) return unique.response;
    const fromDay = CURRENT_UTC_DAY - steps.value.count + 1;
    return ok(linkMetricsBody(context.workspace.seed, subject, fromDay, CURRENT_UTC_DAY, unique.value));
  });
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
    const extras: Extras = (seriesOf) =>
      variants.length === 0
        ? {}
        : {
            language_variants: Object.fromEntries(
              variants.map(([id, variant]) => [id, { series: seriesOf(variant) }]),
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

const campaignRef: RefParser = (context) =>
  withId(pathId(context, 'campaign_id'), (campaignId) => ({ kind: 'campaign', campaignId }));
const campaignActionRef: RefParser = (context) =>
  withAction(context, 'campaign_id', (campaignId, actionId) => ({
    kind: 'campaign_action',
    campaignId,
    actionId,
  }));
const broadcastRef: RefParser = (context) =>
  withId(pathId(context, 'broadcast_id'), (broadcastId) => ({ kind: 'broadcast', broadcastId }));
const broadcastActionRef: RefParser = (context) =>
  withAction(context, 'broadcast_id', (broadcastId, actionId) => ({
    kind: 'broadcast_action',
    broadcastId,
    actionId,
  }));
const newsletterRef: RefParser = (context) =>
  withId(pathId(context, 'newsletter_id'), (newsletterId) => ({ kind: 'newsletter', newsletterId }));
const transactionalRef: RefParser = (context) =>
  withId(pathId(context, 'transactional_id'), (transactionalId) => ({
    kind: 'transactional',
    transactionalId,
  }));

function newsletterVariantRef(context: RouteContext): Parsed<MetricRef> {
  const newsletter = pathId(context, 'newsletter_id');
  if (!newsletter.ok) return newsletter;
  const content = pathId(context, 'content_id');
  if (!content.ok) return content;
  return {
    ok: true,
    value: { kind: 'newsletter_variant', newsletterId: newsletter.value, contentId: content.value },
  };
}

export const METRIC_ROUTES: readonly RouteDefinition[] = [
  metricsRoute('/v1/campaigns/:campaign_id/metrics', campaignRef, true),
  metricsRoute('/v1/campaigns/:campaign_id/actions/:action_id/metrics', campaignActionRef, true),
  metricsRoute('/v1/broadcasts/:broadcast_id/metrics', broadcastRef, false),
  metricsRoute('/v1/broadcasts/:broadcast_id/actions/:action_id/metrics', broadcastActionRef, false),
  metricsRoute('/v1/newsletters/:newsletter_id/metrics', newsletterRef, false),
  metricsRoute('/v1/transactional/:transactional_id/metrics', transactionalRef, false),
  linkMetricsRoute('/v1/campaigns/:campaign_id/metrics/links', campaignRef),
  linkMetricsRoute('/v1/campaigns/:campaign_id/actions/:action_id/metrics/links', campaignActionRef),
  linkMetricsRoute('/v1/broadcasts/:broadcast_id/metrics/links', broadcastRef),
  linkMetricsRoute('/v1/broadcasts/:broadcast_id/actions/:action_id/metrics/links', broadcastActionRef),
  linkMetricsRoute('/v1/newsletters/:newsletter_id/metrics/links', newsletterRef),
  linkMetricsRoute('/v1/newsletters/:newsletter_id/contents/:content_id/metrics/links', newsletterVariantRef),
  linkMetricsRoute('/v1/transactional/:transactional_id/metrics/links', transactionalRef),
];
