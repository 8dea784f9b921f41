// Deliveries (GET /v1/messages and the per-parent lists), the activity log and transactional messages.

import {
  activitiesFor,
  type DeliveryParentKind,
  MESSAGES_MAX_SPAN_SECONDS,
  PARENT_MESSAGES_MAX_SPAN_SECONDS,
  parentDefaultWindow,
  requestWindow,
  type TimeWindow,
} from './audience.js';
import {
  idType,
  invalid,
  limit,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalString,
  type Parsed,
  pathId,
  route,
  startToken,
} from './audience-params.js';
import { type DeliveryFilter, deliveryPage, type RowList } from './deliveries.js';
import { withTrackedResponses } from './delivery-details.js';
import { encodePageToken, nextToken, pageAt } from './pagination.js';
import type { Activity } from './records-audience.js';
import { notFound, ok } from './responses.js';
import type { ApiResponse, RouteContext, RouteDefinition } from './router.js';
import type { Workspace } from './workspace.js';

export const DEFAULT_MESSAGES_LIMIT = 50;
export const MAX_MESSAGES_LIMIT = 1000;
export const DEFAULT_ACTIVITIES_LIMIT = 10;
export const MAX_ACTIVITIES_LIMIT = 100;

export const MESSAGE_TYPES = [
  'email',
  'webhook',
  'twilio',
  'whatsapp',
  'slack',
  'push',
  'in_app',
  'live_notification',
] as const;
export const MESSAGE_METRICS = [
  'attempted',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'converted',
  'bounced',
  'spammed',
  'unsubscribed',
  'dropped',
  'failed',
  'undeliverable',
] as const;
const DELIVERY_STATES = ['failed', 'sent', 'drafted', 'attempted'] as const;

interface DeliveryListParams {
  resume: number | undefined;
  limit: number;
  startTs: number | undefined;
  endTs: number | undefined;
  filter: DeliveryFilter;
  /** drafts=true (or state=drafted) asks for drafts; the simulated workspace has none. */
  drafts: boolean;
  /** get_tracked_responses=true: each delivery carries `tracked_responses`. */
  trackedResponses: boolean;
}

function optional<T>(value: T | undefined, build: (value: T) => object): object {
  return value === undefined ? {} : build(value);
}

/** Parameters every delivery list takes: start, limit, type, metric, state, drafts, start_ts, end_ts, get_tracked_responses. */
function deliveryListParams(context: RouteContext): Parsed<DeliveryListParams> {
  const parts = {
    resume: startToken(context),
    limit: limit(context, DEFAULT_MESSAGES_LIMIT, MAX_MESSAGES_LIMIT),
    type: optionalEnum(context, 'type', MESSAGE_TYPES),
    metric: optionalEnum(context, 'metric', MESSAGE_METRICS),
    state: optionalEnum(context, 'state', DELIVERY_STATES),
    drafts: optionalBoolean(context, 'drafts'),
    trackedResponses: optionalBoolean(context, 'get_tracked_responses'),
    startTs: optionalInteger(context, 'start_ts'),
    endTs: optionalInteger(context, 'end_ts'),
  };
  for (const part of Object.values(parts)) if (!part.ok) return part;
  const value = <T>(parsed: Parsed<T>): T => (parsed as { ok: true; value: T }).value;
  const startTs = value(parts.startTs);
  const endTs = value(parts.endTs);
  if (startTs !== undefined && endTs !== undefined && startTs > endTs) {
    return invalid('start_ts must not be after end_ts');
  }
  const state = value(parts.state);
  const metric = value(parts.metric);
  return {
    ok: true,
    value: {
      resume: value(parts.resume),
      limit: value(parts.limit),
      startTs,
      endTs,
      drafts: value(parts.drafts) === true || state === 'drafted',
      trackedResponses: value(parts.trackedResponses) === true,
      filter: {
        ...optional(value(parts.type), (type) => ({ type })),
        ...optional(state === 'drafted' ? undefined : (state ?? metric), (name) => ({ metric: name })),
      },
    },
  };
}

/** One page; `messages: null` when the first page of the window is empty (live quirk), `[]` past the end. */
function deliveryListResponse(
  workspace: Workspace,
  list: RowList,
  window: TimeWindow,
  params: DeliveryListParams,
  filter: DeliveryFilter = params.filter,
): ApiResponse {
  const page = params.drafts
    ? { items: [], nextRow: undefined }
    : deliveryPage(workspace.deliveries, list, window, filter, params.resume, params.limit);
  const empty = page.items.length === 0 && params.resume === undefined;
  const items = params.trackedResponses ? page.items.map(withTrackedResponses) : page.items;
  return ok({
    messages: empty ? null : items,
    next: page.nextRow === undefined ? '' : encodePageToken(page.nextRow),
  });
}

function listMessages(context: RouteContext): ApiResponse {
  const params = deliveryListParams(context);
  if (!params.ok) return params.response;
  const campaignId = optionalInteger(context, 'campaign_id');
  const newsletterId = optionalInteger(context, 'newsletter_id');
  const actionId = optionalInteger(context, 'action_id');
  if (!campaignId.ok) return campaignId.response;
  if (!newsletterId.ok) return newsletterId.response;
  if (!actionId.ok) return actionId.response;
  const { workspace } = context;
  const filter: DeliveryFilter = {
    ...params.value.filter,
    ...optional(campaignId.value, (id) => ({ campaignId: id })),
    ...optional(newsletterId.value, (id) => ({ newsletterId: id })),
    ...optional(actionId.value, (id) => ({ actionId: id })),
  };
  // A parent filter reads that parent's rows instead of scanning the workspace.
  let list = workspace.deliveries.rows;
  if (campaignId.value !== undefined) list = workspace.deliveries.parentRows('campaign', campaignId.value);
  else if (newsletterId.value !== undefined) {
    list = workspace.deliveries.parentRows('newsletter', newsletterId.value);
  }
  const window = requestWindow(params.value.startTs, params.value.endTs, MESSAGES_MAX_SPAN_SECONDS);
  return deliveryListResponse(workspace, list, window, params.value, filter);
}

function parentExists(workspace: Workspace, kind: DeliveryParentKind, id: number): boolean {
  switch (kind) {
    case 'campaign':
      return workspace.campaigns.some((campaign) => campaign.id === id);
    case 'broadcast':
      return workspace.broadcasts.some((broadcast) => broadcast.id === id);
    case 'newsletter':
      return workspace.newsletters.some((newsletter) => newsletter.id === id);
    case 'transactional':
      return workspace.transactionalMessages.some((message) => message.id === id);
  }
}

function parentMessages(kind: DeliveryParentKind, param: string) {
  return (context: RouteContext): ApiResponse => {
    const id = pathId(context, param);
    if (!id.ok) return id.response;
    const { workspace } = context;
    if (!parentExists(workspace, kind, id.value)) return notFound(`${kind} ${id.value} not found`);
    const params = deliveryListParams(context);
    if (!params.ok) return params.response;
    const window = requestWindow(
      params.value.startTs,
      params.value.endTs,
      PARENT_MESSAGES_MAX_SPAN_SECONDS,
      parentDefaultWindow(workspace, kind, id.value),
    );
    return deliveryListResponse(
      workspace,
      workspace.deliveries.parentRows(kind, id.value),
      window,
      params.value,
    );
  };
}

/** Does the activity's person match `customer_id` under `id_type`? cio_ids carry a `cio_` prefix here. */
function activityOf(workspace: Workspace, activity: Activity, value: string, type: string): boolean {
  const identifiers = activity.customer_identifiers;
  if (identifiers === null) return false;
  switch (type) {
    case 'email':
      return identifiers.email === value;
    case 'cio_id':
      return `cio_${identifiers.cio_id}` === value;
    case 'phone':
      return workspace.people.some(
        (person) => person.cio_id === identifiers.cio_id && person.attributes.phone === value,
      );
    default:
      return identifiers.id === value;
  }
}

function listActivities(context: RouteContext): ApiResponse {
  const offset = startToken(context);
  const size = limit(context, DEFAULT_ACTIVITIES_LIMIT, MAX_ACTIVITIES_LIMIT);
  const deleted = optionalBoolean(context, 'deleted');
  const type = idType(context);
  if (!offset.ok) return offset.response;
  if (!size.ok) return size.response;
  if (!deleted.ok) return deleted.response;
  if (!type.ok) return type.response;
  const { workspace } = context;
  const customerId = optionalString(context, 'customer_id');
  const activityType = context.query.get('type');
  const name = context.query.get('name');
  let activities = activitiesFor(workspace, {
    deleted: deleted.value === true,
    ...optional(activityType || undefined, (value) => ({ type: value })),
    ...optional(name || undefined, (value) => ({ name: value })),
  });
  const customer = customerId.ok ? customerId.value : undefined;
  if (customer !== undefined) {
    activities = activities.filter((activity) => activityOf(workspace, activity, customer, type.value));
  }
  const page = pageAt(activities, offset.value ?? 0, size.value);
  return ok({ activities: page.items, next: nextToken(page.nextOffset) });
}

function transactionalId(context: RouteContext): Parsed<number> {
  const id = pathId(context, 'transactional_id');
  if (!id.ok) return id;
  return context.workspace.transactionalMessages.some((message) => message.id === id.value)
    ? id
    : { ok: false, response: notFound(`transactional message ${id.value} not found`) };
}

export const MESSAGE_ROUTES: readonly RouteDefinition[] = [
  route('GET', '/v1/messages', listMessages),
  route('GET', '/v1/campaigns/:campaign_id/messages', parentMessages('campaign', 'campaign_id')),
  route('GET', '/v1/broadcasts/:broadcast_id/messages', parentMessages('broadcast', 'broadcast_id')),
  route('GET', '/v1/newsletters/:newsletter_id/messages', parentMessages('newsletter', 'newsletter_id')),
  route(
    'GET',
    '/v1/transactional/:transactional_id/messages',
    parentMessages('transactional', 'transactional_id'),
  ),
  route('GET', '/v1/activities', listActivities),
  route('GET', '/v1/transactional', ({ workspace }) => ok({ messages: workspace.transactionalMessages })),
  route('GET', '/v1/transactional/:transactional_id', (context) => {
    const id = transactionalId(context);
    if (!id.ok) return id.response;
    return ok({
      message: context.workspace.transactionalMessages.find((message) => message.id === id.value),
    });
  }),
  route('GET', '/v1/transactional/:transactional_id/contents', (context) => {
    const id = transactionalId(context);
    if (!id.ok) return id.response;
    return ok({ contents: context.workspace.transactionalContents.get(id.value) ?? [] });
  }),
];
