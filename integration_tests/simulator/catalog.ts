// The public surface of metrics, broadcast/newsletter children, objects and reference data.

export type * from './catalog-records.js';
export { SUPPRESSION_TYPES } from './catalog-records.js';
export { SECOND_SENDING_DOMAIN, SENDING_DOMAIN } from './content.js';
export {
  allBroadcastActions,
  allObjects,
  type CatalogData,
  type CatalogOptions,
  DEFAULT_CATALOG_OPTIONS,
  suppressionsOf,
} from './generate-catalog.js';
export { cioObjectId } from './generate-objects.js';
export { LINK_SERIES_KEYS, linkClicksFor, type TrackedLink, trackedLinksOf } from './link-metrics.js';
export {
  CURRENT_UTC_DAY,
  dayString,
  EXTRA_SERIES_KEY,
  expectedSeries,
  METRIC_SERIES_KEYS,
  type MetricRef,
  type MetricSeriesKey,
  metricsFor,
  monthlyMetricsFor,
  parseDay,
  seriesKeysFor,
  utcDay,
} from './metrics.js';
export { DEFAULT_SUPPRESSION_LIMIT, MAX_SUPPRESSION_LIMIT } from './routes-catalog.js';
export {
  MAX_V1_DAY_STEPS,
  MAX_V1_MONTH_STEPS,
  MAX_V2_WINDOW_SECONDS,
  v1StepCount,
} from './routes-metrics.js';
export { DEFAULT_OBJECT_SEARCH_LIMIT, MAX_OBJECT_SEARCH_LIMIT } from './routes-objects.js';
