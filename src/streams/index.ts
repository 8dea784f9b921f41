import type { Stream } from './base.js';
import { BroadcastsStream } from './broadcasts.js';
import { CampaignActionsStream } from './campaign-actions.js';
import { CampaignsStream } from './campaigns.js';
import { NewslettersStream } from './newsletters.js';
import { SegmentsStream } from './segments.js';

export function allStreams(): Stream[] {
  return [
    new CampaignsStream(),
    new CampaignActionsStream(),
    new BroadcastsStream(),
    new NewslettersStream(),
    new SegmentsStream(),
  ];
}
