import type { JsonObject } from '../protocol.js';
import { activitiesSince, activityPages, warnIfBeyondRetention } from './activities.js';
import type { Slice, StreamContext, StreamItem, StreamRun } from './base.js';
import { PersonStream } from './person-stream.js';
import { filterSlices } from './windows.js';

export class CustomerActivitiesStream extends PersonStream {
  readonly name = 'customer_activities';
  readonly path = '/v1/customers/{cio_id}/activities';
  readonly envelopeKey = 'activities';
  readonly primaryKey = [['id']];
  override readonly cursorField = 'timestamp';
  override readonly pageSize = 100;

  override slices(context: StreamContext): Slice[] {
    return filterSlices('type', context.config.activityTypes);
  }

  override readSlice(
    context: StreamContext,
    slice: Slice,
    _parent?: JsonObject,
    run?: StreamRun,
  ): AsyncGenerator<JsonObject> {
    return activityPages(context, this.pageRequest(context, slice), activitiesSince(context, run));
  }

  override async *read(
    context: StreamContext,
    run: StreamRun,
    observe?: (record: JsonObject) => void,
  ): AsyncGenerator<StreamItem> {
    await warnIfBeyondRetention(context, run, this.name);
    yield* super.read(context, run, observe);
  }
}
