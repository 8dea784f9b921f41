// The public surface of people, segment membership and usage, deliveries, activities and transactional
// messages.

export * from './audience.js';
export {
  type DeliveryFilter,
  type DeliveryPage,
  DeliveryStore,
  deliveryPage,
  type RowList,
} from './deliveries.js';
export { type DeliverySlot, withTrackedResponses } from './delivery-details.js';
export { ACTIVITY_SPAN_DAYS } from './generate-activities.js';
export {
  type Audience,
  type AudienceOptions,
  DEFAULT_AUDIENCE_OPTIONS,
} from './generate-audience.js';
export {
  EMPTY_SEGMENT_INDEX,
  RELATED_OBJECT_COUNT,
  RELATED_OBJECT_TYPE_ID,
  relatedCioObjectId,
  relatedObjectId,
} from './generate-people.js';
export { type FilterParse, type PersonPredicate, parsePeopleFilter } from './people-filter.js';
export type * from './records-audience.js';
export {
  DEFAULT_MEMBERSHIP_LIMIT,
  DEFAULT_RELATIONSHIPS_LIMIT,
  DEFAULT_SEARCH_LIMIT,
  MAX_ATTRIBUTE_IDS,
  MAX_MEMBERSHIP_LIMIT,
  MAX_RELATIONSHIPS_LIMIT,
  MAX_SEARCH_LIMIT,
} from './routes-audience.js';
export {
  DEFAULT_ACTIVITIES_LIMIT,
  DEFAULT_MESSAGES_LIMIT,
  MAX_ACTIVITIES_LIMIT,
  MAX_MESSAGES_LIMIT,
  MESSAGE_METRICS,
  MESSAGE_TYPES,
} from './routes-messages.js';
