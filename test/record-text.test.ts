import { PassThrough } from 'node:stream';
import type { JsonObject } from '@cio-connectors/kit/json';
import { parseJson } from '@cio-connectors/kit/json';
import { Emitter } from '@cio-connectors/kit/protocol';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { recordTexts } from '../src/record-text.js';
import { RecordBatch } from '../src/streams/items.js';

/** Parses a body as the HTTP client does and keeps its records' texts as a page read with keepRecordText. */
function page(text: string, envelopeKey = 'messages'): RecordBatch {
  const body = parseJson(text) as JsonObject;
  const records = body[envelopeKey] as JsonObject[];
  return new RecordBatch(records, recordTexts(text, envelopeKey, records));
}

/** The text a batch carries for `record`, found by the record object (a copy has none). */
function textOf(batch: RecordBatch, record: JsonObject): string | undefined {
  const at = batch.records.indexOf(record);
  return at === -1 ? undefined : batch.texts?.[at];
}

/** A small deterministic generator (mulberry32), so the texts below are the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * JSON text of a random record, written sometimes as JSON.stringify would and sometimes not (whitespace, escapes
 * it never writes, numbers in other forms, integer-like and duplicate keys), the way another server might.
 */
function writeRecord(next: () => number, depth = 0): string {
  const pick = <T>(options: readonly T[]): T => options[Math.floor(next() * options.length)] as T;
  const space = () => (next() < 0.03 ? pick([' ', '\n', '\t', '\r\n  ']) : '');
  const strings = [
    'plain',
    'a "quoted" word',
    'back\\slash',
    'tab\tand\nnewline',
    'é ü ß',
    '😀 emoji',
    'a/b',
    '',
  ];
  const writeString = (text: string) => {
    const written = JSON.stringify(text);
    if (next() < 0.05) return written.replace('a', '\\u0061');
    if (next() < 0.05) return written.replace('/', '\\/');
    if (next() < 0.03) return written.replace('é', '\\u00e9').replace('😀', '\\ud83d\\ude00');
    return written;
  };
  const writeValue = (): string => {
    const kind = next();
    if (kind < 0.3) return writeString(pick(strings));
    if (kind < 0.55) {
      const number = pick([
        '0',
        '7',
        '-12',
        '1700000000',
        '1.5',
        '-0',
        '1e3',
        '2.50',
        '123456789012345',
        '9007199254740993',
      ]);
      return number;
    }
    if (kind < 0.65) return pick(['true', 'false', 'null']);
    if (kind < 0.75 && depth < 2) return `[${space()}${[writeValue(), writeValue()].join(`,${space()}`)}]`;
    if (depth < 2) return writeRecord(next, depth + 1);
    return '{}';
  };
  const keys = ['id', 'created', 'type', 'metrics', 'subject', 'a_b', 'customer_id'];
  const count = 1 + Math.floor(next() * 5);
  const members: string[] = [];
  for (let index = 0; index < count; index++) {
    const key =
      next() < 0.04 ? pick(['0', '12', '3x']) : next() < 0.04 ? (keys[0] as string) : `${pick(keys)}${index}`;
    members.push(`${space()}${JSON.stringify(key)}${space()}:${space()}${writeValue()}`);
  }
  return `{${members.join(',')}${space()}}`;
}

describe('record texts kept from the response', () => {
  test('a kept text is exactly what JSON.stringify writes for its record, whatever the server wrote', () => {
    const next = random(17);
    let kept = 0;
    let records = 0;
    for (let body = 0; body < 200; body++) {
      const texts = Array.from({ length: 20 }, () => writeRecord(next));
      const parsed = page(`{"messages":[${texts.join(',')}],"next":"x"}`);
      for (const [index, record] of parsed.records.entries()) {
        records += 1;
        const text = textOf(parsed, record);
        if (text === undefined) continue;
        kept += 1;
        expect(text).toBe(JSON.stringify(record));
        expect(text).toBe(texts[index]);
      }
    }
    // A good part of the generated records are written as JSON.stringify would: those are kept.
    expect(kept).toBeGreaterThan(records / 10);
    expect(kept).toBeLessThan(records);
  });

  test.each([
    ['whitespace', '{"id": 1}'],
    ['a \\u escape', '{"id":"\\u0061"}'],
    ['an escaped slash', '{"id":"a\\/b"}'],
    ['a fraction', '{"id":1.0}'],
    ['an exponent', '{"id":1e3}'],
    ['minus zero', '{"id":-0}'],
    ['an integer of 16 digits', '{"id":1234567890123456}'],
    ['an integer-like key', '{"b":1,"2":2}'],
    ['a duplicate key', '{"id":1,"id":2}'],
    ['a duplicate nested key', '{"id":1,"m":{"a":1,"a":2}}'],
  ])('%s: not kept, the record is serialized again', (_case, text) => {
    const batch = page(`{"messages":[${text}]}`);
    const [record] = batch.records;
    expect(record).toBeDefined();
    expect(textOf(batch, record as JsonObject)).toBeUndefined();
  });

  test('escapes JSON.stringify writes itself, other characters and nesting are kept', () => {
    const text =
      '{"s":"a\\"b\\\\c\\n\\t\\r\\b\\f","u":"é 😀 \u2028","n":[1,-2,{"x":null,"y":true}],"e":{},"l":[]}';
    const batch = page(`{"messages":[${text}]}`);
    const [record] = batch.records;
    expect(textOf(batch, record as JsonObject)).toBe(text);
    expect(JSON.stringify(record)).toBe(text);
  });

  test('records filtered out and records copied on the way: the others keep their texts, copies lose theirs', () => {
    const batch = page('{"messages":[{"id":1},{"id":2},{"id":3},{"id":4}]}');
    const [first, second, third, fourth] = batch.records as [JsonObject, JsonObject, JsonObject, JsonObject];
    const kept = batch
      .filter((record) => record !== first)
      .map((record) => (record === third ? { ...third } : record));
    expect(kept.records).toHaveLength(3);
    expect(textOf(kept, second)).toBe('{"id":2}');
    expect(kept.texts?.[1]).toBeUndefined();
    expect(kept.records[1]).toEqual(third);
    expect(textOf(kept, fourth)).toBe('{"id":4}');
    expect(textOf(kept, first)).toBeUndefined();
  });

  test('texts live on their page only: another page of the same records has its own', () => {
    const first = page('{"messages":[{"id":1},{"id":2}]}');
    const second = page('{"messages":[{"id":1},{"id": 2}]}');
    expect(first.texts).toEqual(['{"id":1}', '{"id":2}']);
    expect(second.texts).toEqual(['{"id":1}', undefined]);
    expect(textOf(second, first.records[0] as JsonObject)).toBeUndefined();
  });

  test('a body whose list does not come first, or that is not a list of objects, keeps nothing', () => {
    const later = page('{"next":"x","messages":[{"id":1}]}');
    expect(textOf(later, later.records[0] as JsonObject)).toBeUndefined();
    const mixed = page('{"messages":[{"id":1},"two",3]}');
    expect(textOf(mixed, mixed.records[0] as JsonObject)).toBe('{"id":1}');
  });

  test('a body naming its list twice keeps nothing: the parser keeps the last list, the scan would read the first', () => {
    const batch = page('{"messages":[{"id":"A","created":1}],"next":"","messages":[{"id":"B","created":2}]}');
    const [record] = batch.records;
    expect(record).toEqual({ id: 'B', created: 2 });
    expect(textOf(batch, record as JsonObject)).toBeUndefined();
  });

  test('texts go with the records as listed when read, whatever is done to the page list afterwards', () => {
    const list: JsonObject[] = [];
    const text = '{"messages":[{"id":1},{"id":2}]}';
    list.push(...((parseJson(text) as JsonObject).messages as JsonObject[]));
    const batch = RecordBatch.ofPage({ records: list, texts: recordTexts(text, 'messages', list) }, (r) => r);
    const [first, second] = list as [JsonObject, JsonObject];
    list.reverse();
    expect(textOf(batch, first)).toBe('{"id":1}');
    expect(textOf(batch, second)).toBe('{"id":2}');
  });
});

describe('Emitter with kept record texts', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('verifying (the test suite runs the connector so): a record changed in place after parsing fails loudly', () => {
    const batch = page('{"messages":[{"id":1,"type":"email"},{"id":2}]}');
    const [changed, untouched] = batch.records as [JsonObject, JsonObject];
    changed.type = 'sms';
    const emitter = new Emitter(new PassThrough(), { verifyRecordTexts: true });
    expect(() => emitter.record('messages', changed, textOf(batch, changed))).toThrow(
      /differs from the record emitted/,
    );
    expect(() => emitter.record('messages', untouched, textOf(batch, untouched))).not.toThrow();
    // Not verifying, the stale text would go out: what the check is there to catch.
    const stalePage = page('{"messages":[{"id":1,"type":"email"}]}');
    const [stale] = stalePage.records as [JsonObject];
    stale.type = 'sms';
    expect(textOf(stalePage, stale)).toBe('{"id":1,"type":"email"}');
  });

  test('writes the same bytes as when it serializes the records', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_123);
    const text = '{"id":"d1","created":1700000000,"subject":"Hi \\"you\\" é","metrics":{"sent":1700000001}}';
    const write = async (batch: RecordBatch) => {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (chunk: Buffer) => chunks.push(chunk));
      const emitter = new Emitter(out);
      emitter.addSecret('secret-key-1234');
      for (const [index, record] of batch.records.entries())
        await emitter.record('messages', record, batch.texts?.[index]);
      await emitter.flush();
      return Buffer.concat(chunks).toString();
    };
    const kept = page(`{"messages":[${text},{"id":"secret-key-1234"}]}`);
    const serialized = JSON.parse(`[${text},{"id":"secret-key-1234"}]`) as JsonObject[];
    expect(kept.texts?.[0]).toBe(text);
    const written = await write(kept);
    expect(written).toBe(await write(new RecordBatch(serialized)));
    expect(written).not.toContain('secret-key-1234');
    expect(written.split('\n')[0]).toBe(
      JSON.stringify({
        type: 'RECORD',
        record: { stream: 'messages', data: serialized[0], emitted_at: 1_700_000_000_123 },
      }),
    );
  });
});
