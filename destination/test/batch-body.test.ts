import { describe, expect, test } from 'vitest';
import { BATCH_ENVELOPE_BYTES, BatchBuilder, batchPart, IDS_ENVELOPE } from '../src/batch-body.js';

const entry = (n: number, extra = '') =>
  JSON.stringify({ type: 'person', identifiers: { id: `u${n}` }, note: extra });
const bytesOf = (text: string) => Buffer.byteLength(text);

function fill(texts: string[], maxBytes = 10_000) {
  const builder = new BatchBuilder(maxBytes);
  for (const text of texts) builder.add(text, bytesOf(text));
  return builder.finish();
}

describe('BatchBuilder', () => {
  test('the body is the batch envelope around the entries, as JSON.stringify would write it', () => {
    const texts = [entry(1), entry(2, 'é ü 漢'), entry(3)];
    const body = fill(texts);
    expect(body.bytes.toString('utf8')).toBe(`{"batch":[${texts.join(',')}]}`);
    expect(JSON.parse(body.bytes.toString('utf8'))).toEqual({ batch: texts.map((text) => JSON.parse(text)) });
  });

  test('fits counts the comma and the envelope, and an empty batch takes any entry', () => {
    const text = entry(1);
    const size = bytesOf(text);
    const builder = new BatchBuilder(BATCH_ENVELOPE_BYTES + 2 * size + 1);
    expect(builder.fits(size)).toBe(true);
    builder.add(text, size);
    expect(builder.fits(size)).toBe(true);
    expect(builder.fits(size + 1)).toBe(false);
    builder.add(text, size);
    const body = builder.finish();
    expect(body.bytes.length).toBe(BATCH_ENVELOPE_BYTES + 2 * size + 1);
    const tiny = new BatchBuilder(10);
    expect(tiny.fits(size)).toBe(true);
    tiny.add(text, size);
    expect(tiny.finish().bytes.toString()).toBe(`{"batch":[${text}]}`);
  });

  test('finish starts a new, empty batch; an empty batch is an empty list', () => {
    const builder = new BatchBuilder(1000);
    builder.add(entry(1), bytesOf(entry(1)));
    builder.finish();
    expect(builder.entries).toBe(0);
    builder.add(entry(2), bytesOf(entry(2)));
    expect(builder.finish().bytes.toString()).toBe(`{"batch":[${entry(2)}]}`);
    expect(new BatchBuilder(1000).finish().bytes.toString()).toBe('{"batch":[]}');
  });
});

describe('batchPart', () => {
  test('any range of entries is a valid batch of exactly those entries, multi-byte text included', () => {
    const texts = [entry(1), entry(2, 'ß'.repeat(7)), entry(3), entry(4, '😀'), entry(5)];
    const body = fill(texts);
    for (let from = 0; from < texts.length; from++)
      for (let to = from + 1; to <= texts.length; to++)
        expect(batchPart(body, from, to).toString('utf8')).toBe(
          `{"batch":[${texts.slice(from, to).join(',')}]}`,
        );
  });
});

test('a segment\'s ids: {"ids":[...]} of at most the entries it may hold, and its parts in the same envelope', () => {
  const builder = new BatchBuilder(480_000, IDS_ENVELOPE, 3);
  const texts = ['"a"', '"b"', '"c"', '"d"'];
  for (const text of texts.slice(0, 3)) {
    expect(builder.fits(bytesOf(text))).toBe(true);
    builder.add(text, bytesOf(text));
  }
  expect(builder.fits(1)).toBe(false);
  const body = builder.finish();
  expect(JSON.parse(body.bytes.toString('utf8'))).toEqual({ ids: ['a', 'b', 'c'] });
  expect(batchPart(body, 1, 3).toString('utf8')).toBe('{"ids":["b","c"]}');
  expect(builder.fits(1)).toBe(true);
});
