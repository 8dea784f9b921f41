import { UnexpectedResponseError } from '@cio-connectors/kit/errors';
import type { LogLevel } from '@cio-connectors/kit/protocol';
import { describe, expect, test } from 'vitest';
import type { Rejection } from '../src/entries.js';
import { LOGGED_REJECTIONS, RejectionReport } from '../src/rejections.js';
import { BATCH_PATH, refusedEntries } from '../src/sender.js';

describe('refusedEntries', () => {
  test('each error names its entry, field and reason', () => {
    const refused = refusedEntries(
      {
        errors: [
          { batch_index: 2, reason: 'invalid', field: 'identifiers', message: 'id is too long' },
          { batch_index: 0, reason: 'required', field: 'name', message: '' },
          { batch_index: 4, message: 'bad timestamp' },
        ],
      },
      5,
      BATCH_PATH,
    );
    expect([...refused.keys()]).toEqual([2, 0, 4]);
    expect(refused.get(2)).toEqual({
      field: 'identifiers',
      reason: 'Customer.io refused it (invalid: id is too long)',
    });
    expect(refused.get(0)).toEqual({ field: 'name', reason: 'Customer.io refused it (required)' });
    expect(refused.get(4)).toEqual({ field: '(entry)', reason: 'Customer.io refused it (bad timestamp)' });
    expect(refused.has(1)).toBe(false);
    expect(refused.has(3)).toBe(false);
  });

  test('an error without field or words: "(entry)", refused without a reason', () => {
    expect(
      refusedEntries({ errors: [{ batch_index: 0, field: '', reason: 7 }] }, 1, BATCH_PATH).get(0),
    ).toEqual({
      field: '(entry)',
      reason: 'Customer.io refused it',
    });
  });

  test('an entry named twice keeps its first error', () => {
    const refused = refusedEntries(
      {
        errors: [
          { batch_index: 1, field: 'first', reason: 'one' },
          { batch_index: 1, field: 'second', reason: 'two' },
        ],
      },
      2,
      BATCH_PATH,
    );
    expect(refused.size).toBe(1);
    expect(refused.get(1)).toEqual({ field: 'first', reason: 'Customer.io refused it (one)' });
  });

  test('the last entry of the batch can be named', () => {
    expect(refusedEntries({ errors: [{ batch_index: 9 }] }, 10, BATCH_PATH).has(9)).toBe(true);
  });

  describe('a 207 that is not the documented one is an unexpected answer', () => {
    test.each([
      ['no errors', {}],
      ['errors not a list', { errors: { batch_index: 0 } }],
      ['an empty list', { errors: [] }],
      ['an index past the batch', { errors: [{ batch_index: 3 }] }],
      ['a negative index', { errors: [{ batch_index: -1 }] }],
      ['a fractional index', { errors: [{ batch_index: 1.5 }] }],
      ['an index as text', { errors: [{ batch_index: '1' }] }],
      ['no index', { errors: [{ reason: 'invalid' }] }],
      ['a null error', { errors: [null] }],
      ['a text error', { errors: ['invalid'] }],
      ['one good error and one bad', { errors: [{ batch_index: 0 }, { batch_index: 99 }] }],
    ])('%s', (_what, body) => {
      let thrown: unknown;
      try {
        refusedEntries(body, 3, BATCH_PATH);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(UnexpectedResponseError);
      const error = thrown as UnexpectedResponseError;
      expect(error.failureType).toBe('system_error');
      expect(error.status).toBe(207);
      expect(error.method).toBe('POST');
      expect(error.path).toBe(BATCH_PATH);
      expect(error.message).toBe(
        'Customer.io answered 207 to POST /api/v2/batch without a list of errors naming entries of the batch (3 entries): report it.',
      );
    });
  });
});

describe('RejectionReport', () => {
  const rejection = (field: string, reason: string): Rejection => ({ field, reason });

  function report() {
    const lines: Array<[LogLevel, string]> = [];
    return { report: new RejectionReport((level, message) => lines.push([level, message])), lines };
  }

  test('each rejection is a WARN line naming who rejected it, the record, the field and the reason', () => {
    const { report: rejections, lines } = report();
    rejections.add('people (person_id "u1")', rejection('person_phone', 'not E.164'), 'connector');
    rejections.add('events (person_id "u2")', rejection('(entry)', 'Customer.io refused it'), 'Customer.io');
    expect(lines.map(([level]) => level)).toEqual(['WARN', 'WARN']);
    expect(lines[0]?.[1]).toMatch(
      /^Rejected before sending\b.*: a record of people \(person_id "u1"\): person_phone: not E\.164\.$/,
    );
    expect(lines[1]?.[1]).toBe(
      'Rejected by Customer.io: a record of events (person_id "u2"): (entry): Customer.io refused it.',
    );
    expect(rejections.total).toBe(2);
  });

  test('the first 100 are logged, then one notice, then nothing until the summary', () => {
    expect(LOGGED_REJECTIONS).toBe(100);
    const { report: rejections, lines } = report();
    for (let index = 1; index <= 250; index++)
      rejections.add(`people (person_id "u${index}")`, rejection('person_id', 'too long'), 'connector');
    expect(rejections.total).toBe(250);
    expect(lines).toHaveLength(101);
    expect(lines.every(([level]) => level === 'WARN')).toBe(true);
    expect(lines[0]?.[1]).toContain('(person_id "u1")');
    expect(lines[99]?.[1]).toContain('(person_id "u100")');
    expect(lines[100]?.[1]).toBe(
      '100 records rejected: further rejections are counted per reason, logged at the end.',
    );
    expect(lines.some(([, message]) => message.includes('"u101"'))).toBe(false);
    expect(rejections.summary()).toBe('250 records rejected: 250 × person_id: too long.');
  });

  test('99 rejections: no notice', () => {
    const { report: rejections, lines } = report();
    for (let index = 0; index < 99; index++) rejections.add('people', rejection('f', 'r'), 'connector');
    expect(lines).toHaveLength(99);
    expect(lines.some(([, message]) => message.includes('further rejections'))).toBe(false);
  });

  test('nothing rejected: no summary, no commonest', () => {
    const { report: rejections, lines } = report();
    expect(rejections.summary()).toBeUndefined();
    expect(rejections.commonest()).toBeUndefined();
    expect(rejections.total).toBe(0);
    expect(lines).toEqual([]);
  });

  test('one rejection: "1 record rejected"', () => {
    const { report: rejections } = report();
    rejections.add('people', rejection('timestamp', 'not a time'), 'connector');
    expect(rejections.summary()).toBe('1 record rejected: 1 × timestamp: not a time.');
    expect(rejections.commonest()).toEqual({ reason: 'timestamp: not a time', count: 1 });
  });

  test('the summary counts per field and reason, commonest first; ties keep the order first seen', () => {
    const { report: rejections } = report();
    const add = (field: string, reason: string, times: number) => {
      for (let index = 0; index < times; index++)
        rejections.add('people', rejection(field, reason), 'connector');
    };
    add('person_phone', 'not E.164', 1);
    add('attributes.bio', 'too long', 2);
    add('timestamp', 'not a time', 5);
    add('person_phone', 'too long', 2);
    add('attributes.bio', 'too long', 1);
    expect(rejections.summary()).toBe(
      '11 records rejected: 5 × timestamp: not a time; 3 × attributes.bio: too long; 2 × person_phone: too long; 1 × person_phone: not E.164.',
    );
    expect(rejections.commonest()).toEqual({ reason: 'timestamp: not a time', count: 5 });
  });

  test('the commonest of a tie is the reason seen first', () => {
    const { report: rejections } = report();
    rejections.add('a', rejection('x', 'one'), 'connector');
    rejections.add('b', rejection('y', 'two'), 'Customer.io');
    rejections.add('c', rejection('y', 'two'), 'Customer.io');
    rejections.add('d', rejection('x', 'one'), 'connector');
    expect(rejections.commonest()).toEqual({ reason: 'x: one', count: 2 });
  });

  test('who rejected a record does not split its reason', () => {
    const { report: rejections } = report();
    rejections.add('a', rejection('(entry)', 'refused'), 'connector');
    rejections.add('b', rejection('(entry)', 'refused'), 'Customer.io');
    expect(rejections.summary()).toBe('2 records rejected: 2 × (entry): refused.');
  });
});
