import {
  type Audience,
  type AudienceOptions,
  DEFAULT_AUDIENCE_OPTIONS,
  generateAudience,
} from './generate-audience.js';
import { actionCountFor, generateCampaign } from './generate-campaigns.js';
import {
  type CatalogData,
  type CatalogOptions,
  DEFAULT_CATALOG_OPTIONS,
  generateCatalog,
} from './generate-catalog.js';
import {
  generateAccountWorkspaces,
  generateBroadcasts,
  generateIpAddresses,
  generateNewsletters,
  generateSegments,
  generateSenderIdentities,
} from './generate-records.js';
import { IdSequence, SeededRandom } from './random.js';
import type {
  AccountWorkspace,
  Broadcast,
  Campaign,
  CampaignAction,
  Newsletter,
  Segment,
  SenderIdentity,
} from './records.js';

export type * from './records.js';

export interface WorkspaceOptions extends CatalogOptions, Partial<AudienceOptions> {
  seed?: number;
  campaigns?: number;
  maxActionsPerCampaign?: number;
  broadcasts?: number;
  newsletters?: number;
  segments?: number;
  senderIdentities?: number;
}

/**
 * Everything the simulator serves. Handlers read it on every request, so tests may mutate it between
 * syncs (bump an `updated`, delete a campaign) to simulate changes in the workspace.
 */
export interface Workspace extends CatalogData, Audience {
  seed: number;
  /** The account's workspaces (GET /v1/workspaces). */
  workspaces: AccountWorkspace[];
  campaigns: Campaign[];
  /** Actions by campaign id, in the order GET /v1/campaigns/{id}/actions pages through them. */
  campaignActions: Map<number, CampaignAction[]>;
  broadcasts: Broadcast[];
  newsletters: Newsletter[];
  segments: Segment[];
  /** Hidden and visible senders together; the route filters on `hidden`. */
  senderIdentities: SenderIdentity[];
  ipAddresses: string[];
}

export const DEFAULT_WORKSPACE_OPTIONS: Readonly<Required<WorkspaceOptions>> = {
  seed: 20_260_917,
  campaigns: 12,
  maxActionsPerCampaign: 25,
  broadcasts: 5,
  newsletters: 23,
  segments: 8,
  senderIdentities: 7,
  ...DEFAULT_CATALOG_OPTIONS,
  ...DEFAULT_AUDIENCE_OPTIONS,
};

/** The sizes a scale multiplies: counts of things; not the ones with a fixed range (object types, collections...). */
const SCALED_SIZES = [
  'campaigns',
  'broadcasts',
  'newsletters',
  'segments',
  'senderIdentities',
  'objects',
  'exports',
  'suppressions',
  'people',
  'transactionalMessages',
  'deliveries',
  'activities',
] as const;

/** The default workspace with every count multiplied by `scale` (the benchmarks' "scale 3"). */
export function scaledWorkspaceOptions(scale: number): WorkspaceOptions {
  return Object.fromEntries(
    SCALED_SIZES.map((size) => [size, Math.round(DEFAULT_WORKSPACE_OPTIONS[size] * scale)]),
  ) as WorkspaceOptions;
}

export function generateWorkspace(options: WorkspaceOptions = {}): Workspace {
  const settings = { ...DEFAULT_WORKSPACE_OPTIONS, ...options };
  const random = new SeededRandom(settings.seed);
  const actionIds = new IdSequence(1);
  const workspaces = generateAccountWorkspaces(random);
  const segments = generateSegments(random, settings.segments);
  const senderIdentities = generateSenderIdentities(random, settings.senderIdentities);

  const campaignContext = {
    random,
    segments,
    senders: senderIdentities,
    actionIds,
    templateIds: new IdSequence(1),
  };
  const campaignIds = new IdSequence(1);
  const campaigns: Campaign[] = [];
  const campaignActions = new Map<number, CampaignAction[]>();
  for (let index = 0; index < settings.campaigns; index++) {
    const actionCount = actionCountFor(random, index, settings.maxActionsPerCampaign);
    const { campaign, actions } = generateCampaign(
      campaignContext,
      campaignIds.next(random, 2),
      index,
      actionCount,
    );
    campaigns.push(campaign);
    campaignActions.set(campaign.id, actions);
  }

  const base = {
    seed: settings.seed,
    workspaces,
    campaigns,
    campaignActions,
    broadcasts: generateBroadcasts(random, settings.broadcasts, actionIds),
    newsletters: generateNewsletters(random, settings.newsletters, segments),
    segments,
    senderIdentities,
    ipAddresses: generateIpAddresses(random),
  };
  return { ...base, ...generateCatalog(base, settings), ...generateAudience(settings.seed, settings, base) };
}

/** All campaign actions in campaign order: exactly what a full read of the actions endpoint returns. */
export function allCampaignActions(workspace: Workspace): CampaignAction[] {
  return workspace.campaigns.flatMap((campaign) => workspace.campaignActions.get(campaign.id) ?? []);
}
