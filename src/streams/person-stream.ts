import { ChildStream, type Params } from './base.js';
import { PEOPLE } from './people.js';

/** A stream read once per person matching `customers_filter`, addressed by cio_id. */
export abstract class PersonStream extends ChildStream {
  readonly parent = PEOPLE;
  readonly parentFields = { cio_id: 'cio_id' };

  override params(): Params {
    return { id_type: 'cio_id' };
  }
}
