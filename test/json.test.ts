import { mayHoldUnsafeInteger, parseJson, stringifyJson } from '@cio-connectors/kit/json';
import { describe, expect, test } from 'vitest';

describe('parseJson', () => {
  test('an integer beyond 2^53 becomes the exact BigInt; its rounded neighbour stays a number', () => {
    const parsed = parseJson('{"a":[{"id":9007199254740993},{"id":9007199254740991}],"b":-9007199254740995}');
    expect(parsed).toEqual({
      a: [{ id: 9007199254740993n }, { id: 9007199254740991 }],
      b: -9007199254740995n,
    });
  });

  test.each([
    ['a top-level integer', '12345678901234567890', 12345678901234567890n],
    ['after whitespace', '[ \n\t18446744073709551615]', [18446744073709551615n]],
    [
      'a fraction stays a double, as JSON.parse reads it',
      '{"x":12345678901234567.5}',
      JSON.parse('{"x":12345678901234567.5}'),
    ],
    ['an exponent stays a double', '{"x":1234567890123456789e2}', JSON.parse('{"x":1234567890123456789e2}')],
    [
      'digits in a string stay a string',
      '{"token":"83376333828257340320"}',
      { token: '83376333828257340320' },
    ],
    ['a safe 16-digit integer stays a number', '{"x":1234567890123456}', { x: 1234567890123456 }],
  ])('%s', (_name, text, expected) => {
    expect(parseJson(text)).toEqual(expected);
  });

  test('apart from such integers, the value is what JSON.parse gives (duplicate keys, __proto__, escapes)', () => {
    const body =
      '{"dup":1,"dup":2,"__proto__":{"x":1},"s":"\\u00e9\\n\\"q\\"","f":-0.5e-3,"n":null,"t":true,"e":[],"o":{}}';
    const withBig = `${body.slice(0, -1)},"big":9007199254740993}`;
    const expected = JSON.parse(body) as Record<string, unknown>;
    const parsed = parseJson(withBig) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual([...Object.keys(expected), 'big']);
    expect(parsed).toEqual({ ...expected, big: 9007199254740993n });
  });

  test('a text that is not JSON is refused, on both paths', () => {
    expect(() => parseJson('{"id":90071992547409930')).toThrow(SyntaxError);
    expect(() => parseJson('{"id":9')).toThrow(SyntaxError);
  });
});

describe('mayHoldUnsafeInteger', () => {
  test('finds a 16-digit number token wherever it starts (every alignment of the sampling)', () => {
    for (let padding = 0; padding < 40; padding++) {
      const text = `{"pad":"${'x'.repeat(padding)}","id":9007199254740993}`;
      expect(mayHoldUnsafeInteger(text)).toBe(true);
      expect(mayHoldUnsafeInteger(text.replace('9007199254740993', '900719925474099'))).toBe(false);
    }
  });

  test.each([
    ['after a colon', '{"a":1234567890123456}', true],
    ['after a comma and a space', '[1, 1234567890123456]', true],
    ['after a bracket, negative', '[-1234567890123456]', true],
    ['at the start', '1234567890123456', true],
    ['in a string', '{"a":"1234567890123456"}', false],
    ['after letters in a string', '{"a":"id1234567890123456"}', false],
    ['a fraction part', '{"a":0.1234567890123456789}', false],
    ['15 digits', '{"a":123456789012345}', false],
  ])('%s: %s', (_name, text, expected) => {
    expect(mayHoldUnsafeInteger(text)).toBe(expected);
  });
});

describe('stringifyJson', () => {
  test('writes a BigInt as its digits, a number, and everything else as JSON.stringify does', () => {
    const value = {
      id: 9007199254740993n,
      s: 'é\n"',
      list: [1, -0.5, null, undefined],
      skip: undefined,
      t: true,
    };
    const { id: _id, ...rest } = value;
    expect(stringifyJson(value)).toBe(`{"id":9007199254740993,${JSON.stringify(rest).slice(1)}`);
  });

  test('values without a BigInt are exactly JSON.stringify', () => {
    const value = { a: [1, 'two', { three: 3.5 }], b: null, c: new Date(0) };
    expect(stringifyJson(value)).toBe(JSON.stringify(value));
  });

  test('round trips an unsafe integer exactly', () => {
    const text = '{"id":9007199254740993,"ids":[18446744073709551615,-9223372036854775808]}';
    expect(stringifyJson(parseJson(text))).toBe(text);
  });
});
