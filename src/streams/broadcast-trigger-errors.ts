import type { JsonObject } from '@cio-connectors/kit/json';
import { FullRefreshCursor } from '../cursors.js';
import type { Stream, StreamContext } from './base.js';
import { ChildStream } from './child-stream.js';

const LINE = /^line (\d+):\s*/;

/** One error string of a trigger as a record: its position, the data file line it names, the text. */
function triggerErrorRecord(error: unknown, index: number): JsonObject {
  const text = typeof error === 'string' ? error : JSON.stringify(error);
  const line = LINE.exec(text)?.[1];
  return { index, line: line === undefined ? null : Number(line), error: text };
}

/**
 * The errors of each broadcast trigger (note the /campaigns/ prefix of the path). Pages by integer offset,
 * `next: 0` ending the list. The docs list a `limit` without a default or a maximum: an explicit 100 (the
 * smallest maximum among the App API's documented list limits) rather than an undocumented default.
 */
export class BroadcastTriggerErrorsStream extends ChildStream<FullRefreshCursor> {
  readonly name = 'broadcast_trigger_errors';
  readonly path = '/v1/campaigns/{broadcast_id}/triggers/{id}/errors';
  readonly envelopeKey = 'errors';
  readonly primaryKey = [['broadcast_id'], ['trigger_id'], ['index']];
  readonly parentFields = { broadcast_id: 'broadcast_id', trigger_id: 'id' };
  readonly parent: Stream;
  override readonly pageSize = 100;

  /** `broadcast_triggers`: its records need `broadcast_id` and `id`. */
  constructor(triggers: Stream) {
    super();
    this.parent = triggers;
  }

  createCursor(): FullRefreshCursor {
    return new FullRefreshCursor();
  }

  /** Errors are strings: each becomes a record keyed by its place in the list. */
  override transform(error: unknown, _context: StreamContext, position: number): JsonObject {
    return triggerErrorRecord(error, position);
  }
}
