import { Stream } from './base.js';

export class ObjectTypesStream extends Stream {
  readonly name = 'object_types';
  readonly path = '/v1/object_types';
  readonly envelopeKey = 'types';
  readonly primaryKey = [['id']];
}
