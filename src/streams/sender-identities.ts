import { type Slice, Stream } from './base.js';

/** All sender identities: `hidden=true` returns only the hidden ones, so both are read. */
export class SenderIdentitiesStream extends Stream {
  readonly name = 'sender_identities';
  readonly path = '/v1/sender_identities';
  readonly envelopeKey = 'sender_identities';
  readonly primaryKey = [['id']];
  override readonly pageSize = 100;

  override slices(): Slice[] {
    return [{ params: { hidden: false } }, { params: { hidden: true } }];
  }
}
