// customers_method "export": the customers stream read from one Customer.io export, end to end against the
// simulator's export flow and its storage (which, like S3, refuses a request carrying an Authorization header).

import type { JsonObject } from '@cio-connectors/kit/json';
import { afterEach, describe, expect, test } from 'vitest';
import {
  configuredCatalog,
  errorsOf,
  FAST_RETRIES,
  ofType,
  recordsOf,
  recordValidator,
  runConnector,
  simulatorConfig,
  statesOf,
  statusesOf,
} from './harness.js';
import { type Simulator, type SimulatorOptions, startSimulator } from './simulator/index.js';
import { configureExports, STORAGE_PREFIX } from './simulator/routes-exports.js';

const POLLS = 3;
const ENV = { ...FAST_RETRIES, CIO_EXPORT_POLL_MS: '1' };
const ATTRIBUTES = ['plan', 'phone', 'first_name', 'cio_subscription_preferences'];
const CATALOG = configuredCatalog(['customers']);

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator({
    requestsPerSecond: null,
    workspace: { people: 2600 },
    ...options,
    exports: { pollsUntilDone: POLLS, ...options.exports },
  });
  return sim;
}

function read(target: Simulator, extra: JsonObject = {}) {
  return runConnector('read', {
    config: simulatorConfig(target, { requests_per_second: 1000, ...extra }),
    catalog: CATALOG,
    env: ENV,
  });
}

/** What both methods provide, by cio_id. */
function comparable(records: JsonObject[], fields: string[]): Map<unknown, JsonObject> {
  return new Map(
    records.map((record) => [
      record.cio_id,
      Object.fromEntries(fields.map((field) => [field, record[field]])),
    ]),
  );
}

const IDENTITY = ['cio_id', 'id', 'email', 'identifiers', 'attributes'];

function apiRequests(target: Simulator) {
  return target.stats.log.filter((entry) => !entry.path.startsWith(STORAGE_PREFIX));
}

function storageRequests(target: Simulator) {
  return target.stats.log.filter((entry) => entry.path.startsWith(STORAGE_PREFIX));
}

describe('customers by export', () => {
  test('the same people, identifiers, selected attribute values and unsubscribed flags as search', async () => {
    const target = await simulator();
    const options = { customer_attributes: ATTRIBUTES };
    const searched = recordsOf((await read(target, options)).messages, 'customers');
    target.resetStats();
    const result = await read(target, { ...options, customers_method: 'export' });
    expect(result.exitCode).toBe(0);
    const exported = recordsOf(result.messages, 'customers');
    expect(exported.length).toBeGreaterThan(2000);
    expect(new Set(exported.map((record) => record.cio_id)).size).toBe(exported.length);
    const fields = [...IDENTITY, 'unsubscribed'];
    expect(comparable(exported, fields)).toEqual(comparable(searched, fields));
    expect(exported.every((record) => record.timestamps === null && record.devices === null)).toBe(true);
  });

  test('every attribute when none is selected, and the people filter applied', async () => {
    const target = await simulator();
    const options = {
      customers_filter: JSON.stringify({ segment: { id: target.workspace.segments[0]?.id } }),
    };
    const searched = recordsOf((await read(target, options)).messages, 'customers');
    const exported = recordsOf(
      (await read(target, { ...options, customers_method: 'export' })).messages,
      'customers',
    );
    expect(exported.length).toBeGreaterThan(0);
    expect(exported.length).toBeLessThan(2600);
    expect(comparable(exported, IDENTITY)).toEqual(comparable(searched, IDENTITY));
  });

  test('a constant number of API requests, records valid against the schema, one final state', async () => {
    const target = await simulator();
    const result = await read(target, { customers_method: 'export', customer_attributes: ATTRIBUTES });
    const records = recordsOf(result.messages, 'customers');
    expect(records.length).toBeGreaterThan(2000);
    // Create, POLLS status polls, one link: whatever the number of people.
    expect(apiRequests(target).map((entry) => `${entry.method} ${entry.path}`)).toEqual([
      'POST /v1/exports/customers',
      ...Array.from({ length: POLLS }, () => expect.stringMatching(/^GET \/v1\/exports\/\d+$/)),
      expect.stringMatching(/^GET \/v1\/exports\/\d+\/download$/),
    ]);
    const discovered = await runConnector('discover', { config: simulatorConfig(target) });
    const schema = ofType(discovered.messages, 'CATALOG')[0]?.catalog.streams.find(
      (stream) => stream.name === 'customers',
    )?.json_schema;
    const validate = recordValidator(schema as JsonObject);
    for (const record of records) expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
    expect(statusesOf(result.messages, 'customers')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    const states = statesOf(result.messages, 'customers');
    expect(states.map((state) => state.state.stream.stream_state)).toEqual([
      { __ab_no_cursor_state_message: true },
    ]);
  });

  test('storage gets no Authorization header (it would answer 400, as S3 does) and no rate-limit slot', async () => {
    const target = await simulator({ requestsPerSecond: 5 });
    const result = await read(target, { customers_method: 'export', requests_per_second: 5 });
    expect(result.exitCode).toBe(0);
    expect(storageRequests(target).map((entry) => entry.status)).toEqual([200]);
    expect(target.stats.rateLimited).toBe(0);
    // The simulator's storage does refuse a request with both kinds of auth.
    target.setRequestsPerSecond(null);
    const link = apiRequests(target).at(-1)?.path ?? '';
    const { url } = (await (
      await fetch(`${target.url}${link}`, { headers: { authorization: `Bearer ${target.apiKey}` } })
    ).json()) as { url: string };
    expect((await fetch(url, { headers: { authorization: `Bearer ${target.apiKey}` } })).status).toBe(400);
  });

  test.each([
    ['gzip', true],
    ['plain', false],
  ])('expired and dying links (%s file) are renewed; nothing is lost or read twice', async (_name, gzip) => {
    const target = await simulator({ exports: { gzip } });
    const expected = recordsOf(
      (await read(target, { customers_method: 'export', customer_attributes: ATTRIBUTES })).messages,
      'customers',
    );
    configureExports(target.workspace, { expiredLinks: 1, dyingLinks: { count: 2, afterBytes: 30_000 } });
    target.resetStats();
    const result = await read(target, { customers_method: 'export', customer_attributes: ATTRIBUTES });
    expect(result.exitCode).toBe(0);
    const records = recordsOf(result.messages, 'customers');
    expect(records.map((record) => record.cio_id)).toEqual(expected.map((record) => record.cio_id));
    expect(records).toEqual(expected);
    // The first link had expired; the next two died mid-file; the fourth got the rest.
    expect(storageRequests(target).map((entry) => entry.status)).toEqual([403, 200, 200, 200]);
    const links = apiRequests(target).filter((entry) => entry.path.endsWith('/download'));
    expect(links).toHaveLength(4);
    const warnings = ofType(result.messages, 'LOG').filter((message) => message.log.level === 'WARN');
    expect(warnings.map((message) => message.log.message)).toEqual(
      Array.from({ length: 3 }, () => expect.stringMatching(/resuming there from a new link/)),
    );
  });

  test('a failed export ends the stream INCOMPLETE with an error naming the export', async () => {
    const target = await simulator({ exports: { fail: true } });
    const result = await read(target, { customers_method: 'export' });
    expect(result.exitCode).toBe(1);
    expect(recordsOf(result.messages, 'customers')).toEqual([]);
    expect(statusesOf(result.messages, 'customers').at(-1)).toBe('INCOMPLETE');
    const id = target.workspace.exports.at(-1)?.id;
    const [error] = errorsOf(result.messages);
    expect(error?.message).toContain(`export ${id} failed`);
    expect(error?.failure_type).toBe('transient_error');
  });

  test.each([
    ['only a header row', 'header_only'],
    ['a body that is not the CSV (200 {})', 'not_csv'],
  ] as const)(
    'a file with %s while the export counts everyone fails the stream, naming both numbers',
    async (_name, file) => {
      const target = await simulator({ exports: { file } });
      const result = await read(target, { customers_method: 'export' });
      expect(result.exitCode).toBe(1);
      expect(statusesOf(result.messages, 'customers').at(-1)).toBe('INCOMPLETE');
      const id = target.workspace.exports.at(-1)?.id;
      const total = target.workspace.exports.at(-1)?.total;
      expect(total).toBeGreaterThan(2000);
      const [error] = errorsOf(result.messages);
      expect(error?.failure_type).toBe('transient_error');
      expect(error?.message).toBe(
        `customers: Customer.io export ${id} counted ${total} people, but its file had 0: stopping rather than ending the stream COMPLETE with people missing. The next attempt starts a new export; if this keeps happening, use "customers_method": "search".`,
      );
    },
  );

  test('an export still pending logs its status and the time waited at each progress interval', async () => {
    const target = await simulator({ exports: { pollsUntilDone: 4 } });
    const result = await runConnector('read', {
      config: simulatorConfig(target, { requests_per_second: 1000, customers_method: 'export' }),
      catalog: CATALOG,
      // Every poll is a progress line (the default interval is 30 s: a line at least every minute).
      env: { ...ENV, CIO_EXPORT_PROGRESS_MS: '0' },
    });
    expect(result.exitCode).toBe(0);
    const id = target.workspace.exports.at(-1)?.id;
    const progress = ofType(result.messages, 'LOG')
      .map((message) => message.log.message)
      .filter((message) => message.includes('is still'));
    expect(progress).toEqual(
      [1, 2, 3].map((poll) =>
        expect.stringMatching(
          new RegExp(
            `^customers: Customer\\.io export ${id} is still pending after \\d+ s \\(poll ${poll}\\); waiting at most 60 minutes\\.$`,
          ),
        ),
      ),
    );
  });
});
