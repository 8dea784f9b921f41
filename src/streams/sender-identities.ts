import type { JsonObject } from '@cio-connectors/kit/json';
import { FullRefreshCursor } from '../cursors.js';
import { type Probe, type Slice, Stream } from './base.js';

/**
 * All sender identities, from two lists: `hidden=false` and `hidden=true`. The spec says `hidden=true`
 * includes the hidden senders (live, it answered only those), so each list keeps only the senders whose own
 * `hidden` flag matches it: every sender is emitted once, whichever way the API answers.
 */
export class SenderIdentitiesStream extends Stream<FullRefreshCursor> {
  readonly name = 'sender_identities';
  readonly path = '/v1/sender_identities';
  readonly envelopeKey = 'sender_identities';
  readonly primaryKey = [['id']];
  override readonly pageSize = 100;

  createCursor(): FullRefreshCursor {
    return new FullRefreshCursor();
  }

  override get probe(): Probe {
    return { path: this.path, params: { limit: 1 } };
  }

  override slices(): Slice[] {
    return [false, true].map((hidden) => ({
      params: { hidden },
      belongs: (sender: JsonObject) => (sender.hidden === true) === hidden,
    }));
  }
}
