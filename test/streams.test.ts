import type { Answer } from '@cio-connectors/kit/http-answers';
import type { Download, RequestOptions } from '@cio-connectors/kit/http-client';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { LogLevel } from '@cio-connectors/kit/protocol';
import nock from 'nock';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { Requests } from '../src/api-client.js';
import { parseConfig, type SourceConfig } from '../src/config.js';
import type { Cursor, CursorInput } from '../src/cursors.js';
import { CustomerIoClient } from '../src/http-client.js';
import { PartitionCache } from '../src/partitions.js';
import { NO_PROGRESS } from '../src/progress.js';
import { RunMemo } from '../src/run-memo.js';
import { fullRead, type Slice, Stream, type StreamContext } from '../src/streams/base.js';
import { ChildStream } from '../src/streams/child-stream.js';
import { allStreams } from '../src/streams/index.js';
import { CHECKPOINT, recordsIn, type StreamItem, StreamState } from '../src/streams/items.js';

const BASE = 'https://api.customer.io';

function context(logs: string[] = []): StreamContext {
  const cache = new PartitionCache();
  const config: SourceConfig = parseConfig({ app_api_key: 'k', base_url: BASE, requests_per_second: 1000 });
  const result: StreamContext = {
    now: Math.floor(Date.now() / 1000),
    partitions: (stream) => cache.partitions(stream, result),
    client: new CustomerIoClient({ baseUrl: BASE, apiKey: 'k', requestsPerSecond: 1000, retryBaseMs: 1 }),
    config,
    partitionConcurrency: 3,
    memo: new RunMemo(),
    progress: NO_PROGRESS,
    log: async (level: LogLevel, message: string) => {
      logs.push(`${level} ${message}`);
    },
  };
  return result;
}

async function collect(iterable: AsyncIterable<StreamItem>): Promise<JsonObject[]> {
  const records: JsonObject[] = [];
  for await (const item of iterable) if (item !== CHECKPOINT) records.push(...recordsIn(item));
  return records;
}

function catalogStream(name: string): Stream {
  const stream = allStreams().find((candidate) => candidate.name === name);
  if (stream === undefined) throw new Error(`no stream ${name}`);
  return stream;
}

/** A stream's records as a parent read gives them: a full read with no state. */
function readAll(stream: Stream, ctx: StreamContext): AsyncIterable<StreamItem> {
  return stream.readRecords(ctx, stream.createCursor(ctx, fullRead(ctx.now)));
}

/** The records a stream's read in a sync emits (its states left out). */
async function emitted(
  name: string,
  ctx: StreamContext,
  run: CursorInput = fullRead(ctx.now),
  observe?: (record: JsonObject) => void,
): Promise<JsonObject[]> {
  const records: JsonObject[] = [];
  for await (const item of catalogStream(name).read(ctx, run, observe))
    if (!(item instanceof StreamState)) records.push(...recordsIn(item));
  return records;
}

/** One object type whose object search lists `identifiers` in one page. */
function nockObjectSearch(typeId: number, identifiers: JsonObject[]): void {
  nock(BASE)
    .get('/v1/object_types')
    .reply(200, { types: [{ id: typeId }] });
  nock(BASE).post('/v1/objects').query(true).reply(200, { identifiers, next: '' });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

test('campaign actions: every page of every campaign, with campaign_id injected when the API omits it', async () => {
  nock(BASE)
    .get('/v1/campaigns')
    .reply(200, { campaigns: [{ id: 1 }, { id: 2 }] });
  nock(BASE)
    .get('/v1/campaigns/1/actions')
    .reply(200, { actions: [{ id: '10' }], next: 'MQ==' });
  nock(BASE)
    .get('/v1/campaigns/1/actions')
    .query({ start: 'MQ==' })
    .reply(200, { actions: [{ id: '11', campaign_id: 1 }], next: '' });
  nock(BASE).get('/v1/campaigns/2/actions').reply(200, { actions: [], next: '' });
  const records = await collect(readAll(catalogStream('campaign_actions'), context()));
  expect(records).toEqual([
    { id: '10', campaign_id: 1 },
    { id: '11', campaign_id: 1 },
  ]);
});

test('a campaign deleted during the sync (404) is skipped with a warning, the others are read', async () => {
  const logs: string[] = [];
  nock(BASE)
    .get('/v1/campaigns')
    .reply(200, { campaigns: [{ id: 1 }, { id: 2 }] });
  nock(BASE)
    .get('/v1/campaigns/1/actions')
    .reply(404, { errors: [{ detail: 'not found', status: '404' }] });
  nock(BASE)
    .get('/v1/campaigns/2/actions')
    .reply(200, { actions: [{ id: '20', campaign_id: 2 }], next: '' });
  const records = await collect(readAll(catalogStream('campaign_actions'), context(logs)));
  expect(records).toEqual([{ id: '20', campaign_id: 2 }]);
  expect(logs).toEqual([
    'WARN campaign_actions: campaigns /v1/campaigns/1/actions answered 404, taken for deleted during the sync; skipped.',
  ]);
});

test('every stream declares a schema file whose properties hold its primary key', () => {
  for (const stream of allStreams()) {
    const properties = stream.jsonSchema.properties as Record<string, unknown>;
    for (const [field] of stream.primaryKey)
      expect(properties[field ?? ''], `${stream.name}.${field}`).toBeDefined();
  }
});

test('stream names are unique, and building the catalog makes one object per stream (parents are shared)', () => {
  const streams = allStreams();
  const names = streams.map((stream) => stream.name);
  expect(new Set(names).size).toBe(names.length);
  const reachable = new Set<Stream>();
  const visit = (stream: Stream): void => {
    reachable.add(stream);
    if (stream instanceof ChildStream) visit(stream.parent);
  };
  for (const stream of streams) visit(stream);
  const internal = [...reachable].filter((stream) => !streams.includes(stream));
  // The people search is the one parent outside the catalog, shared by every per-person stream.
  expect(internal.map((stream) => stream.name)).toEqual(['people']);
  expect(reachable.size).toBe(streams.length + 1);
});

test('segments: an incremental read emits the changed segments with their counts, observed or not', async () => {
  const segments = [
    { id: 1, updated_at: 1_000_000 },
    { id: 2, updated_at: 2_000_000 },
    { id: 3, updated_at: 500_000 },
  ];
  const readWith = async (observe?: (record: JsonObject) => void) => {
    nock(BASE).get('/v1/segments').reply(200, { segments });
    nock(BASE).get('/v1/segments/2/customer_count').reply(200, { count: 7 });
    const ctx = context();
    const run = { syncMode: 'incremental' as const, saved: { updated_at: 1_500_000 }, syncStart: ctx.now };
    return emitted('segments', ctx, run, observe);
  };
  expect(await readWith()).toEqual([{ id: 2, updated_at: 2_000_000, customer_count: 7 }]);
  const observed: JsonObject[] = [];
  expect(await readWith((record) => observed.push(record))).toEqual([
    { id: 2, updated_at: 2_000_000, customer_count: 7 },
  ]);
  expect(observed).toEqual([segments[0], { id: 2, updated_at: 2_000_000, customer_count: 7 }, segments[2]]);
});

test('segments: a segment deleted before its count (404) is emitted with customer_count null; a count without a number fails', async () => {
  nock(BASE)
    .get('/v1/segments')
    .reply(200, { segments: [{ id: 1 }, { id: 2 }] });
  nock(BASE).get('/v1/segments/1/customer_count').reply(404, {});
  nock(BASE).get('/v1/segments/2/customer_count').reply(200, { count: 3 });
  const ctx = context();
  expect(await emitted('segments', ctx)).toEqual([
    { id: 1, customer_count: null },
    { id: 2, customer_count: 3 },
  ]);
  nock(BASE)
    .get('/v1/segments')
    .reply(200, { segments: [{ id: 1 }] });
  nock(BASE).get('/v1/segments/1/customer_count').reply(200, { total: 3 });
  const failing = async () => {
    for await (const _ of catalogStream('segments').read(ctx, fullRead(ctx.now))) {
      // the count's answer fails the read
    }
  };
  await expect(failing()).rejects.toThrow(
    'Customer.io answered /v1/segments/1/customer_count with 200 but no "count" number',
  );
});

test('objects: each listed object gets its attributes, in the order listed; one deleted meanwhile is skipped with a warning', async () => {
  nockObjectSearch(
    1,
    ['a', 'b', 'c'].map((id) => ({ object_id: id, cio_object_id: `c${id}` })),
  );
  const object = (id: string) => ({
    object: {
      identifiers: { object_id: id, cio_object_id: `c${id}` },
      object_type_id: 1,
      attributes: { name: id },
      timestamps: { created: 1 },
    },
  });
  // The first object answers last: the records still come out as listed.
  nock(BASE)
    .get('/v1/objects/1/a/attributes')
    .query({ id_type: 'object_id' })
    .delay(30)
    .reply(200, object('a'));
  nock(BASE).get('/v1/objects/1/b/attributes').query({ id_type: 'object_id' }).reply(404, {});
  nock(BASE).get('/v1/objects/1/c/attributes').query({ id_type: 'object_id' }).reply(200, object('c'));
  const logs: string[] = [];
  const records = await emitted('objects', context(logs));
  expect(records.map((record) => record.object_id)).toEqual(['a', 'c']);
  expect(records[1]).toEqual({
    object_type_id: '1',
    object_id: 'c',
    cio_object_id: 'cc',
    identifiers: { object_id: 'c', cio_object_id: 'cc' },
    attributes: { name: 'c' },
    timestamps: { created: 1 },
  });
  expect(logs).toEqual(['WARN objects: object 1/b was deleted during the sync; skipped.']);
  expect(nock.isDone()).toBe(true);
});

test('activities: progress in days of the log read down, per page and per type; records in type order', async () => {
  const ctx = {
    ...context(),
    config: parseConfig({ app_api_key: 'k', base_url: BASE, activity_types: ['a', 'b'] }),
  };
  const day = 86_400;
  const at = (days: number) => ctx.now - days * day;
  nock(BASE)
    .get('/v1/activities')
    .query({ type: 'a', limit: 100 })
    .reply(200, {
      activities: [
        { id: 'a1', timestamp: at(1) },
        { id: 'a2', timestamp: at(2) },
      ],
      next: 'Mg==',
    });
  nock(BASE)
    .get('/v1/activities')
    .query({ type: 'a', limit: 100, start: 'Mg==' })
    .reply(200, { activities: [{ id: 'a3', timestamp: at(5) }], next: '' });
  nock(BASE)
    .get('/v1/activities')
    .query({ type: 'b', limit: 100 })
    .reply(200, { activities: [{ id: 'b1', timestamp: at(3) }], next: '' });
  const reports: unknown[] = [];
  const records = await collect(
    readAll(catalogStream('activities'), { ...ctx, progress: { report: (update) => reports.push(update) } }),
  );
  expect(records.map((record) => record.id)).toEqual(['a1', 'a2', 'a3', 'b1']);
  const unit = 'days of the activity log';
  expect(reports).toEqual([2, 5, 30, 33, 60].map((done) => ({ done, total: 60, unit })));
});

test('objects: an attributes answer without identifiers keeps the ones the search listed, exactly', async () => {
  nockObjectSearch(2, [{ object_id: 'x', cio_object_id: 'cx' }]);
  nock(BASE)
    .get('/v1/objects/2/x/attributes')
    .query({ id_type: 'object_id' })
    .reply(200, { object: { attributes: { plan: 'pro' } } });
  expect(await emitted('objects', context())).toEqual([
    {
      object_type_id: '2',
      object_id: 'x',
      cio_object_id: 'cx',
      identifiers: { object_id: 'x', cio_object_id: 'cx' },
      attributes: { plan: 'pro' },
      timestamps: null,
    },
  ]);
});

test('sender_identities: two lists (hidden false, true), each keeping the senders whose flag matches it', async () => {
  nock(BASE)
    .get('/v1/sender_identities')
    .query({ hidden: false, limit: 100 })
    .reply(200, { sender_identities: [{ id: 1, hidden: false }], next: '' });
  nock(BASE)
    .get('/v1/sender_identities')
    .query({ hidden: true, limit: 100 })
    .reply(200, {
      sender_identities: [
        { id: 1, hidden: false },
        { id: 2, hidden: true },
      ],
      next: '',
    });
  const records = await collect(readAll(catalogStream('sender_identities'), context()));
  expect(records).toEqual([
    { id: 1, hidden: false },
    { id: 2, hidden: true },
  ]);
});

test('esp_suppressions: each type of each domain, by offset until a short page, each record given its type and domain', async () => {
  const ctx = {
    ...context(),
    config: parseConfig({ app_api_key: 'k', base_url: BASE, esp_suppression_domains: ['a.example'] }),
  };
  const full = Array.from({ length: 1000 }, (_, index) => ({ email: `p${index}@x.example` }));
  nock(BASE)
    .get('/v1/esp/suppression/bounces')
    .query({ domain: 'a.example', limit: 1000, offset: 0 })
    .reply(200, { suppressions: full });
  nock(BASE)
    .get('/v1/esp/suppression/bounces')
    .query({ domain: 'a.example', limit: 1000, offset: 1000 })
    .reply(200, { suppressions: [{ email: 'last@x.example' }] });
  for (const type of ['blocks', 'spam_reports', 'invalid_emails']) {
    nock(BASE)
      .get(`/v1/esp/suppression/${type}`)
      .query({ domain: 'a.example', limit: 1000, offset: 0 })
      .reply(200, { suppressions: type === 'blocks' ? [{ email: 'b@x.example' }] : [] });
  }
  const records = await collect(readAll(catalogStream('esp_suppressions'), ctx));
  expect(records).toHaveLength(1002);
  expect(records[1000]).toEqual({
    email: 'last@x.example',
    suppression_type: 'bounces',
    domain: 'a.example',
  });
  expect(records[1001]).toEqual({ email: 'b@x.example', suppression_type: 'blocks', domain: 'a.example' });
  expect(nock.isDone()).toBe(true);
});

test("broadcast_trigger_errors: one record per error string, by its place in the trigger's list, with the line it names", async () => {
  nock(BASE)
    .get('/v1/broadcasts')
    .reply(200, { broadcasts: [{ id: 7 }] });
  nock(BASE)
    .get('/v1/broadcasts/7/triggers')
    .reply(200, { triggers: [{ id: 3 }], next: '' });
  nock(BASE)
    .get('/v1/campaigns/7/triggers/3/errors')
    .query({ limit: 100 })
    .reply(200, { errors: ['line 4: no email', { code: 1 }], next: 0 });
  const records = await collect(readAll(catalogStream('broadcast_trigger_errors'), context()));
  expect(records).toEqual([
    { index: 0, line: 4, error: 'line 4: no email', broadcast_id: 7, trigger_id: 3 },
    { index: 1, line: null, error: '{"code":1}', broadcast_id: 7, trigger_id: 3 },
  ]);
});

test('segment_usage: one record per segment from its used_by answer; an answer without used_by fails', async () => {
  nock(BASE)
    .get('/v1/segments')
    .reply(200, { segments: [{ id: 4 }] });
  nock(BASE)
    .get('/v1/segments/4/used_by')
    .reply(200, { segment_id: 4, used_by: { campaigns: [1], sent_newsletters: [2] } });
  const records = await collect(readAll(catalogStream('segment_usage'), context()));
  expect(records).toEqual([{ segment_id: 4, campaigns: [1], draft_newsletters: [], sent_newsletters: [2] }]);
  nock(BASE)
    .get('/v1/segments')
    .reply(200, { segments: [{ id: 4 }] });
  nock(BASE).get('/v1/segments/4/used_by').reply(200, { segment_id: 4 });
  await expect(collect(readAll(catalogStream('segment_usage'), context()))).rejects.toThrow(
    '/v1/segments/4/used_by',
  );
});

test("a stream's independent slices are read at once, and their records come out in slice order", async () => {
  // Every request waits until the test answers it: which requests are out at once is the code's doing alone.
  const waiting: Array<{ params: Record<string, unknown>; answer: (body: JsonObject) => void }> = [];
  class GatedRequests extends Requests {
    send(_path: string, options: RequestOptions): Promise<Answer> {
      return new Promise((resolve) =>
        waiting.push({
          params: { ...options.params },
          answer: (body) => resolve({ body, serverTime: undefined, status: 200 }),
        }),
      );
    }
    download(): Promise<Download> {
      throw new Error('no downloads here');
    }
  }
  const ctx = { ...context(), client: new GatedRequests() };
  const messages = catalogStream('messages');
  const read = messages.read(ctx, { syncMode: 'incremental', saved: undefined, syncStart: ctx.now });
  const out: string[] = [];
  const reading = (async () => {
    for await (const item of read) {
      if (item instanceof StreamState) out.push(`state ${String(item.state.created)}`);
      else for (const record of recordsIn(item)) out.push(String(record.id));
    }
  })();
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  await settle();
  // Four windows asked for at once (the stream's slicesAtOnce), oldest first.
  expect(waiting.map((request) => request.params.start_ts)).toHaveLength(4);
  const [first, second, third] = waiting.splice(0, 3);
  const windowEnd = (request: typeof first) => Number(request?.params.end_ts);
  // The third and second windows answer before the first: nothing of theirs comes out, no state moves.
  third?.answer({ messages: [{ id: 'w3', created: 3 }] });
  second?.answer({ messages: [{ id: 'w2', created: 2 }] });
  await settle();
  expect(out).toEqual([]);
  first?.answer({ messages: [{ id: 'w1', created: 1 }] });
  await settle();
  // Window 1, then 2 and 3 (already read), each followed by the state that covers it; a fifth window started.
  expect(out).toEqual([
    'w1',
    `state ${windowEnd(first)}`,
    'w2',
    `state ${windowEnd(second)}`,
    'w3',
    `state ${windowEnd(third)}`,
  ]);
  expect(waiting.length).toBeGreaterThanOrEqual(2);
  while (waiting.length > 0) {
    for (const request of waiting.splice(0)) request.answer({ messages: [] });
    await settle();
  }
  await reading;
});

test('with a lookup, each state is the one its checkpoint had, whatever the lookups read ahead', async () => {
  // Pages answer at once; lookups wait until the test answers them, so the read pulls the next slice meanwhile.
  const lookups: Array<(body: JsonObject) => void> = [];
  class HeldLookups extends Requests {
    send(path: string, options: RequestOptions): Promise<Answer> {
      const answered = (body: JsonObject) => ({ body, serverTime: undefined, status: 200 });
      if (path === '/things') {
        const page = Number(options.params?.page);
        const things = page === 1 ? [{ id: 'a' }, { id: 'b' }] : [{ id: 'c' }];
        return Promise.resolve(answered({ things }));
      }
      return new Promise((resolve) => lookups.push((body) => resolve(answered(body))));
    }
    download(): Promise<Download> {
      throw new Error('no downloads here');
    }
  }
  class CountingCursor implements Cursor {
    readonly since = undefined;
    accepted = 0;
    accept(): boolean {
      this.accepted += 1;
      return true;
    }
    checkpoint(): JsonObject {
      return { accepted: this.accepted };
    }
    final(): JsonObject {
      return { accepted: this.accepted, final: true };
    }
    notices(): string[] {
      return [];
    }
  }
  class Things extends Stream<CountingCursor> {
    readonly name = 'things';
    readonly path = '/things';
    readonly envelopeKey = 'things';
    readonly primaryKey = [['id']];
    override readonly slicesAtOnce = 1;
    override readonly lookup = {
      path: (thing: JsonObject) => `/things/${String(thing.id)}/size`,
      complete: (thing: JsonObject, answer: JsonObject) => ({ ...thing, size: answer.size ?? null }),
      whenGone: (thing: JsonObject) => thing,
    };
    createCursor(): CountingCursor {
      return new CountingCursor();
    }
    override slices(): Slice[] {
      return [1, 2].map((page) => ({ params: { page }, done: () => undefined }));
    }
  }
  const ctx = { ...context(), client: new HeldLookups() };
  const out: string[] = [];
  const reading = (async () => {
    for await (const item of new Things().read(ctx, fullRead(ctx.now))) {
      if (item instanceof StreamState) out.push(`state ${JSON.stringify(item.state)}`);
      else for (const record of recordsIn(item)) out.push(`${String(record.id)}=${String(record.size)}`);
    }
  })();
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  await settle();
  // Every record's lookup is out: the read has pulled the second slice (and the cursor has accepted 'c').
  expect(lookups).toHaveLength(3);
  expect(out).toEqual([]);
  for (const [index, answer] of lookups.entries()) answer({ size: index + 1 });
  await reading;
  expect(out).toEqual([
    'a=1',
    'b=2',
    'state {"accepted":2}',
    'c=3',
    'state {"accepted":3}',
    'state {"accepted":3,"final":true}',
  ]);
});

test('progress counts what moves the cursor: a delivery window read with two type filters is one window done', async () => {
  const asked: Array<Record<string, unknown>> = [];
  class EmptyAnswers extends Requests {
    async send(_path: string, options: RequestOptions): Promise<Answer> {
      asked.push({ ...options.params });
      return { body: { messages: [] }, serverTime: undefined, status: 200 };
    }
    download(): Promise<Download> {
      throw new Error('no downloads here');
    }
  }
  const reports: Array<{ done?: number | undefined; total?: number | undefined; unit?: string | undefined }> =
    [];
  const ctx: StreamContext = {
    ...context(),
    client: new EmptyAnswers(),
    config: parseConfig({ app_api_key: 'k', base_url: BASE, message_types: ['email', 'sms'] }),
    progress: { report: (update) => reports.push(update) },
  };
  const messages = catalogStream('messages');
  await collect(messages.readRecords(ctx, messages.createCursor(ctx, fullRead(ctx.now))));
  const windows = new Set(asked.map((params) => params.start_ts)).size;
  expect(windows).toBeGreaterThan(1);
  expect(asked).toHaveLength(windows * 2);
  expect(reports).toEqual(
    Array.from({ length: windows }, (_, index) => ({
      done: index + 1,
      total: windows,
      unit: 'delivery windows',
    })),
  );
});
