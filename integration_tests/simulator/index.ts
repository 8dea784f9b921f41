export * from './catalog.js';
export { FAULT_KINDS, type FaultKind, PACED_FAULT_KINDS, type RandomFaults } from './faults.js';
export {
  JOURNEY_METRIC_KEYS,
  type JourneyMetricKey,
  journeyDay,
  journeySeries,
  MAX_JOURNEY_WINDOW_DAYS,
} from './journey-metrics.js';
export {
  DEFAULT_OPTOUTS_LIMIT,
  MAX_OPTOUTS_LIMIT,
  type OptOutEntry,
  type PersonOptOuts,
} from './optouts.js';
export { decodePageToken, encodePageToken } from './pagination.js';
export * from './people.js';
export { mulberry32, SeededRandom } from './random.js';
export type * from './records.js';
export type { ApiResponse, PageSizes, RouteContext, RouteDefinition, RouteHandler } from './router.js';
export { ROUTES } from './routes.js';
export {
  DEFAULT_API_KEY,
  DEFAULT_PAGE_SIZES,
  DEFAULT_REQUESTS_PER_SECOND,
  DEFAULT_SLOW_FAULT_MS,
  type RequestLogEntry,
  type Simulator,
  type SimulatorOptions,
  type SimulatorStats,
  startSimulator,
} from './server.js';
export {
  type SubscriptionPreferences,
  subscriptionPreferencesOf,
  type TopicPreference,
} from './subscription-preferences.js';
export { WORKSPACE_NOW } from './time.js';
export { triggerErrorsOf } from './trigger-errors.js';
export {
  allCampaignActions,
  DEFAULT_WORKSPACE_OPTIONS,
  generateWorkspace,
  type Workspace,
  type WorkspaceOptions,
} from './workspace.js';
