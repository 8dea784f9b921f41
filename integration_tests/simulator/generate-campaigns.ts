import {
  AUDIENCES,
  BRAND,
  CAMPAIGN_THEMES,
  capitalize,
  DATE_ATTRIBUTES,
  EVENT_NAMES,
  emailAddress,
  emailHtml,
  FIRST_NAMES,
  LANGUAGES,
  LAST_NAMES,
  LOREM,
  SENDING_DOMAIN,
  TAGS,
  TIMEZONES,
} from './content.js';
import type { IdSequence, SeededRandom } from './random.js';
import type {
  ActionType,
  Campaign,
  CampaignAction,
  CampaignAudience,
  CampaignState,
  CampaignTrigger,
  ItemRef,
  Segment,
  SenderIdentity,
} from './records.js';
import { createdAndUpdated, timestampBetween, WORKSPACE_NOW } from './time.js';

const TRIGGERS: readonly CampaignTrigger[] = [
  'segment',
  'event',
  'date',
  'webhook',
  'object',
  'relationship',
];
const MESSAGE_ACTION_TYPES: ReadonlySet<ActionType> = new Set(['email', 'twilio', 'push', 'webhook']);

export interface CampaignGenerationContext {
  random: SeededRandom;
  segments: readonly Segment[];
  senders: readonly SenderIdentity[];
  /** Action ids are unique across the workspace (campaigns and broadcasts share them). */
  actionIds: IdSequence;
  templateIds: IdSequence;
}

export interface GeneratedCampaign {
  campaign: Campaign;
  actions: CampaignAction[];
}

/**
 * The action count of campaign `index`. Fixed counts for the first campaigns guarantee the edge cases
 * (no actions, a page-and-a-bit, several pages); the rest are random.
 */
export function actionCountFor(random: SeededRandom, index: number, maxActions: number): number {
  if (index === 1) return 0;
  if (index === 2) return maxActions;
  if (index === 3) return Math.min(10, maxActions);
  return random.int(0, maxActions);
}

export function generateCampaign(
  context: CampaignGenerationContext,
  id: number,
  index: number,
  actionCount: number,
): GeneratedCampaign {
  const { random } = context;
  const trigger = TRIGGERS[index % TRIGGERS.length] ?? 'segment';
  const state: CampaignState =
    index === 1 ? 'draft' : random.pick<CampaignState>(['running', 'running', 'running', 'draft', 'stopped']);
  const [created, updated] = createdAndUpdated(random);
  const actions = generateCampaignActions(context, id, created, actionCount);
  const theme = CAMPAIGN_THEMES[index % CAMPAIGN_THEMES.length] ?? 'Campaign';
  const campaign: Campaign = {
    id,
    deduplicate_id: `${id}:${updated}`,
    name: index < CAMPAIGN_THEMES.length ? theme : `${theme} (${random.pick(AUDIENCES)})`,
    type: trigger,
    description: random.chance(0.5) ? `${theme} for ${random.pick(AUDIENCES)}` : '',
    created,
    updated,
    active: state === 'running',
    state,
    first_started: state === 'draft' ? 0 : timestampBetween(random, created, updated),
    created_by: emailAddress(random.pick(FIRST_NAMES), random.pick(LAST_NAMES)),
    tags: random.sample(TAGS, 0, 3),
    actions: actions.map(actionRef),
    msg_templates: actions
      .filter((action) => MESSAGE_ACTION_TYPES.has(action.type))
      .map((action) => ({
        id: context.templateIds.next(random),
        type: action.type,
      })),
    trigger_segment_ids: trigger === 'segment' ? segmentIds(context, 1, 2) : [],
    filter_segment_ids: segmentIds(context, 0, 1),
    ...triggerFields(context, trigger),
    ...(random.chance(0.25) ? schedule(random, created) : {}),
  };
  return { campaign, actions };
}

function actionRef(action: CampaignAction): ItemRef {
  return { id: Number(action.id), type: action.type };
}

function segmentIds(context: CampaignGenerationContext, min: number, max: number): number[] {
  return context.random.sample(context.segments, min, max).map((segment) => segment.id);
}

function triggerFields(context: CampaignGenerationContext, trigger: CampaignTrigger): Partial<Campaign> {
  const { random } = context;
  switch (trigger) {
    case 'segment':
      return {};
    case 'event':
      return { event_name: random.pick(EVENT_NAMES), event_type: 'event' };
    case 'date':
      return {
        date_attribute: random.pick(DATE_ATTRIBUTES),
        frequency: random.pick(['once', 'yearly']),
        timezone: random.pick(TIMEZONES),
        start_hour: random.int(0, 23),
        start_minutes: random.pick([0, 15, 30, 45]),
        use_customer_timezone: random.chance(0.5),
      };
    case 'webhook':
      return { webhook_id: random.int(1, 40) };
    case 'object':
      return {
        object_type_id: random.int(1, 3),
        audience: objectAudience(context, 'object'),
        object_attribute_triggers: JSON.stringify([{ field: 'plan', operator: 'changed' }]),
        filter_object_attributes: JSON.stringify({
          and: [{ field: 'status', operator: 'eq', value: 'active' }],
        }),
      };
    case 'relationship':
      return {
        object_type_id: random.int(1, 3),
        audience: objectAudience(context, 'string'),
        relationship_attribute_triggers: JSON.stringify([{ field: 'role', operator: 'changed' }]),
        filter_relationship_attributes: JSON.stringify({
          and: [{ field: 'role', operator: 'eq', value: 'admin' }],
        }),
      };
  }
}

/** Filters as the spec types them (objects) or as its examples and live answers send them (JSON strings). */
function objectAudience(context: CampaignGenerationContext, form: 'object' | 'string'): CampaignAudience {
  const segment = context.segments[0];
  const personFilters = segment ? { and: [{ segment: { id: segment.id } }] } : { and: [] };
  const relationshipFilters = { and: [{ relationship_attribute: { field: 'role', operator: 'exists' } }] };
  const encode = (filter: Record<string, unknown>) => (form === 'object' ? filter : JSON.stringify(filter));
  return {
    type: context.random.int(0, 2),
    person_filters: encode(personFilters),
    relationship_filters: encode(relationshipFilters),
  };
}

function schedule(random: SeededRandom, created: number): Partial<Campaign> {
  const start = timestampBetween(random, created, WORKSPACE_NOW);
  return {
    scheduled_start: start,
    scheduled_start_should_backfill: random.chance(0.5),
    scheduled_stop: start + random.int(7, 90) * 86_400,
    scheduled_stop_should_sunset: random.chance(0.5),
  };
}

function generateCampaignActions(
  context: CampaignGenerationContext,
  campaignId: number,
  campaignCreated: number,
  count: number,
): CampaignAction[] {
  const { random } = context;
  const actions: CampaignAction[] = [];
  while (actions.length < count) {
    const type = random.pick<ActionType>([
      'email',
      'email',
      'email',
      'email',
      'webhook',
      'twilio',
      'push',
      'attribute_update',
    ]);
    const action = generateAction(context, campaignId, campaignCreated, type, actions.length + 1);
    actions.push(action);
    const variantCount =
      type === 'email' ? Math.min(count - actions.length, random.pick([0, 0, 0, 0, 1, 2])) : 0;
    if (variantCount > 0) actions.push(...languageVariants(context, action, variantCount));
  }
  return actions;
}

function generateAction(
  context: CampaignGenerationContext,
  campaignId: number,
  campaignCreated: number,
  type: ActionType,
  position: number,
): CampaignAction {
  const { random } = context;
  const id = context.actionIds.next(random, 3);
  const [created, updated] = createdAndUpdated(random, campaignCreated);
  const base = {
    id: String(id),
    campaign_id: campaignId,
    deduplicate_id: `${id}:${updated}`,
    name: `${capitalize(type.replace('_', ' '))} ${position}`,
    type,
    created,
    updated,
    sending_state: random.pick(['automatic', 'automatic', 'automatic', 'draft', 'off'] as const),
    language: '',
  };
  switch (type) {
    case 'email':
      return { ...base, ...emailFields(context) };
    case 'webhook':
      return {
        ...base,
        url: `https://hooks.${SENDING_DOMAIN}/customerio/${random.hex(8)}`,
        method: 'POST',
        request_method: 'POST',
        headers: JSON.stringify([{ name: 'Content-Type', value: 'application/json' }]),
        body: JSON.stringify({ customer_id: '{{customer.id}}', event: '{{event.name}}' }),
        tracked: random.chance(0.5),
        send_to_unsubscribed: true,
      };
    case 'twilio':
      return {
        ...base,
        recipient: '{{customer.phone}}',
        from: '+15005550006',
        body: `${BRAND}: ${capitalize(random.words(LOREM, 8))}. Reply STOP to opt out.`,
        image_url: random.chance(0.3) ? `https://cdn.${SENDING_DOMAIN}/mms/${random.hex(6)}.png` : '',
        sender_identity_id: phoneSender(context)?.id ?? 1,
        tracked: true,
        send_to_unsubscribed: false,
      };
    case 'push':
      return {
        ...base,
        body: JSON.stringify({ title: capitalize(random.words(LOREM, 3)), message: random.words(LOREM, 9) }),
        image_url: '',
        url: `northwind://orders/{{event.order_id}}`,
        recipient_environment_id: random.int(100_000, 999_999),
        tracked: true,
        send_to_unsubscribed: false,
      };
    case 'attribute_update':
      return { ...base, body: JSON.stringify([{ attribute: 'last_campaign', value: String(campaignId) }]) };
  }
}

function emailFields(context: CampaignGenerationContext): Partial<CampaignAction> {
  const { random } = context;
  const sender = emailSender(context);
  const subject = capitalize(random.words(LOREM, random.int(3, 6)));
  const paragraph = `${capitalize(random.words(LOREM, random.int(12, 30)))}.`;
  const editor = random.pick(['html', 'rich', 'visual']);
  const replyToSender = random.chance(0.5);
  return {
    editor,
    layout: random.pick(['default', 'minimal', 'receipt']),
    preprocessor: 'premailer',
    subject,
    preheader_text: random.chance(0.5) ? capitalize(random.words(LOREM, 6)) : '',
    body: emailHtml(subject, paragraph),
    body_amp: '',
    body_plain: random.chance(0.3) ? `${subject}\n\n${paragraph}` : '',
    body_json: editor === 'visual' ? JSON.stringify({ blocks: [{ type: 'text', text: paragraph }] }) : '',
    from: sender.address,
    from_id: sender.id,
    reply_to: replyToSender ? sender.address : '',
    reply_to_id: replyToSender ? sender.id : null,
    recipient: '{{customer.email}}',
    bcc: '',
    cc: '',
    fake_bcc: false,
    headers: JSON.stringify([{ name: 'X-Campaign', value: 'lifecycle' }]),
    send_to_unsubscribed: false,
    tracked: true,
  };
}

const FALLBACK_SENDER: SenderIdentity = {
  id: 1,
  name: BRAND,
  email: `hello@${SENDING_DOMAIN}`,
  address: `${BRAND} <hello@${SENDING_DOMAIN}>`,
  phone: '',
  template_type: 'email',
  auto_generated: true,
  hidden: false,
  deduplicate_id: '1:0',
};

function emailSender(context: CampaignGenerationContext): SenderIdentity {
  const candidates = context.senders.filter((sender) => sender.template_type === 'email' && !sender.hidden);
  return candidates.length > 0 ? context.random.pick(candidates) : FALLBACK_SENDER;
}

function phoneSender(context: CampaignGenerationContext): SenderIdentity | undefined {
  return context.senders.find((sender) => sender.template_type === 'phone');
}

/** Translations of an email: own ids, shared branch id, parent = the default-language action. */
function languageVariants(
  context: CampaignGenerationContext,
  original: CampaignAction,
  count: number,
): CampaignAction[] {
  const { random } = context;
  const branchId = context.actionIds.next(random);
  original.multi_language_branch_action_id = branchId;
  return random.sample(LANGUAGES, count, count).map((language) => {
    const id = context.actionIds.next(random);
    const updated = timestampBetween(random, original.created, WORKSPACE_NOW);
    return {
      ...original,
      id: String(id),
      deduplicate_id: `${id}:${updated}`,
      name: `${original.name} (${language})`,
      updated,
      language,
      parent_action_id: Number(original.id),
      multi_language_branch_action_id: branchId,
    };
  });
}
