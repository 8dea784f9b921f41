import { PassThrough, Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { mapConcurrent } from '../src/concurrency.js';
import { Emitter } from '../src/protocol.js';

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
    await emitter.log('ERROR', 'request with super-secret-key failed');
    await emitter.record('campaigns', { id: 1, note: 'x super-secret-key y' });
    const lines = chunks.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.join('')).not.toContain('super-secret-key');
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      type: 'LOG',
      log: { level: 'ERROR', message: 'request with **** failed' },
    });
    expect(JSON.parse(lines[1] ?? '').record).toMatchObject({ stream: 'campaigns', data: { id: 1 } });
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
    for (let i = 0; i < 50; i++) {
      await emitter.record('s', { id: i, padding: 'x'.repeat(100) });
      expect(slow.writableLength).toBeLessThanOrEqual(200);
    }
    await new Promise((resolve) => slow.end(resolve));
    expect(written).toBeGreaterThan(50 * 100);
  });
});

describe('mapConcurrent', () => {
  test('runs at most `limit` calls at once and returns every result', async () => {
    let active = 0;
    let peak = 0;
    const results: number[] = [];
    for await (const value of mapConcurrent(numbers(20), 4, async (n) => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, (n % 3) * 2));
      active -= 1;
      return n * 10;
    })) {
      results.push(value);
    }
    expect(peak).toBe(4);
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
  });

  test('rethrows the first failure', async () => {
    const run = async () => {
      for await (const _ of mapConcurrent(numbers(10), 3, async (n) => {
        if (n === 5) throw new Error('partition 5 failed');
        return n;
      })) {
        // consume
      }
    };
    await expect(run()).rejects.toThrow('partition 5 failed');
  });
});
