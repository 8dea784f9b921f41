import type { JsonObject } from '../protocol.js';
import { Stream } from './base.js';

/** The addresses Customer.io sends webhooks from, one record per address (no authentication needed). */
export class IpAddressesStream extends Stream {
  readonly name = 'ip_addresses';
  readonly path = '/v1/info/ip_addresses';
  readonly envelopeKey = 'ip_addresses';
  readonly primaryKey = [['ip_address']];

  override transform(item: unknown): JsonObject {
    return { ip_address: item };
  }
}
