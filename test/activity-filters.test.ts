import { describe, expect, test } from 'vitest';
import { activityFilters } from '../src/activity-filters.js';

describe('activityFilters', () => {
  test('one unfiltered read without types, one filter per type otherwise', () => {
    expect(activityFilters([])).toEqual([]);
    expect(activityFilters(['event', 'page', 'event'])).toEqual([{ type: 'event' }, { type: 'page' }]);
  });

  test('opted_in and opted_out read the consent activities of that action', () => {
    expect(activityFilters(['opted_in', 'event', 'opted_out'])).toEqual([
      { type: 'consent', name: 'opted_in' },
      { type: 'event' },
      { type: 'consent', name: 'opted_out' },
    ]);
  });

  test('with consent listed, its actions are not read a second time', () => {
    expect(activityFilters(['opted_out', 'consent'])).toEqual([{ type: 'consent' }]);
  });
});
