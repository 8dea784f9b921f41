import type { JsonObject } from '../protocol.js';
import { Stream } from './base.js';

/** Removes `user:password@` from a URL so credentials embedded in webhook endpoints never leave the connector. */
export function withoutCredentials(url: unknown): unknown {
  if (typeof url !== 'string') return url;
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, '//');
  }
}

export class ReportingWebhooksStream extends Stream {
  readonly name = 'reporting_webhooks';
  readonly path = '/v1/reporting_webhooks';
  readonly envelopeKey = 'reporting_webhooks';
  readonly primaryKey = [['id']];

  override transform(item: unknown): JsonObject {
    const webhook = item as JsonObject;
    return { ...webhook, endpoint: withoutCredentials(webhook.endpoint) };
  }
}
