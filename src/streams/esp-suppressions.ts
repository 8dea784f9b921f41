import { type Slice, Stream } from './base.js';

const SUPPRESSION_TYPES = ['bounces', 'blocks', 'spam_reports', 'invalid_emails'] as const;

/** Addresses the email provider suppresses, for each suppression type (offset paging, no `next`). */
export class EspSuppressionsStream extends Stream {
  readonly name = 'esp_suppressions';
  readonly path = '/v1/esp/suppression';
  readonly envelopeKey = 'suppressions';
  readonly primaryKey = [['suppression_type'], ['email']];
  override readonly cursorField = 'created';
  override readonly pagination = 'offset';
  override readonly pageSize = 1000;

  override slices(): Slice[] {
    return SUPPRESSION_TYPES.map((type) => ({
      path: `${this.path}/${type}`,
      fields: { suppression_type: type },
    }));
  }
}
