import { Stream } from './base.js';

export class SubscriptionChannelsStream extends Stream {
  readonly name = 'subscription_channels';
  readonly path = '/v1/subscription_channels';
  readonly envelopeKey = 'channels';
  readonly primaryKey = [['id']];
}
