// SMS and WhatsApp opt-outs (GET /v1/optouts, official docs "List opt-outs in the workspace"): workspace-wide,
// one entry per person opted out of at least one sender, each with the senders and channels they opted out
// of. Paged by `start`/`next` (base64 tokens), `limit` default 100, at most 1000; `from` keeps the people
// opted out of that sender. Entries carry no time, so the list can only be read whole.

import { get, queryInteger } from './catalog-params.js';
import { hash32 } from './hash.js';
import { nextToken, pageAt, startOffset } from './pagination.js';
import type { SenderIdentity } from './records.js';
import type { Person } from './records-audience.js';
import { badRequest, ok } from './responses.js';
import type { ApiResponse, RouteContext, RouteDefinition } from './router.js';

export const DEFAULT_OPTOUTS_LIMIT = 100;
export const MAX_OPTOUTS_LIMIT = 1000;
/** The sender people opt out of when the workspace has no phone sender identity. */
const FALLBACK_SENDER = '+15550100000';

export interface OptOutEntry {
  channel: 'sms' | 'whatsapp';
  /** The sender: an E.164 number (or, for SMS, an alphanumeric sender id). */
  from: string;
}

export interface PersonOptOuts {
  customer_id: string | null;
  cio_id: string;
  optouts: OptOutEntry[];
}

function phoneSenders(senders: readonly SenderIdentity[]): string[] {
  const phones = senders.filter((sender) => sender.template_type === 'phone' && sender.phone !== '');
  return phones.length > 0 ? phones.map((sender) => sender.phone) : [FALLBACK_SENDER];
}

/**
 * About a third of the people with a phone, derived from their cio_id (not from a random stream, so the
 * rest of the workspace is unchanged): SMS from one or two senders, some WhatsApp from the first. Search order.
 */
export function generateOptOuts(
  people: readonly Person[],
  senders: readonly SenderIdentity[],
): PersonOptOuts[] {
  const numbers = phoneSenders(senders);
  return people.flatMap((person): PersonOptOuts[] => {
    const roll = hash32(`optout:${person.cio_id}`);
    if (person.deleted || person.attributes.phone === undefined || roll % 3 !== 0) return [];
    const first = numbers[(roll >>> 4) % numbers.length] ?? FALLBACK_SENDER;
    const second = numbers[((roll >>> 4) + 1) % numbers.length] ?? first;
    const optouts: OptOutEntry[] = [{ channel: 'sms', from: first }];
    if ((roll >>> 8) % 2 === 0 && second !== first) optouts.push({ channel: 'sms', from: second });
    if ((roll >>> 9) % 3 === 0) optouts.push({ channel: 'whatsapp', from: first });
    return [{ customer_id: person.id, cio_id: person.cio_id, optouts }];
  });
}

function listOptOuts(context: RouteContext): ApiResponse {
  const offset = startOffset(context.query.get('start'));
  if (offset === undefined) return badRequest('invalid start token');
  const limit = queryInteger(context, 'limit', DEFAULT_OPTOUTS_LIMIT);
  if (!limit.ok) return limit.response;
  if (limit.value < 1) return badRequest('limit must be a positive integer');
  const from = context.query.get('from');
  const all =
    from === null || from === ''
      ? context.workspace.optouts
      : context.workspace.optouts.flatMap((entry) => {
          const matching = entry.optouts.filter((optout) => optout.from === from);
          return matching.length === 0 ? [] : [{ ...entry, optouts: matching }];
        });
  const page = pageAt(all, offset, Math.min(limit.value, MAX_OPTOUTS_LIMIT));
  return ok({ optouts: page.items, next: nextToken(page.nextOffset) });
}

export const OPTOUT_ROUTES: readonly RouteDefinition[] = [get('/v1/optouts', listOptOuts)];
