import { PersonStream } from './person-stream.js';

export class CustomerSegmentsStream extends PersonStream {
  readonly name = 'customer_segments';
  readonly path = '/v1/customers/{cio_id}/segments';
  readonly envelopeKey = 'segments';
  readonly primaryKey = [['cio_id'], ['id']];
}
