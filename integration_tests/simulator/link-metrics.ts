// Link metrics: the tracked links of a message and their daily clicks. An entity's links and each link's
// counts are pure functions of (workspace seed, entity, link, UTC day), like the message metrics they
// split: a link's clicks on a day are a share of the entity's clicks that day.

import { hash32 } from './hash.js';
import { dailyMetrics, type MetricRef, type MetricSubject, metricSubject, parseDay } from './metrics.js';
import { mulberry32 } from './random.js';
import type { Workspace } from './workspace.js';

/** The series a link metrics answer carries (reference §5.1). */
export const LINK_SERIES_KEYS = ['clicked', 'human_clicked', 'machine_clicked'] as const;

/** Channels whose messages carry tracked links. */
const LINKED_CHANNELS = new Set(['email', 'mixed', 'in_app', 'inbox', 'push']);

export interface TrackedLink {
  id: number;
  href: string;
}

/** An entity's tracked links: one to three for channels with links, none otherwise. */
export function linksOf(subjectOf: MetricSubject): TrackedLink[] {
  if (!LINKED_CHANNELS.has(subjectOf.channel)) return [];
  const hash = hash32(`links|${subjectOf.key}`);
  const count = 1 + (hash % 3);
  const firstId = 1_000 + (hash % 90_000) * 10;
  return Array.from({ length: count }, (_, index) => ({
    id: firstId + index,
    href: `https://www.northwind.example/l/${hash.toString(36)}/${index + 1}`,
  }));
}

/** Clicks of one link on one UTC day; `unique` counts each person once, so it never exceeds the total. */
export function linkClicks(
  seed: number,
  subjectOf: MetricSubject,
  link: TrackedLink,
  day: number,
  unique: boolean,
): Record<string, number> {
  const random = mulberry32(hash32(`${seed}|${subjectOf.key}|link:${link.id}|${day}`));
  const entityClicks = dailyMetrics(seed, subjectOf, day).clicked ?? 0;
  const total = Math.floor(entityClicks * (0.2 + random() * 0.6));
  const clicked = unique ? Math.floor(total * (0.6 + random() * 0.4)) : total;
  const humanClicked = Math.floor(clicked * (0.8 + random() * 0.2));
  return { clicked, human_clicked: humanClicked, machine_clicked: clicked - humanClicked };
}

/** `{links: [{link, metric: {series}}]}` for the UTC days from..to inclusive. */
export function linkMetricsBody(
  seed: number,
  subjectOf: MetricSubject,
  fromDay: number,
  toDay: number,
  unique: boolean,
): { links: Array<{ link: TrackedLink; metric: { series: Record<string, number[]> } }> } {
  return {
    links: linksOf(subjectOf).map((link) => {
      const series: Record<string, number[]> = Object.fromEntries(LINK_SERIES_KEYS.map((key) => [key, []]));
      for (let day = fromDay; day <= toDay; day++) {
        for (const [key, value] of Object.entries(linkClicks(seed, subjectOf, link, day, unique))) {
          series[key]?.push(value);
        }
      }
      return { link, metric: { series } };
    }),
  };
}

/** The links of an entity; undefined for an unknown entity. */
export function trackedLinksOf(workspace: Workspace, ref: MetricRef): TrackedLink[] | undefined {
  const subjectOf = metricSubject(workspace, ref);
  return subjectOf && linksOf(subjectOf);
}

/** The clicks the simulator reports for one link of an entity on a "YYYY-MM-DD" day (total, not unique). */
export function linkClicksFor(
  workspace: Workspace,
  ref: MetricRef,
  linkId: number,
  day: string,
): Record<string, number> | undefined {
  const dayNumber = parseDay(day);
  if (dayNumber === undefined) throw new Error(`not a YYYY-MM-DD day: ${day}`);
  const subjectOf = metricSubject(workspace, ref);
  const link = subjectOf && linksOf(subjectOf).find((candidate) => candidate.id === linkId);
  return subjectOf && link && linkClicks(workspace.seed, subjectOf, link, dayNumber, false);
}
