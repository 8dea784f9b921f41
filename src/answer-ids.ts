import { UnexpectedResponseError } from './errors.js';

/**
 * An identifier read from an answer, to be sent back in a path or a request body: a non-empty string or a finite
 * number, as text. Anything else (absent, null, "") is a malformed answer: asking for "undefined" would find
 * nobody and end the stream complete without its records.
 */
export function answerId(value: unknown, field: string, what: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new UnexpectedResponseError(
    `Customer.io answered ${what} without "${field}", which the next requests are addressed by: the answer is malformed, so the stream stops. Retry later; report it if it persists.`,
  );
}

/** What a people search lists, for answerId. */
export const SEARCHED_PERSON = 'a person in the people search (POST /v1/customers)';
