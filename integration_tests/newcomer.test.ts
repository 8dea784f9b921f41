// What a new user meets first, run as the built connector against the simulator: a filter Customer.io refuses,
// a state passed back as it was printed, typos and malformed files, an unknown command, empty catalogs.
import type { AirbyteMessage } from '@cio-connectors/kit/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  configuredCatalog,
  errorsOf,
  finalStates,
  ofType,
  recordsOf,
  runConnector,
  simulatorConfig,
  statusesOf,
} from './harness.js';
import { type Simulator, startSimulator } from './simulator/index.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ requestsPerSecond: null });
});
afterAll(async () => {
  await sim.close();
});

const status = (messages: AirbyteMessage[]) => ofType(messages, 'CONNECTION_STATUS')[0]?.connectionStatus;
const warnings = (messages: AirbyteMessage[]) =>
  ofType(messages, 'LOG')
    .filter((message) => message.log.level === 'WARN')
    .map((message) => message.log.message);

describe('customers_filter', () => {
  const refused = { customers_filter: '{"segment":7}' };

  test('check tries it: a filter Customer.io refuses fails check, naming the field and what Customer.io said', async () => {
    const result = await runConnector('check', { config: simulatorConfig(sim, refused) });
    expect(status(result.messages)).toEqual({
      status: 'FAILED',
      message: expect.stringMatching(
        /^Customer\.io refused the config field "customers_filter" \(HTTP 400 on POST \/v1\/customers: .*segment needs an integer id\): fix the filter/,
      ),
    });
    const good = await runConnector('check', {
      config: simulatorConfig(sim, { customers_filter: '{"segment":{"id":1}}' }),
    });
    expect(status(good.messages)?.status).toBe('SUCCEEDED');
  });

  test('in read it is a config_error naming the field, not an unexpected failure', async () => {
    const result = await runConnector('read', {
      config: simulatorConfig(sim, { ...refused, requests_per_second: 1000 }),
      catalog: configuredCatalog(['customers']),
    });
    expect(result.exitCode).toBe(1);
    expect(statusesOf(result.messages, 'customers').at(-1)).toBe('INCOMPLETE');
    expect(errorsOf(result.messages)).toContainEqual(
      expect.objectContaining({
        failure_type: 'config_error',
        message: expect.stringMatching(/customers_filter/),
      }),
    );
  });
});

describe('state passed back as the connector printed it', () => {
  test("a read's whole output, or one STATE line, is a state the next read resumes from", async () => {
    const config = simulatorConfig(sim, { requests_per_second: 1000 });
    const catalog = configuredCatalog(['campaigns', 'newsletters'], 'incremental');
    const first = await runConnector('read', { config, catalog });
    expect(first.exitCode).toBe(0);
    const output = `${first.lines.join('\n')}\n`;
    const fromOutput = await runConnector('read', { config, catalog, state: output });
    expect(errorsOf(fromOutput.messages)).toEqual([]);
    expect(fromOutput.exitCode).toBe(0);
    // The same read as from the state Airbyte would have saved (the last STATE of each stream).
    const fromSaved = await runConnector('read', { config, catalog, state: finalStates(first.messages) });
    for (const stream of ['campaigns', 'newsletters']) {
      expect(recordsOf(fromOutput.messages, stream)).toEqual(recordsOf(fromSaved.messages, stream));
      expect(recordsOf(fromOutput.messages, stream).length).toBeLessThan(
        recordsOf(first.messages, stream).length,
      );
    }
    // One STATE line (here the last one, newsletters'): that stream resumes, the other starts over.
    const lastState = first.lines.filter((line) => line.includes('"type":"STATE"')).at(-1) ?? '';
    const fromLine = await runConnector('read', { config, catalog, state: lastState });
    expect(fromLine.exitCode).toBe(0);
    expect(recordsOf(fromLine.messages, 'campaigns')).toEqual(recordsOf(first.messages, 'campaigns'));
  });

  test('a state of another shape is refused with an example of an accepted one', async () => {
    const result = await runConnector('read', {
      config: simulatorConfig(sim),
      catalog: configuredCatalog(['campaigns']),
      state: '{"campaigns": {"updated": 1}}',
    });
    expect(result.exitCode).toBe(1);
    expect(errorsOf(result.messages)[0]?.message).toMatch(/e\.g\. \[\{"type":"STREAM","stream":/);
  });
});

describe('typos and malformed files', () => {
  test('a mistyped config key fails check with "did you mean"; an unknown one is a warning', async () => {
    const typo = await runConnector('check', {
      config: simulatorConfig(sim, { start_dat: '2024-01-01T00:00:00Z' }),
    });
    expect(status(typo.messages)).toEqual({
      status: 'FAILED',
      message: 'Config field "start_dat" is not a field of this connector: did you mean "start_date"?',
    });
    const unknown = await runConnector('check', { config: simulatorConfig(sim, { team: 'growth' }) });
    expect(status(unknown.messages)?.status).toBe('SUCCEEDED');
    expect(warnings(unknown.messages)).toContainEqual(expect.stringMatching(/"team" is not a field/));
  });

  test('a config file that is not JSON is named with the line and column', async () => {
    const result = await runConnector('check', {
      config: `{\n  "app_api_key": "${sim.apiKey}",\n  "region": US\n}`,
    });
    expect(status(result.messages)?.message).toMatch(
      /not valid JSON \(at line 3, column 13\): fix its syntax there/,
    );
    expect(JSON.stringify(result.messages) + result.stderr).not.toContain(sim.apiKey);
  });
});

describe('the command line and the catalog', () => {
  test('an unknown command is named as one, and the usage shows what each command takes', async () => {
    const result = await runConnector('sync', { config: simulatorConfig(sim) });
    expect(result.exitCode).toBe(2);
    const message = errorsOf(result.messages)[0]?.message ?? '';
    expect(message).toMatch(/^Unknown command "sync": give one of spec, check, discover or read\./);
    expect(message).toMatch(/read --config FILE --catalog FILE \[--state FILE\]/);
  });

  test("an empty catalog says that nothing was selected; a cursor_field that is not the stream's is said to be ignored", async () => {
    const empty = await runConnector('read', { config: simulatorConfig(sim), catalog: { streams: [] } });
    expect(empty.exitCode).toBe(0);
    expect(warnings(empty.messages)).toEqual([
      expect.stringMatching(/selects no stream, so nothing is read/),
    ]);
    const catalog = configuredCatalog(['campaigns'], 'incremental') as {
      streams: Array<Record<string, unknown>>;
    };
    for (const stream of catalog.streams) stream.cursor_field = ['created'];
    const other = await runConnector('read', {
      config: simulatorConfig(sim, { requests_per_second: 1000 }),
      catalog,
    });
    expect(other.exitCode).toBe(0);
    expect(warnings(other.messages)).toContainEqual(
      'The configured catalog gives stream "campaigns" the cursor_field ["created"], but its cursor is source-defined: ["updated"] is used.',
    );
  });
});

describe('pages that repeat an entry', () => {
  test('objects and customer_relationships drop a repeat (by the stream key) and say how many', async () => {
    // 2,500 objects: the object search's pages of 1000 have edges to repeat.
    const workspace = { objects: 2500 };
    const repeating = await startSimulator({ requestsPerSecond: null, repeatPageEdges: true, workspace });
    const plain = await startSimulator({ requestsPerSecond: null, workspace });
    try {
      const streams = ['objects', 'customer_relationships'];
      const read = await runConnector('read', {
        config: simulatorConfig(repeating, { requests_per_second: 1000 }),
        catalog: configuredCatalog(streams),
        env: { CIO_VERIFY_RECORD_TEXTS: '0' },
      });
      expect(errorsOf(read.messages)).toEqual([]);
      const clean = await runConnector('read', {
        config: simulatorConfig(plain, { requests_per_second: 1000 }),
        catalog: configuredCatalog(streams),
      });
      const keyOf = (record: Record<string, unknown>) =>
        JSON.stringify([record.cio_id, record.object_type_id, record.object_id]);
      // Objects of different types are read concurrently: compared in key order.
      const sorted = (records: Record<string, unknown>[]) =>
        [...records].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
      for (const stream of streams) {
        const keys = recordsOf(read.messages, stream).map(keyOf);
        expect(new Set(keys).size).toBe(keys.length);
        expect(sorted(recordsOf(read.messages, stream))).toEqual(sorted(recordsOf(clean.messages, stream)));
      }
      const infos = ofType(read.messages, 'LOG').map((message) => message.log.message);
      expect(infos).toContainEqual(
        expect.stringMatching(
          /^objects: \d+ repeated records? dropped \(the same object_type_id, object_id again/,
        ),
      );
    } finally {
      await Promise.all([repeating.close(), plain.close()]);
    }
  });
});
