import { afterEach, describe, expect, it } from 'vitest';
import {
  type FaultKind,
  startTrackSimulator,
  type TrackSimulator,
  type TrackSimulatorOptions,
} from './index.js';

let simulator: TrackSimulator | undefined;

afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function start(options: TrackSimulatorOptions = {}): Promise<TrackSimulator> {
  simulator = await startTrackSimulator(options);
  return simulator;
}

function basic(sim: TrackSimulator, key = sim.trackApiKey): string {
  return `Basic ${Buffer.from(`${sim.siteId}:${key}`).toString('base64')}`;
}

async function call(
  sim: TrackSimulator,
  path: string,
  body?: unknown,
  authorization = basic(sim),
): Promise<{ status: number; headers: Headers; text: string }> {
  const init: RequestInit =
    body === undefined
      ? { headers: { authorization } }
      : {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        };
  const response = await fetch(`${sim.url}${path}`, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const batch = (sim: TrackSimulator, entries: unknown[]) => call(sim, '/api/v2/batch', { batch: entries });
const ulid = (n: number): string => `01J${String(n).padStart(23, '0')}`;
const person = (id: string, action: string, extra: Record<string, unknown> = {}) => ({
  type: 'person',
  identifiers: { id },
  action,
  ...extra,
});

describe('Track API simulator', () => {
  it('answers the region and refuses bad credentials with an empty 401', async () => {
    const sim = await start({ region: 'eu' });
    const region = await call(sim, '/api/v1/accounts/region');
    expect(region.status).toBe(200);
    expect(JSON.parse(region.text)).toMatchObject({ url: 'https://track-eu.customer.io', region: 'eu' });
    expect(Number.isInteger(JSON.parse(region.text).environment_id)).toBe(true);
    for (const authorization of [basic(sim, 'wrong'), '']) {
      const refused = await call(sim, '/api/v2/batch', { batch: [person('1', 'identify')] }, authorization);
      expect(refused).toMatchObject({ status: 401, text: '' });
    }
    expect(sim.store.people.size).toBe(0);
    expect((await call(sim, '/api/v1/nothing')).status).toBe(404);
  });

  it('stores people and events from a 200 batch, finding people by any identifier', async () => {
    const sim = await start();
    const reply = await batch(sim, [
      person('42', 'identify', {
        attributes: { email: 'Ada@Example.com', plan: 'pro', created_at: 1700000000 },
      }),
      {
        type: 'person',
        identifiers: { email: 'ada@example.COM' },
        action: 'event',
        name: 'signup',
        id: ulid(1),
      },
      person('42', 'page', { name: '/pricing', attributes: { referrer: 'x' } }),
      person('7', 'screen', { name: 'Home' }),
    ]);
    expect(reply).toMatchObject({ status: 200, text: '{}' });
    const ada = sim.store.people.get('id:42');
    expect(ada).toMatchObject({
      id: '42',
      email: 'Ada@Example.com',
      attributes: { plan: 'pro', created_at: 1700000000 },
    });
    expect(sim.store.find('cio_id', ada?.cio_id ?? '')).toBe(ada);
    expect(sim.store.events.map((event) => [event.key, event.type, event.name])).toEqual([
      ['id:42', 'event', 'signup'],
      ['id:42', 'page', '/pricing'],
      ['id:7', 'screen', 'Home'],
    ]);
    expect(sim.store.summary()).toMatchObject({
      people: 2,
      events: 3,
      byType: { event: 1, page: 1, screen: 1 },
    });
    expect(sim.requests).toMatchObject([{ method: 'POST', path: '/api/v2/batch', status: 200, entries: 4 }]);
    const summary = JSON.parse((await call(sim, '/__simulator/store', undefined, '')).text);
    expect(summary.summary.people).toBe(2);
  });

  it('answers 207 with the index of each bad entry and stores the good ones', async () => {
    const sim = await start({ refusedIdentifiers: ['blocked'] });
    const attributes = Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`a${i}`, i]));
    const entries = [
      person('ok-1', 'identify'),
      { ...person('x', 'identify'), type: 'object' },
      person('x', 'merge'),
      { type: 'person', identifiers: { id: '1', email: 'a@b.c' }, action: 'identify' },
      { type: 'person', identifiers: { phone: '0123' }, action: 'identify' },
      person('x', 'event'),
      person('x', 'event', { name: 'e', id: 'not-a-ulid' }),
      person('x', 'event', { name: 'e', timestamp: 1_700_000_000_000 }),
      person('blocked', 'identify'),
      person('x', 'identify', { attributes }),
      person('x', 'identify', { attributes: { big: 'x'.repeat(32_001) } }),
      person('ok-2', 'event', { name: 'e', id: ulid(2) }),
    ];
    const reply = await batch(sim, entries);
    expect(reply.status).toBe(207);
    const errors = JSON.parse(reply.text).errors as { batch_index: number; reason: string; field: string }[];
    expect(errors.map((error) => error.batch_index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(errors[7]).toMatchObject({ reason: 'invalid', field: 'identifiers' });
    expect(errors[9]).toMatchObject({ reason: 'too_large' });
    expect([...sim.store.people.keys()]).toEqual(['id:ok-1', 'id:ok-2']);
    expect(sim.store.eventIds()).toEqual([ulid(2)]);
  });

  it('dedupes event ids, never creates on update-only, orders by timestamp, removes nulls', async () => {
    const sim = await start();
    const event = person('1', 'event', { name: 'bought', id: ulid(3) });
    await batch(sim, [event, event]);
    await batch(sim, [event]);
    expect(sim.store.summary()).toMatchObject({ events: 1, duplicateEvents: 2 });

    expect(
      (await batch(sim, [person('new', 'identify', { attributes: { _update: true, a: 1 } })])).status,
    ).toBe(200);
    expect(sim.store.find('id', 'new')).toBeUndefined();

    await batch(sim, [
      person('1', 'identify', { timestamp: 2000, attributes: { plan: 'b', gone: 'x', kept: 1 } }),
      person('1', 'identify', { timestamp: 1000, attributes: { plan: 'a', _update: true } }),
      person('1', 'identify', { timestamp: 3000, attributes: { gone: null } }),
    ]);
    expect(sim.store.find('id', '1')?.attributes).toEqual({ id: '1', plan: 'b', kept: 1 });
    expect(sim.store.find('id', '1')?.attributeTimes.plan).toBe(2000);

    await batch(sim, [person('1', 'delete')]);
    expect(sim.store.summary()).toMatchObject({ people: 0, deleted: 1 });
  });

  it('refuses a body over 500 KB as a whole, with 400 or 413', async () => {
    const big = [person('1', 'identify', { attributes: { pad: 'x'.repeat(600_000) } })];
    for (const [oversizeAs413, status] of [
      [false, 400],
      [true, 413],
    ] as const) {
      const sim = await start({ oversizeAs413 });
      const reply = await batch(sim, big);
      expect(reply.status).toBe(status);
      expect(JSON.parse(reply.text).errors[0]).toMatchObject({ reason: 'too_large', field: 'batch' });
      expect(sim.store.people.size).toBe(0);
      await sim.close();
    }
  });

  const answered: [FaultKind, number][] = [
    ['http_500', 500],
    ['http_502_html', 502],
    ['http_503', 503],
    ['http_429', 429],
    ['http_429_no_retry_after', 429],
    ['http_429_date', 429],
    ['http_401', 401],
    ['http_403', 403],
    ['http_400_whole', 400],
  ];

  it.each(answered)('fault %s answers %i and stores nothing', async (kind, status) => {
    const sim = await start();
    sim.addFaults({ kind, path: /batch/ });
    const reply = await batch(sim, [person('1', 'identify')]);
    expect(reply.status).toBe(status);
    const retryAfter = reply.headers.get('retry-after');
    if (kind === 'http_429') expect(retryAfter).toBe('1');
    if (kind === 'http_429_no_retry_after') expect(retryAfter).toBeNull();
    if (kind === 'http_429_date') expect(Number.isNaN(Date.parse(retryAfter ?? ''))).toBe(false);
    if (kind === 'http_502_html') expect(reply.headers.get('content-type')).toBe('text/html');
    expect(sim.store.people.size).toBe(0);
    expect((await batch(sim, [person('1', 'identify')])).status).toBe(200);
  });

  it('resets before or after storing, truncates bodies and answers slow requests', async () => {
    const sim = await start({ slowMs: 10 });
    const event = person('1', 'event', { name: 'e', id: ulid(4) });
    sim.addFaults({ kind: 'reset_before' }, { kind: 'reset_after' }, { kind: 'truncated_body', times: 1 });
    await expect(batch(sim, [event])).rejects.toThrow();
    expect(sim.store.events).toHaveLength(0);
    await expect(batch(sim, [event])).rejects.toThrow();
    expect(sim.store.events).toHaveLength(1);
    await expect(batch(sim, [event])).rejects.toThrow();
    expect(sim.store.summary()).toMatchObject({ events: 1, duplicateEvents: 1 });
    sim.addFaults({ kind: 'slow' });
    expect((await batch(sim, [event])).status).toBe(200);
    expect(sim.requests.map((request) => request.status)).toEqual([0, 0, 200, 200]);
  });

  it('rate limits with 429 and Retry-After: 1', async () => {
    // A clock that does not move: the second request always falls in the first one's second.
    const sim = await start({ requestsPerSecond: 1, now: () => 0 });
    expect((await call(sim, '/api/v1/accounts/region')).status).toBe(200);
    const limited = await call(sim, '/api/v1/accounts/region');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(JSON.parse(limited.text).errors[0].status).toBe('429');
    sim.setRequestsPerSecond(null);
    expect((await call(sim, '/api/v1/accounts/region')).status).toBe(200);
  });

  it('stores v1 anonymous events and refuses invalid ones with meta errors', async () => {
    const sim = await start();
    const ok = await call(sim, '/api/v1/events', {
      anonymous_id: 'anon-1',
      name: 'visit',
      id: ulid(5),
      data: { a: 1 },
    });
    expect(ok).toMatchObject({ status: 200, text: '{}' });
    expect(sim.store.events).toEqual([
      { key: 'anonymous:anon-1', type: 'anonymous', name: 'visit', id: ulid(5), data: { a: 1 } },
    ]);
    const bad = await call(sim, '/api/v1/events', { anonymous_id: '', timestamp: 'now' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).meta.errors).toHaveLength(3);
  });
});
