// Daily message metrics. Every count is a pure function of (workspace seed, entity, UTC day), so any
// window, v1 or v2, reports the same number for a given day; days before the entity started, and days
// after WORKSPACE_NOW's, count 0.

import { hash32 } from './hash.js';
import { mulberry32 } from './random.js';
import { DAY_SECONDS, WORKSPACE_NOW } from './time.js';
import type { Workspace } from './workspace.js';

/** The documented series keys (reference §5.1), in the order the simulator sends them. */
export const METRIC_SERIES_KEYS = [
  'attempted',
  'bounced',
  'clicked',
  'converted',
  'created',
  'deferred',
  'delivered',
  'drafted',
  'failed',
  'human_clicked',
  'human_opened',
  'link_untracked',
  'machine_clicked',
  'open_untracked',
  'opened',
  'prefetch_opened',
  'replied',
  'sent',
  'spammed',
  'suppressed',
  'topic_unsubscribed',
  'tracking_consent_denied',
  'tracking_consent_granted',
  'undeliverable',
  'unsubscribed',
  'untracked',
] as const;
export type MetricSeriesKey = (typeof METRIC_SERIES_KEYS)[number];

/** An undocumented series the simulator adds for SMS channels, so clients meet an unknown key. */
export const EXTRA_SERIES_KEY = 'dropped';

export type MetricRef =
  | { kind: 'campaign'; campaignId: number }
  | { kind: 'campaign_action'; campaignId: number; actionId: string }
  | { kind: 'broadcast'; broadcastId: number }
  | { kind: 'broadcast_action'; broadcastId: number; actionId: string }
  | { kind: 'newsletter'; newsletterId: number }
  | { kind: 'newsletter_variant'; newsletterId: number; contentId: number }
  | { kind: 'transactional'; transactionalId: number };

/** What the numbers of one entity depend on. */
export interface MetricSubject {
  key: string;
  /** First UTC day with activity; null when the entity never sent anything. */
  firstDay: number | null;
  channel: string;
  /** Typical daily volume. */
  scale: number;
  /** One-time sends: everything goes out on `firstDay`, engagement trails off afterwards. */
  oneShot: boolean;
  /** Draft actions only count created and drafted messages. */
  draftOnly: boolean;
}

const OMITTED_BY_CHANNEL: Readonly<Record<string, readonly MetricSeriesKey[]>> = {
  push: ['prefetch_opened', 'spammed', 'replied'],
  in_app: ['prefetch_opened', 'spammed', 'replied'],
  inbox: ['prefetch_opened', 'spammed', 'replied'],
  twilio: ['prefetch_opened', 'open_untracked', 'spammed'],
  sms: ['prefetch_opened', 'open_untracked', 'spammed'],
  webhook: ['prefetch_opened', 'human_opened', 'spammed', 'replied'],
  slack: ['prefetch_opened', 'human_opened', 'spammed', 'replied'],
};

/** The series keys an entity of this channel answers: most documented ones, per channel. */
export function seriesKeysFor(channel: string): string[] {
  return [...keysOfChannel(channel)];
}

const keysByChannel = new Map<string, readonly string[]>();

/** seriesKeysFor, computed once per channel: dailyMetrics asks for every day of a series. */
function keysOfChannel(channel: string): readonly string[] {
  let keys = keysByChannel.get(channel);
  if (keys === undefined) {
    const omitted = new Set<string>(OMITTED_BY_CHANNEL[channel] ?? []);
    const computed: string[] = METRIC_SERIES_KEYS.filter((key) => !omitted.has(key));
    if (channel === 'twilio' || channel === 'sms') computed.push(EXTRA_SERIES_KEY);
    keys = computed;
    keysByChannel.set(channel, keys);
  }
  return keys;
}

/** `{key: value(key)}` for the channel's series keys, in their order. */
function byChannelKey(channel: string, value: (key: string) => number): Record<string, number> {
  const record: Record<string, number> = {};
  for (const key of keysOfChannel(channel)) record[key] = value(key);
  return record;
}

export function utcDay(timestamp: number): number {
  return Math.floor(timestamp / DAY_SECONDS);
}

/** "YYYY-MM-DD" of a UTC day number. */
export function dayString(day: number): string {
  return new Date(day * DAY_SECONDS * 1000).toISOString().slice(0, 10);
}

/** UTC day number of "YYYY-MM-DD"; undefined when malformed. */
export function parseDay(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const millis = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(millis) || dayString(millis / 1000 / DAY_SECONDS) !== text
    ? undefined
    : millis / 1000 / DAY_SECONDS;
}

/** The UTC day number of WORKSPACE_NOW: the last element of every version-1 series. */
export const CURRENT_UTC_DAY = utcDay(WORKSPACE_NOW);

function startedDay(...timestamps: number[]): number | null {
  return timestamps.some((timestamp) => timestamp <= 0) ? null : utcDay(Math.max(...timestamps));
}

function subject(key: string, firstDay: number | null, channel: string, scale: number): MetricSubject {
  return { key, firstDay, channel, scale, oneShot: false, draftOnly: false };
}

/** Resolves a reference against the workspace; undefined when the entity does not exist. */
export function metricSubject(workspace: Workspace, ref: MetricRef): MetricSubject | undefined {
  switch (ref.kind) {
    case 'campaign': {
      const campaign = workspace.campaigns.find((candidate) => candidate.id === ref.campaignId);
      return campaign && subject(`campaign:${campaign.id}`, startedDay(campaign.first_started), 'mixed', 400);
    }
    case 'campaign_action': {
      const campaign = workspace.campaigns.find((candidate) => candidate.id === ref.campaignId);
      const action = workspace.campaignActions.get(ref.campaignId)?.find((a) => a.id === ref.actionId);
      if (!campaign || !action) return undefined;
      const silent = action.sending_state === 'off' || action.type === 'attribute_update';
      return {
        ...subject(
          `campaign:${campaign.id}:action:${action.id}`,
          silent ? null : startedDay(campaign.first_started, action.created),
          action.type,
          120,
        ),
        draftOnly: action.sending_state === 'draft',
      };
    }
    case 'broadcast': {
      const broadcast = workspace.broadcasts.find((candidate) => candidate.id === ref.broadcastId);
      return (
        broadcast && subject(`broadcast:${broadcast.id}`, startedDay(broadcast.first_started), 'mixed', 250)
      );
    }
    case 'broadcast_action': {
      const broadcast = workspace.broadcasts.find((candidate) => candidate.id === ref.broadcastId);
      const action = workspace.broadcastActions.get(ref.broadcastId)?.find((a) => a.id === ref.actionId);
      if (!broadcast || !action) return undefined;
      const firstDay =
        action.sending_state === 'off' ? null : startedDay(broadcast.first_started, action.created);
      return {
        ...subject(`broadcast:${broadcast.id}:action:${action.id}`, firstDay, action.type, 100),
        draftOnly: action.sending_state === 'draft',
      };
    }
    case 'newsletter': {
      const newsletter = workspace.newsletters.find((candidate) => candidate.id === ref.newsletterId);
      if (!newsletter) return undefined;
      const firstDay = newsletter.sent_at === null ? null : startedDay(newsletter.sent_at);
      return { ...subject(`newsletter:${newsletter.id}`, firstDay, newsletter.type, 5_000), oneShot: true };
    }
    case 'newsletter_variant':
      return newsletterVariantSubject(workspace, ref.newsletterId, ref.contentId);
    case 'transactional':
      return transactionalSubject(workspace, ref.transactionalId);
  }
}

/**
 * An action's translations (actions whose parent_action_id is it), with their own numbers: action metrics
 * answer them under `language_variants` ({variant action id: {series}}; reference §5.1 gives only
 * "{action_id: metrics}", so the inner shape mirrors `metric`).
 */
export function languageVariantSubjects(
  workspace: Workspace,
  ref: MetricRef,
): Array<[string, MetricSubject]> {
  if (ref.kind !== 'campaign_action') return [];
  const actions = workspace.campaignActions.get(ref.campaignId) ?? [];
  return actions
    .filter((action) => action.parent_action_id === Number(ref.actionId))
    .flatMap((action) => {
      const variant = metricSubject(workspace, { ...ref, actionId: action.id });
      return variant === undefined ? [] : [[action.id, variant] as [string, MetricSubject]];
    });
}

/** A newsletter's variant: its share of the newsletter's audience, on the variant's channel. */
function newsletterVariantSubject(
  workspace: Workspace,
  newsletterId: number,
  contentId: number,
): MetricSubject | undefined {
  const newsletter = workspace.newsletters.find((candidate) => candidate.id === newsletterId);
  const contents = workspace.newsletterContents.get(newsletterId) ?? [];
  const content = contents.find((candidate) => candidate.id === contentId);
  if (!newsletter || !content) return undefined;
  const firstDay = newsletter.sent_at === null ? null : startedDay(newsletter.sent_at);
  const scale = Math.floor(5_000 / contents.length);
  return {
    ...subject(`newsletter:${newsletter.id}:content:${content.id}`, firstDay, content.type, scale),
    oneShot: true,
  };
}

function transactionalSubject(workspace: Workspace, id: number): MetricSubject | undefined {
  const template = workspace.transactionalMessages.find((candidate) => candidate.id === id);
  const channel = workspace.transactionalContents.get(id)?.[0]?.type ?? 'email';
  return template && subject(`transactional:${template.id}`, startedDay(template.created_at), channel, 300);
}

/** Whole-number share of `count`, between `low` and `high`. */
function share(random: () => number, count: number, low: number, high: number): number {
  return Math.floor(count * (low + random() * (high - low)));
}

/** Days `volumes` answers [0, 0] without a random draw. */
function isQuiet(subjectOf: MetricSubject, day: number): boolean {
  if (subjectOf.firstDay === null || day < subjectOf.firstDay || day > CURRENT_UTC_DAY) return true;
  return subjectOf.oneShot && day - subjectOf.firstDay >= 180;
}

/** Volumes for the day: messages created that day, and the base engagement is measured on. */
function volumes(subjectOf: MetricSubject, day: number, random: () => number): [number, number] {
  if (subjectOf.firstDay === null || day < subjectOf.firstDay || day > CURRENT_UTC_DAY) return [0, 0];
  if (!subjectOf.oneShot) {
    const created = random() < 0.85 ? Math.floor(random() * subjectOf.scale) : 0;
    return [created, created];
  }
  const age = day - subjectOf.firstDay;
  // Opens and clicks are recorded for about 6 months: a fast decay, then a long thin tail.
  if (age >= 180) return [0, 0];
  return [age === 0 ? subjectOf.scale : 0, Math.floor(subjectOf.scale * (0.8 ** age + 0.02 * 0.985 ** age))];
}

/** Every counted metric of the entity on one day, keyed by series name (the channel's keys only). */
export function dailyMetrics(seed: number, subjectOf: MetricSubject, day: number): Record<string, number> {
  // A day with nothing sent is all zeros whatever the random draws: skipped without them, so a long series (a
  // monthly answer covers ten years) costs the simulator little (it answers every request from one event loop,
  // and a long computation there would hold back other requests' arrival, as a real API's ingress does not).
  if (isQuiet(subjectOf, day)) return byChannelKey(subjectOf.channel, () => 0);
  const random = mulberry32(hash32(`${seed}|${subjectOf.key}|${day}`));
  const [created, engagedBase] = volumes(subjectOf, day, random);
  const all: Record<string, number> = Object.fromEntries(
    [...METRIC_SERIES_KEYS, EXTRA_SERIES_KEY].map((key) => [key, 0]),
  );
  all.created = created;
  if (subjectOf.draftOnly) {
    all.drafted = created;
  } else {
    const failed = share(random, created, 0, 0.02);
    const suppressed = share(random, created, 0, 0.02);
    const undeliverable = share(random, created, 0, 0.01);
    const sent = created - failed - suppressed - undeliverable;
    const bounced = share(random, sent, 0, 0.03);
    const delivered = sent - bounced;
    // One-time sends keep collecting opens and clicks for days after everything went out.
    const engaged = subjectOf.oneShot ? Math.floor(engagedBase * 0.9) : delivered;
    const opened = share(random, engaged, 0.2, 0.55);
    const humanOpened = share(random, opened, 0.7, 0.95);
    const clicked = share(random, opened, 0.05, 0.3);
    const humanClicked = share(random, clicked, 0.8, 1);
    Object.assign(all, {
      attempted: created,
      failed,
      suppressed,
      undeliverable,
      sent,
      deferred: share(random, sent, 0, 0.02),
      bounced,
      delivered,
      opened,
      human_opened: humanOpened,
      prefetch_opened: opened - humanOpened,
      open_untracked: share(random, engaged, 0, 0.05),
      clicked,
      human_clicked: humanClicked,
      machine_clicked: clicked - humanClicked,
      link_untracked: share(random, clicked, 0, 0.1),
      converted: share(random, clicked, 0, 0.3),
      replied: share(random, engaged, 0, 0.01),
      spammed: share(random, engaged, 0, 0.005),
      unsubscribed: share(random, engaged, 0, 0.02),
      topic_unsubscribed: share(random, engaged, 0, 0.01),
      tracking_consent_granted: share(random, engaged, 0, 0.05),
      tracking_consent_denied: share(random, engaged, 0, 0.02),
      untracked: share(random, sent, 0, 0.03),
      dropped: share(random, created, 0, 0.02),
    });
  }
  return byChannelKey(subjectOf.channel, (key) => all[key] ?? 0);
}

/** The series of one entity for the UTC days from..to inclusive, oldest first. */
export function metricSeries(
  seed: number,
  subjectOf: MetricSubject,
  fromDay: number,
  toDay: number,
): Record<string, number[]> {
  const series: Record<string, number[]> = Object.fromEntries(
    seriesKeysFor(subjectOf.channel).map((key) => [key, []]),
  );
  for (let day = fromDay; day <= toDay; day++) {
    for (const [key, value] of Object.entries(dailyMetrics(seed, subjectOf, day))) series[key]?.push(value);
  }
  return series;
}

/** The counts the simulator reports for an entity on a "YYYY-MM-DD" day; undefined for an unknown entity. */
export function metricsFor(
  workspace: Workspace,
  ref: MetricRef,
  day: string,
): Record<string, number> | undefined {
  const dayNumber = parseDay(day);
  if (dayNumber === undefined) throw new Error(`not a YYYY-MM-DD day: ${day}`);
  const subjectOf = metricSubject(workspace, ref);
  return subjectOf && dailyMetrics(workspace.seed, subjectOf, dayNumber);
}

/** The series an endpoint answers for the "YYYY-MM-DD" days from..to inclusive; undefined for an unknown entity. */
export function expectedSeries(
  workspace: Workspace,
  ref: MetricRef,
  fromDay: string,
  toDay: string,
): Record<string, number[]> | undefined {
  const from = parseDay(fromDay);
  const to = parseDay(toDay);
  if (from === undefined || to === undefined) throw new Error(`not YYYY-MM-DD days: ${fromDay}, ${toDay}`);
  const subjectOf = metricSubject(workspace, ref);
  return subjectOf && metricSeries(workspace.seed, subjectOf, from, to);
}

/** Days of the UTC calendar month that holds `day`, as [first, last] day numbers. */
export function monthOf(day: number): [number, number] {
  const date = new Date(day * DAY_SECONDS * 1000);
  const first = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / 1000 / DAY_SECONDS;
  const next = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / 1000 / DAY_SECONDS;
  return [first, next - 1];
}

/** The first day of the month `count` months before the month holding `day`. */
export function monthsBefore(day: number, count: number): number {
  const date = new Date(day * DAY_SECONDS * 1000);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - count, 1) / 1000 / DAY_SECONDS;
}

/**
 * Monthly series: each month's daily counts summed, for the `months` calendar months ending with the one
 * holding `toDay` (which counts only up to `toDay`), oldest first.
 */
export function monthlySeries(
  seed: number,
  subjectOf: MetricSubject,
  months: number,
  toDay: number,
): Record<string, number[]> {
  const series: Record<string, number[]> = Object.fromEntries(
    seriesKeysFor(subjectOf.channel).map((key) => [key, []]),
  );
  for (let index = months - 1; index >= 0; index--) {
    const [first, last] = monthOf(monthsBefore(toDay, index));
    const totals = metricSeries(seed, subjectOf, first, Math.min(last, toDay));
    for (const [key, values] of Object.entries(totals)) {
      series[key]?.push(values.reduce((sum, value) => sum + value, 0));
    }
  }
  return series;
}

/** The counts the simulator reports for an entity in a "YYYY-MM" month; undefined for an unknown entity. */
export function monthlyMetricsFor(
  workspace: Workspace,
  ref: MetricRef,
  month: string,
): Record<string, number> | undefined {
  const first = parseDay(`${month}-01`);
  if (first === undefined) throw new Error(`not a YYYY-MM month: ${month}`);
  const subjectOf = metricSubject(workspace, ref);
  if (subjectOf === undefined) return undefined;
  const [, last] = monthOf(first);
  const totals = metricSeries(workspace.seed, subjectOf, first, Math.min(last, CURRENT_UTC_DAY));
  return Object.fromEntries(
    Object.entries(totals).map(([key, values]) => [key, values.reduce((sum, value) => sum + value, 0)]),
  );
}
