import { describe, expect, it } from 'vitest';
import { PrimaryKeyCheck } from '../src/primary-key.js';

describe('PrimaryKeyCheck', () => {
  const schema = {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      domain: { type: ['null', 'string'] },
      identifiers: { type: 'object', properties: { cio_id: { type: 'string' } } },
    },
  };

  it('passes a record with every key part, including a null where the schema allows null', () => {
    const check = new PrimaryKeyCheck([['id'], ['domain'], ['identifiers', 'cio_id']], schema);
    expect(() => check.check({ id: 0, domain: null, identifiers: { cio_id: 'a1' } })).not.toThrow();
  });

  it('fails a record missing a key part, or null where the schema does not allow it, naming the field', () => {
    const check = new PrimaryKeyCheck([['id'], ['domain'], ['identifiers', 'cio_id']], schema);
    expect(() => check.check({ domain: null, identifiers: { cio_id: 'a1' } })).toThrow(
      /without "id", part of the stream's primary key \(id, domain, identifiers\.cio_id\)/,
    );
    expect(() => check.check({ id: null, domain: null, identifiers: { cio_id: 'a1' } })).toThrow(/"id"/);
    expect(() => check.check({ id: 1, identifiers: { cio_id: 'a1' } })).toThrow(/"domain"/);
    expect(() => check.check({ id: 1, domain: 'x', identifiers: null })).toThrow(/"identifiers\.cio_id"/);
  });
});
