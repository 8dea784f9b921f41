import type { Params } from '@cio-connectors/kit/http-client';
import type { JsonObject } from '@cio-connectors/kit/json';
import { expect, test } from 'vitest';
import { NotFoundError } from '../src/errors.js';
import { StreamState } from '../src/streams/items.js';
import { lookedUp, type ReadRecord, type RecordLookup } from '../src/streams/lookups.js';

const sizes: RecordLookup = {
  path: (record) => `/things/${String(record.id)}/size`,
  params: { unit: 'people' },
  complete: (record, answer) => ({ ...record, size: answer.size ?? null }),
  whenGone: (record) =>
    record.id === 3 ? `thing ${String(record.id)} is gone; skipped.` : { ...record, size: null },
};

/** Answers each request only when the test says so, in whatever order it says. */
function heldAnswers() {
  const asked: Array<{
    path: string;
    params: Params | undefined;
    answer: (body: JsonObject | Error) => void;
  }> = [];
  const ask = (path: string, params: Params | undefined) =>
    new Promise<JsonObject>((resolve, reject) => {
      asked.push({ path, params, answer: (body) => (body instanceof Error ? reject(body) : resolve(body)) });
    });
  return { asked, ask };
}

async function* entries(items: Array<ReadRecord | StreamState>): AsyncGenerator<ReadRecord | StreamState> {
  yield* items;
}

/** Every promise chain the code has started runs to where it waits on an answer (no timer is involved). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

test('records keep their order whatever order the answers come in; only emitted records are asked', async () => {
  const { asked, ask } = heldAnswers();
  const warnings: string[] = [];
  const state = new StreamState({ at: 1 }, false);
  const items: Array<ReadRecord | StreamState> = [
    { record: { id: 1 }, emitted: true },
    { record: { id: 9 }, emitted: false },
    { record: { id: 2 }, emitted: true },
    state,
    { record: { id: 3 }, emitted: true },
    { record: { id: 4 }, emitted: true },
  ];
  const out: Array<ReadRecord | StreamState> = [];
  const reading = (async () => {
    const run = { ask, warn: async (message: string) => void warnings.push(message), atOnce: 6 };
    for await (const item of lookedUp(entries(items), sizes, run)) out.push(item);
  })();
  await settle();
  // Four records emitted, four requests out at once; the record not emitted is asked nothing.
  expect(asked.map(({ path }) => path)).toEqual([
    '/things/1/size',
    '/things/2/size',
    '/things/3/size',
    '/things/4/size',
  ]);
  expect(asked.every(({ params }) => params?.unit === 'people')).toBe(true);
  asked[3]?.answer(new NotFoundError('gone'));
  asked[2]?.answer(new NotFoundError('gone'));
  asked[1]?.answer({ size: 20 });
  await settle();
  expect(out).toEqual([]);
  asked[0]?.answer({ size: 10 });
  await reading;
  expect(out).toEqual([
    { record: { id: 1, size: 10 }, emitted: true },
    { record: { id: 9 }, emitted: false },
    { record: { id: 2, size: 20 }, emitted: true },
    state,
    { record: { id: 4, size: null }, emitted: true },
  ]);
  expect(out[3]).toBe(state);
  expect(warnings).toEqual(['thing 3 is gone; skipped.']);
});

test('at most `atOnce` lookups are out at a time', async () => {
  const { asked, ask } = heldAnswers();
  const items = [1, 2, 3, 4, 5].map((id) => ({ record: { id }, emitted: true }));
  const out: Array<ReadRecord | StreamState> = [];
  const reading = (async () => {
    for await (const item of lookedUp(entries(items), sizes, { ask, warn: async () => {}, atOnce: 2 }))
      out.push(item);
  })();
  await settle();
  expect(asked).toHaveLength(2);
  asked[0]?.answer({ size: 1 });
  await settle();
  expect(asked).toHaveLength(3);
  for (const request of asked.slice(1)) request.answer({ size: 0 });
  await settle();
  for (const request of asked.slice(3)) request.answer({ size: 0 });
  await settle();
  for (const request of asked.slice(4)) request.answer({ size: 0 });
  await reading;
  expect(asked).toHaveLength(5);
  expect(out.map((item) => (item as ReadRecord).record.id)).toEqual([1, 2, 3, 4, 5]);
});

test('a failure other than 404 fails the read', async () => {
  const failing = { ask: async () => Promise.reject(new Error('boom')), warn: async () => {}, atOnce: 2 };
  const read = async () => {
    for await (const _ of lookedUp(entries([{ record: { id: 1 }, emitted: true }]), sizes, failing)) {
      // nothing: the first lookup fails
    }
  };
  await expect(read()).rejects.toThrow('boom');
});

test("a failure of the records' source comes after the records read before it, once their lookups answer", async () => {
  const { asked, ask } = heldAnswers();
  async function* failingSource(): AsyncGenerator<ReadRecord | StreamState> {
    yield { record: { id: 1 }, emitted: true };
    yield { record: { id: 2 }, emitted: true };
    throw new Error('the parent failed');
  }
  const out: Array<ReadRecord | StreamState> = [];
  const reading = (async () => {
    for await (const item of lookedUp(failingSource(), sizes, { ask, warn: async () => {}, atOnce: 4 }))
      out.push(item);
  })();
  const failure = reading.then(
    () => undefined,
    (error: unknown) => error,
  );
  await settle();
  expect(asked).toHaveLength(2);
  asked[1]?.answer({ size: 2 });
  asked[0]?.answer({ size: 1 });
  expect(String(await failure)).toBe('Error: the parent failed');
  expect(out.map((item) => (item as ReadRecord).record)).toEqual([
    { id: 1, size: 1 },
    { id: 2, size: 2 },
  ]);
});
