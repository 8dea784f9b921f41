// The exact records the link and monthly metrics streams must emit for a simulator workspace, built from
// the simulator's own numbers (not from the connector's code).

import type { JsonObject } from '@cio-connectors/kit/json';
import {
  CURRENT_UTC_DAY,
  dayString,
  linkClicksFor,
  METRIC_SERIES_KEYS,
  type MetricRef,
  monthlyMetricsFor,
  trackedLinksOf,
  utcDay,
  type Workspace,
} from './simulator/index.js';

/** One parent of a metrics stream: the id fields its records carry, what the simulator knows it as, its creation. */
interface MetricParent {
  fields: JsonObject;
  ref: MetricRef;
  created: number | undefined;
}

const LINK_DAYS = 45;
const MONTHS = 120;
const DOCUMENTED_SERIES = new Set<string>(METRIC_SERIES_KEYS);

export const LINK_METRIC_STREAMS = [
  'campaign_link_metrics',
  'campaign_action_link_metrics',
  'broadcast_link_metrics',
  'broadcast_action_link_metrics',
  'newsletter_link_metrics',
  'newsletter_variant_link_metrics',
  'transactional_message_link_metrics',
] as const;
export type LinkMetricStream = (typeof LINK_METRIC_STREAMS)[number];

export const MONTHLY_METRIC_STREAMS = [
  'broadcast_metrics_monthly',
  'broadcast_action_metrics_monthly',
  'newsletter_metrics_monthly',
  'transactional_message_metrics_monthly',
] as const;
export type MonthlyMetricStream = (typeof MONTHLY_METRIC_STREAMS)[number];

function parentsOf(ws: Workspace, stream: LinkMetricStream | MonthlyMetricStream): MetricParent[] {
  switch (stream) {
    case 'campaign_link_metrics':
      return ws.campaigns.map((c) => ({
        fields: { campaign_id: c.id },
        ref: { kind: 'campaign', campaignId: c.id },
        created: c.created,
      }));
    case 'campaign_action_link_metrics':
      return ws.campaigns.flatMap((c) =>
        (ws.campaignActions.get(c.id) ?? []).map((a) => ({
          fields: { campaign_id: c.id, action_id: a.id },
          ref: { kind: 'campaign_action', campaignId: c.id, actionId: a.id },
          created: a.created,
        })),
      );
    case 'broadcast_link_metrics':
    case 'broadcast_metrics_monthly':
      return ws.broadcasts.map((b) => ({
        fields: { broadcast_id: b.id },
        ref: { kind: 'broadcast', broadcastId: b.id },
        created: b.created,
      }));
    case 'broadcast_action_link_metrics':
    case 'broadcast_action_metrics_monthly':
      return ws.broadcasts.flatMap((b) =>
        (ws.broadcastActions.get(b.id) ?? []).map((a) => ({
          fields: { broadcast_id: b.id, action_id: Number(a.id) },
          ref: { kind: 'broadcast_action', broadcastId: b.id, actionId: a.id },
          created: a.created,
        })),
      );
    case 'newsletter_link_metrics':
    case 'newsletter_metrics_monthly':
      return ws.newsletters.map((n) => ({
        fields: { newsletter_id: n.id },
        ref: { kind: 'newsletter', newsletterId: n.id },
        created: n.created,
      }));
    case 'newsletter_variant_link_metrics':
      // Variants carry no creation time: every day of the series is kept.
      return ws.newsletters.flatMap((n) =>
        (ws.newsletterContents.get(n.id) ?? []).map((v) => ({
          fields: { newsletter_id: n.id, content_id: v.id },
          ref: { kind: 'newsletter_variant', newsletterId: n.id, contentId: v.id },
          created: undefined,
        })),
      );
    case 'transactional_message_link_metrics':
    case 'transactional_message_metrics_monthly':
      return ws.transactionalMessages.map((t) => ({
        fields: { transactional_message_id: t.id },
        ref: { kind: 'transactional', transactionalId: t.id },
        created: t.created_at,
      }));
  }
}

/** Every record a link metrics stream reads: each link of each parent, each of the last 45 days since its creation. */
export function expectedLinkRecords(ws: Workspace, stream: LinkMetricStream): JsonObject[] {
  const firstDay = CURRENT_UTC_DAY - LINK_DAYS + 1;
  return parentsOf(ws, stream).flatMap(({ fields, ref, created }) => {
    const from = Math.max(firstDay, created === undefined ? firstDay : utcDay(created));
    return (trackedLinksOf(ws, ref) ?? []).flatMap((link) =>
      Array.from({ length: Math.max(0, CURRENT_UTC_DAY - from + 1) }, (_, index) => {
        const day = dayString(from + index);
        return { ...fields, link_id: link.id, href: link.href, day, ...linkClicksFor(ws, ref, link.id, day) };
      }),
    );
  });
}

const monthOfDay = (day: number): string => dayString(day).slice(0, 7);

function monthsBack(month: string, back: number): string {
  const [year = 1970, number = 1] = month.split('-').map(Number);
  return new Date(Date.UTC(year, number - 1 - back, 1)).toISOString().slice(0, 7);
}

/** Documented series as columns, the others under additional_metrics, as the metrics streams emit them. */
function metricColumns(counts: Record<string, number>): JsonObject {
  const columns: JsonObject = {};
  const additional: JsonObject = {};
  for (const [name, count] of Object.entries(counts)) {
    if (DOCUMENTED_SERIES.has(name)) columns[name] = count;
    else additional[name] = count;
  }
  return Object.keys(additional).length === 0 ? columns : { ...columns, additional_metrics: additional };
}

/** Every record a monthly metrics stream reads: each parent's months of the last 120, from its creation's month. */
export function expectedMonthlyRecords(ws: Workspace, stream: MonthlyMetricStream): JsonObject[] {
  const current = monthOfDay(CURRENT_UTC_DAY);
  return parentsOf(ws, stream).flatMap(({ fields, ref, created }) =>
    Array.from({ length: MONTHS }, (_, index) => monthsBack(current, MONTHS - 1 - index))
      .filter((month) => created === undefined || month >= monthOfDay(utcDay(created)))
      .map((month) => ({ ...fields, month, ...metricColumns(monthlyMetricsFor(ws, ref, month) ?? {}) })),
  );
}

/** A stable order to compare record lists in. */
export function sortedRecords(records: readonly JsonObject[]): JsonObject[] {
  const keyOf = (record: JsonObject) => JSON.stringify(Object.entries(record).sort());
  return [...records].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}
