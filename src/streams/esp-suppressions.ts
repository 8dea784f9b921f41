import { FullRefreshCursor } from '../cursors.js';
import { type Probe, type Slice, Stream, type StreamContext } from './base.js';

const SUPPRESSION_TYPES = ['bounces', 'blocks', 'spam_reports', 'invalid_emails'] as const;

/**
 * Addresses the email provider suppresses, for each suppression type and each sending domain of
 * `esp_suppression_domains` (`?domain=`; without domains, the workspace's default list, with `domain` null).
 * Offset paging, no `next`. Full refresh only: a suppression lifted while the pages are read shifts the rest by
 * one, so a record can fall between two pages, and a cursor would then move past it for good; the next full
 * read picks it up instead.
 */
export class EspSuppressionsStream extends Stream {
  readonly name = 'esp_suppressions';
  readonly path = '/v1/esp/suppression';
  readonly envelopeKey = 'suppressions';
  readonly primaryKey = [['suppression_type'], ['domain'], ['email']];
  override readonly pagination = 'offset';
  override readonly pageSize = 1000;

  createCursor(): FullRefreshCursor {
    return new FullRefreshCursor();
  }

  override get probe(): Probe {
    return { path: `${this.path}/bounces`, params: { limit: 1 } };
  }

  override slices(context: StreamContext): Slice[] {
    const domains = context.config.espSuppressionDomains;
    return (domains.length === 0 ? [null] : domains).flatMap((domain) =>
      SUPPRESSION_TYPES.map((type) => ({
        path: `${this.path}/${type}`,
        ...(domain === null ? {} : { params: { domain } }),
        fields: { suppression_type: type, domain },
      })),
    );
  }
}
