import type { JsonObject } from '@cio-connectors/kit/json';
import nock from 'nock';
import { afterEach, expect, test } from 'vitest';
import { parseConfig } from '../src/config.js';
import { CustomerIoClient } from '../src/http-client.js';
import { NO_PROGRESS } from '../src/progress.js';
import { RunMemo } from '../src/run-memo.js';
import { AudienceIds, PersonResolver } from '../src/streams/audience.js';
import type { StreamContext } from '../src/streams/base.js';
import { CompactIds } from '../src/streams/people.js';

const BASE = 'https://api.customer.io';

function context(): StreamContext {
  return {
    now: Math.floor(Date.now() / 1000),
    partitions: () => {
      throw new Error('no partitions here');
    },
    client: new CustomerIoClient({ baseUrl: BASE, apiKey: 'k', requestsPerSecond: 1000, retryBaseMs: 1 }),
    config: parseConfig({ app_api_key: 'k', base_url: BASE, requests_per_second: 1000 }),
    partitionConcurrency: 1,
    memo: new RunMemo(),
    progress: NO_PROGRESS,
    log: async () => {},
  };
}

/** Answers every id lookup with a person whose cio_id is "c" + the id, counting the lookups and their sizes. */
function lookupServer(sizes: number[]): void {
  nock(BASE)
    .persist()
    .post('/v1/customers/attributes')
    .query({ id_type: 'id' })
    .reply(200, (_uri, body) => {
      const { ids } = body as { ids: string[] };
      sizes.push(ids.length);
      return { customers: ids.map((id) => ({ customer: { identifiers: { id, cio_id: `c${id}` } } })) };
    });
}

const idOnly = (id: string): JsonObject => ({ customer_id: id, customer_identifiers: null });

afterEach(() => {
  nock.cleanAll();
});

test('PersonResolver: flushFull looks up whole batches of 100 only, flush the rest; each id once', async () => {
  const sizes: number[] = [];
  lookupServer(sizes);
  const resolver = new PersonResolver(context());
  // A page adding 130 ids: one lookup of 100, the other 30 wait (a part-filled lookup per page cost twice as many).
  for (let i = 0; i < 130; i++) expect(resolver.cioIdOf(idOnly(`p${i}`))).toBeUndefined();
  expect(resolver.due).toBe(true);
  const first = await resolver.flushFull();
  expect(sizes).toEqual([100]);
  expect(first).toHaveLength(100);
  expect(first.every(({ record, cioId }) => cioId === `c${record.customer_id}`)).toBe(true);
  expect(resolver.due).toBe(false);
  // The next page: 70 more ids (and a repeat of a waiting one), so 100 wait: one more full lookup.
  for (let i = 130; i < 200; i++) resolver.cioIdOf(idOnly(`p${i}`));
  resolver.cioIdOf(idOnly('p129'));
  const second = await resolver.flushFull();
  expect(sizes).toEqual([100, 100]);
  expect(second).toHaveLength(101);
  expect(await resolver.flush()).toEqual([]);
  // Ids looked up before are answered at once, without a request.
  expect(resolver.cioIdOf(idOnly('p5'))).toBe('cp5');
  resolver.cioIdOf(idOnly('late'));
  expect(await resolver.flushFull()).toEqual([]);
  const rest = await resolver.flush();
  expect(rest).toEqual([{ record: idOnly('late'), cioId: 'clate' }]);
  expect(sizes).toEqual([100, 100, 1]);
});

test('PersonResolver: a record naming its person needs no lookup; one naming nobody is counted', () => {
  const resolver = new PersonResolver(context());
  expect(resolver.cioIdOf({ customer_id: 'x', customer_identifiers: { cio_id: 'abc' } })).toBe('abc');
  expect(resolver.cioIdOf({ customer_id: null, customer_identifiers: null })).toBeNull();
  expect(resolver.unnamed).toBe(1);
  expect(resolver.due).toBe(false);
});

test('AudienceIds: hex cio_ids and other ids, membership exact', () => {
  const ids = new AudienceIds();
  for (const id of ['0a', 'a', 'ffffffffffff', 'not-hex', '12']) ids.add(id);
  ids.seal();
  expect(ids.size).toBe(5);
  for (const id of ['0a', 'a', 'ffffffffffff', 'not-hex', '12']) expect(ids.has(id)).toBe(true);
  for (const id of ['00a', 'b', '012', 'other']) expect(ids.has(id)).toBe(false);
});

test('CompactIds keeps a search page in order: hex cio_ids in 8 bytes (leading zeros kept), anything else as text', () => {
  const hex = ['0a0b0c0d0e0f', 'a', '00', 'ffffffffffff', '0'];
  expect(new CompactIds(hex).toArray()).toEqual(hex);
  expect(new CompactIds(hex).length).toBe(5);
  const mixed = ['0a0b0c0d0e0f', 'Person-1', ''];
  expect(new CompactIds(mixed).toArray()).toEqual(mixed);
  expect(new CompactIds([]).toArray()).toEqual([]);
});
