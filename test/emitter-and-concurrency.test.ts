import { PassThrough, Writable } from 'node:stream';
import { Emitter } from '@cio-connectors/kit/protocol';
import { describe, expect, test } from 'vitest';
import { chunks, inOrder, mergeConcurrent } from '../src/concurrency.js';
import { RunMemo } from '../src/run-memo.js';

async function* numbers(count: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) yield i;
}

describe('Emitter', () => {
  test('writes one JSON message per line and masks registered secrets everywhere', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const emitter = new Emitter(out);
    emitter.addSecret('super-secret-key');
    await emitter.record('campaigns', { id: 1, note: 'x super-secret-key y' });
    await emitter.log('ERROR', 'request with super-secret-key failed');
    const lines = chunks.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.join('')).not.toContain('super-secret-key');
    // The buffered record goes out first: a LOG flushes what was emitted before it, in order.
    expect(JSON.parse(lines[0] ?? '').record).toMatchObject({
      stream: 'campaigns',
      data: { id: 1, note: 'x **** y' },
    });
    expect(JSON.parse(lines[1] ?? '')).toEqual({
      type: 'LOG',
      log: { level: 'ERROR', message: 'request with **** failed' },
    });
  });

  test('waits for drain when the destination is slow instead of buffering without bound', async () => {
    let written = 0;
    const slow = new Writable({
      highWaterMark: 64,
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        setTimeout(callback, 1);
      },
    });
    const emitter = new Emitter(slow);
    // Records are written in chunks of about 64 KB; a full destination makes the caller wait.
    let waits = 0;
    for (let i = 0; i < 3000; i++) {
      const writing = emitter.record('s', { id: i, padding: 'x'.repeat(100) });
      if (writing !== undefined) {
        waits += 1;
        await writing;
      }
      expect(slow.writableLength).toBeLessThanOrEqual(2 * 64 * 1024);
    }
    await emitter.flush();
    await new Promise((resolve) => slow.end(resolve));
    expect(waits).toBeGreaterThan(3);
    expect(written).toBeGreaterThan(3000 * 100);
  });
});

describe('Emitter when stdout goes away or the process stops', () => {
  test('a closed pipe (EPIPE) is reported once, and nothing is written or awaited afterwards', async () => {
    let writes = 0;
    const closedPipe = new Writable({
      highWaterMark: 16,
      write(_chunk: Buffer, _encoding, callback) {
        writes += 1;
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const emitter = new Emitter(closedPipe);
    const closed: string[] = [];
    emitter.onClosed((error) => closed.push((error as NodeJS.ErrnoException).code ?? ''));
    // Would wait for a drain that never comes, if the failure were not handled.
    await emitter.log('INFO', 'x'.repeat(100));
    await emitter.log('INFO', 'second');
    await emitter.record('s', { id: 1 });
    await emitter.flush();
    expect(closed).toEqual(['EPIPE']);
    expect(emitter.closed).toBe(true);
    expect(writes).toBe(1);
  });

  test('close() waits for what stdout already has, drops buffered records, then writes nothing more', async () => {
    const written: string[] = [];
    const slow = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        setTimeout(() => {
          written.push(chunk.toString());
          callback();
        }, 20);
      },
    });
    const emitter = new Emitter(slow);
    await emitter.log('INFO', 'before the end');
    await emitter.record('s', { id: 1 });
    await emitter.close();
    // The line handed over before close() is out in full when close() resolves.
    expect(written.join('')).toBe(
      `${JSON.stringify({ type: 'LOG', log: { level: 'INFO', message: 'before the end' } })}\n`,
    );
    await emitter.log('INFO', 'after the end');
    await emitter.record('s', { id: 2 });
    await emitter.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(written.join('').trimEnd().split('\n')).toHaveLength(1);
  });
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

describe('mergeConcurrent', () => {
  test('reads at most `limit` partitions at once and yields every value of every partition', async () => {
    let active = 0;
    let peak = 0;
    async function* partition(n: number): AsyncGenerator<number> {
      active += 1;
      peak = Math.max(peak, active);
      for (let page = 0; page < 3; page++) {
        await new Promise((resolve) => setTimeout(resolve, (n % 3) + 1));
        yield n * 10 + page;
      }
      active -= 1;
    }
    const values = await collect(mergeConcurrent(numbers(12), 4, partition));
    expect(peak).toBe(4);
    expect(values.sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, n) => [n * 10, n * 10 + 1, n * 10 + 2]).flat(),
    );
  });

  test('keeps at most one value in flight per partition (bounded memory)', async () => {
    let produced = 0;
    async function* endless(): AsyncGenerator<number> {
      for (;;) {
        produced += 1;
        yield produced;
      }
    }
    const merged = mergeConcurrent(numbers(2), 2, () => endless());
    for (let i = 0; i < 10; i++) await merged.next();
    await merged.return(undefined);
    expect(produced).toBeLessThanOrEqual(12);
  });

  test('rethrows the first failure', async () => {
    async function* partition(n: number): AsyncGenerator<number> {
      yield n;
      if (n === 5) throw new Error('partition 5 failed');
    }
    await expect(collect(mergeConcurrent(numbers(10), 3, partition))).rejects.toThrow('partition 5 failed');
  });
});

describe('inOrder', () => {
  /** A lane whose values are released by the test, so the order of events is the test's, not the clock's. */
  function gatedLanes() {
    const gates = new Map<number, Array<() => void>>();
    const started: number[] = [];
    const open = (lane: number) => {
      for (const release of gates.get(lane)?.splice(0) ?? []) release();
    };
    async function* lane(n: number): AsyncGenerator<string> {
      started.push(n);
      for (let page = 0; page < 3; page++) {
        await new Promise<void>((resolve) => gates.set(n, [...(gates.get(n) ?? []), resolve]));
        yield `${n}.${page}`;
      }
    }
    return { lane, open, started };
  }
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  test('reads `limit` items at once and yields their values in item order, later items held', async () => {
    const { lane, open, started } = gatedLanes();
    const values: string[] = [];
    const reading = (async () => {
      for await (const value of inOrder([0, 1, 2, 3], 3, 10, lane)) values.push(value);
    })();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    // Item 2 finishes first: nothing of it comes out before items 0 and 1 are done.
    for (let page = 0; page < 3; page++) {
      open(2);
      await settle();
    }
    expect(values).toEqual([]);
    open(0);
    await settle();
    expect(values).toEqual(['0.0']);
    for (let page = 1; page < 3; page++) {
      open(0);
      await settle();
    }
    // Item 0 done: item 3 starts, item 1 is next out.
    expect(started).toEqual([0, 1, 2, 3]);
    for (let page = 0; page < 3; page++) {
      open(1);
      await settle();
    }
    expect(values).toEqual(['0.0', '0.1', '0.2', '1.0', '1.1', '1.2', '2.0', '2.1', '2.2']);
    for (let page = 0; page < 3; page++) {
      open(3);
      await settle();
    }
    await reading;
    expect(values.slice(9)).toEqual(['3.0', '3.1', '3.2']);
  });

  test('a lane holds at most `hold` values: its read waits until they are taken (bounded memory)', async () => {
    let produced = 0;
    async function* endless(): AsyncGenerator<number> {
      for (;;) {
        produced += 1;
        yield produced;
      }
    }
    const ordered = inOrder(numbers(3), 3, 2, () => endless());
    await ordered.next();
    await settle();
    // The first lane: one taken and at most two held; the two others at most two held each, one more in flight.
    expect(produced).toBeLessThanOrEqual(1 + 2 + 1 + 3 * 2 + 1);
    await ordered.return(undefined);
  });

  test("rethrows a failure in item order: a later item's failure waits for the items before it", async () => {
    async function* lane(n: number): AsyncGenerator<number> {
      if (n === 2) throw new Error('item 2 failed');
      await settle();
      yield n;
    }
    const values: number[] = [];
    await expect(
      (async () => {
        for await (const value of inOrder(numbers(5), 3, 2, lane)) values.push(value);
      })(),
    ).rejects.toThrow('item 2 failed');
    expect(values).toEqual([0, 1]);
  });
});

test('chunks splits into fixed-size groups with a short last one', async () => {
  expect(await collect(chunks(numbers(7), 3))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
});

describe('RunMemo', () => {
  test('two asking at once share one read; a failed read is forgotten and read again', async () => {
    const memo = new RunMemo();
    let reads = 0;
    const read = async () => {
      reads += 1;
      if (reads === 1) throw new Error('first read failed');
      return reads;
    };
    const [first, second] = await Promise.allSettled([memo.once('k', read), memo.once('k', read)]);
    expect(reads).toBe(1);
    expect(first).toMatchObject({ status: 'rejected' });
    expect(second).toMatchObject({ status: 'rejected' });
    await expect(Promise.all([memo.once('k', read), memo.once('k', read)])).resolves.toEqual([2, 2]);
    expect(reads).toBe(2);
  });
});
