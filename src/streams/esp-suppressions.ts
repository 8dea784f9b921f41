import { type Slice, Stream } from './base.js';

const SUPPRESSION_TYPES = ['bounces', 'blocks', 'spam_reports', 'invalid_emails'] as const;

/**
 * Addresses the email provider suppresses, for each suppression type (offset paging, no `next`). Full refresh
 * only: a suppression lifted while the pages are read shifts the rest by one, so a record can fall between two
 * pages, and a cursor would then move past it for good; the next full read picks it up instead.
 */
export class EspSuppressionsStream extends Stream {
  readonly name = 'esp_suppressions';
  readonly path = '/v1/esp/suppression';
  readonly envelopeKey = 'suppressions';
  readonly primaryKey = [['suppression_type'], ['email']];
  override readonly pagination = 'offset';
  override readonly pageSize = 1000;

  override slices(): Slice[] {
    return SUPPRESSION_TYPES.map((type) => ({
      path: `${this.path}/${type}`,
      fields: { suppression_type: type },
    }));
  }
}
