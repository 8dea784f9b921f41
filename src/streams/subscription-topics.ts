import { Stream } from './base.js';

export class SubscriptionTopicsStream extends Stream {
  readonly name = 'subscription_topics';
  readonly path = '/v1/subscription_topics';
  readonly envelopeKey = 'topics';
  readonly primaryKey = [['id']];
}
