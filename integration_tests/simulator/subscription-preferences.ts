// A person's subscription preferences (GET /v1/customers/{customer_id}/subscription_preferences, reference
// §5.5): the workspace's topics, each with whether the person is subscribed, and the header the subscription
// center shows. `id_type` addresses the person; `language` (or Accept-Language) localizes the texts, which the
// simulator accepts and ignores (its texts are in the default language). The answer is computed as Customer.io
// is understood to compute it, from what the bulk reads also see: the person's `cio_subscription_preferences`
// attribute (the topics they chose) joined with GET /v1/subscription_topics (every topic, in the list's order,
// with its default; a chosen topic the list lacks is not listed). Only the header, the same for everyone, is
// not in them.

import { route } from './audience-params.js';
import type { Person } from './records-audience.js';
import { ok } from './responses.js';
import type { RouteDefinition } from './router.js';
import { withPerson } from './routes-audience.js';
import type { Workspace } from './workspace.js';

export interface TopicPreference {
  id: number;
  name: string;
  description: string;
  subscribed: boolean;
}

export interface SubscriptionPreferences {
  id: string | null;
  identifiers: { cio_id: string; email: string | null; id: string | null };
  unsubscribed: boolean;
  header: { title: string; subtitle: string };
  topics: TopicPreference[];
}

/** The person's own choice where `cio_subscription_preferences` records one, else the topic's default. */
function chosenTopics(person: Person): Record<string, boolean> {
  const raw = person.attributes.cio_subscription_preferences;
  if (raw === undefined) return {};
  const parsed = JSON.parse(raw) as { topics?: Record<string, boolean> };
  return parsed.topics ?? {};
}

export function subscriptionPreferencesOf(
  workspace: Pick<Workspace, 'subscriptionTopics'>,
  person: Person,
): SubscriptionPreferences {
  const chosen = chosenTopics(person);
  return {
    id: person.id,
    identifiers: { cio_id: person.cio_id, email: person.email, id: person.id },
    unsubscribed: person.unsubscribed,
    header: {
      title: 'Manage your subscriptions',
      subtitle: 'Choose the emails you want from Northwind Outfitters',
    },
    topics: workspace.subscriptionTopics.map((topic) => ({
      id: topic.id,
      name: topic.name,
      description: topic.description,
      subscribed: chosen[topic.identifier] ?? topic.subscribed_by_default,
    })),
  };
}

export const SUBSCRIPTION_PREFERENCE_ROUTES: readonly RouteDefinition[] = [
  route(
    'GET',
    '/v1/customers/:customer_id/subscription_preferences',
    withPerson((context, person) => ok({ customer: subscriptionPreferencesOf(context.workspace, person) })),
  ),
];
