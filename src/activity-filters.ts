/** The activity type of consent records; their `name` is the action, `opted_in` or `opted_out`. */
const CONSENT_TYPE = 'consent';
const CONSENT_ACTIONS = new Set(['opted_in', 'opted_out']);

export type ActivityFilter = { type: string } | { type: string; name: string };

/**
 * The `type` (and `name`) filters that read the activities of `activity_types`: one per type, except that
 * `opted_in` and `opted_out` stand for the consent activities of that action (`type=consent&name=...`), and
 * are dropped when `consent` itself is listed, so no activity is read twice. Empty: one unfiltered read.
 */
export function activityFilters(types: readonly string[]): ActivityFilter[] {
  const unique = [...new Set(types)];
  const allConsent = unique.includes(CONSENT_TYPE);
  return unique.flatMap((type): ActivityFilter[] => {
    if (!CONSENT_ACTIONS.has(type)) return [{ type }];
    return allConsent ? [] : [{ type: CONSENT_TYPE, name: type }];
  });
}
