// The part of the workspace behind metrics, broadcast/newsletter children, objects and reference data.
// It draws from its own random stream, so the rest of the workspace does not depend on it.

import type {
  BroadcastAction,
  BroadcastTrigger,
  CioObject,
  Collection,
  Export,
  NewsletterTestGroup,
  NewsletterVariant,
  ObjectType,
  ReportingWebhook,
  Snippet,
  SubscriptionChannel,
  SubscriptionTopic,
  Suppression,
  SuppressionType,
} from './catalog-records.js';
import { SECOND_SENDING_DOMAIN, SENDING_DOMAIN } from './content.js';
import {
  generateBroadcastActions,
  generateBroadcastTriggers,
  generateNewsletterChildren,
} from './generate-children.js';
import { generateObjects, generateObjectTypes } from './generate-objects.js';
import {
  generateCollections,
  generateExports,
  generateReportingWebhooks,
  generateSnippets,
  generateSubscriptionChannels,
  generateSubscriptionTopics,
  generateSuppressions,
} from './generate-reference.js';
import { SeededRandom } from './random.js';
import type { Broadcast, Newsletter, SenderIdentity } from './records.js';

export interface CatalogOptions {
  /** 1 to 3 object types; the third is disabled and empty. */
  objectTypes?: number;
  /** Objects of type 1 (acct_001, ...); type 2 gets half as many. */
  objects?: number;
  exports?: number;
  /** Up to 5. */
  collections?: number;
  /** Up to 6. */
  snippets?: number;
  /** ESP-suppressed bounces; blocks a third as many, spam reports a quarter, invalid emails none. */
  suppressions?: number;
}

export const DEFAULT_CATALOG_OPTIONS: Readonly<Required<CatalogOptions>> = {
  objectTypes: 3,
  objects: 12,
  exports: 5,
  collections: 4,
  snippets: 5,
  suppressions: 12,
};

export interface CatalogData {
  /** Actions by broadcast id: one per entry of the broadcast's `actions`, same ids (as strings). */
  broadcastActions: Map<number, BroadcastAction[]>;
  broadcastTriggers: Map<number, BroadcastTrigger[]>;
  /** Variants by newsletter id, in `content_ids` order. */
  newsletterContents: Map<number, NewsletterVariant[]>;
  /** A/B test groups by newsletter id; empty for newsletters without a test. */
  newsletterTestGroups: Map<number, NewsletterTestGroup[]>;
  objectTypes: ObjectType[];
  /** Objects of every type, by type then object id. */
  objects: CioObject[];
  exports: Export[];
  collections: Collection[];
  snippets: Snippet[];
  subscriptionTopics: SubscriptionTopic[];
  subscriptionChannels: SubscriptionChannel[];
  reportingWebhooks: ReportingWebhook[];
  /** The suppressions of the default sending domain (SENDING_DOMAIN), also answered without `domain`. */
  espSuppressions: Record<SuppressionType, Suppression[]>;
  /** The suppressions of the workspace's other sending domains, by domain. */
  espDomainSuppressions: Record<string, Record<SuppressionType, Suppression[]>>;
}

export interface CatalogParents {
  seed: number;
  broadcasts: readonly Broadcast[];
  newsletters: readonly Newsletter[];
  senderIdentities: readonly SenderIdentity[];
}

export function generateCatalog(parents: CatalogParents, options: CatalogOptions = {}): CatalogData {
  const settings = { ...DEFAULT_CATALOG_OPTIONS, ...options };
  const random = new SeededRandom((parents.seed ^ 0x5eedca7a) >>> 0);
  const { broadcasts, newsletters, senderIdentities } = parents;
  const newsletterChildren = generateNewsletterChildren(random, newsletters, senderIdentities);
  const objectTypes = generateObjectTypes(settings.objectTypes);
  return {
    broadcastActions: generateBroadcastActions(random, broadcasts, senderIdentities),
    broadcastTriggers: generateBroadcastTriggers(random, broadcasts),
    newsletterContents: newsletterChildren.contents,
    newsletterTestGroups: newsletterChildren.testGroups,
    objectTypes,
    objects: generateObjects(random, objectTypes, settings.objects),
    exports: generateExports(random, settings.exports),
    collections: generateCollections(random, settings.collections),
    snippets: generateSnippets(random, settings.snippets),
    subscriptionTopics: generateSubscriptionTopics(random),
    subscriptionChannels: generateSubscriptionChannels(),
    reportingWebhooks: generateReportingWebhooks(random),
    espSuppressions: generateSuppressions(random, settings.suppressions),
    // Drawn last, so adding the second domain left every other record as it was.
    espDomainSuppressions: {
      [SECOND_SENDING_DOMAIN]: generateSuppressions(random, Math.ceil(settings.suppressions / 2)),
    },
  };
}

/** Objects of one type (or all), in the order POST /v1/objects pages through them. */
export function allObjects(workspace: Pick<CatalogData, 'objects'>, objectTypeId?: string): CioObject[] {
  return workspace.objects.filter(
    (object) => objectTypeId === undefined || object.object_type_id === objectTypeId,
  );
}

/** The suppressions of one type on one sending domain; without a domain, the default domain's. */
export function suppressionsOf(
  workspace: Pick<CatalogData, 'espSuppressions' | 'espDomainSuppressions'>,
  type: SuppressionType,
  domain?: string,
): Suppression[] {
  if (domain === undefined || domain === '' || domain === SENDING_DOMAIN)
    return workspace.espSuppressions[type];
  return workspace.espDomainSuppressions[domain]?.[type] ?? [];
}

/** Every broadcast action, in broadcast order. */
export function allBroadcastActions(
  workspace: Pick<CatalogData, 'broadcastActions'> & { broadcasts: readonly Broadcast[] },
): BroadcastAction[] {
  return workspace.broadcasts.flatMap((broadcast) => workspace.broadcastActions.get(broadcast.id) ?? []);
}
