// Progress a person can watch: ESTIMATE traces (row_estimate) for customers, per-person streams, messages and
// segment_membership, end to end against the simulator. runConnector already validates every message against the
// official protocol schema; these tests check what the estimates say.

import type { JsonObject } from '@cio-connectors/kit/json';
import type { AirbyteMessage } from '@cio-connectors/kit/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { configuredCatalog, FAST_RETRIES, recordsOf, runConnector, simulatorConfig } from './harness.js';
import { type Simulator, startSimulator } from './simulator/index.js';

interface Estimate {
  name: string;
  type: string;
  row_estimate?: number;
}

function estimatesOf(messages: AirbyteMessage[], stream: string): number[] {
  return messages.flatMap((message) => {
    if (message.type !== 'TRACE' || message.trace.type !== 'ESTIMATE') return [];
    const estimate = message.trace.estimate as Estimate;
    return estimate.name === stream ? [estimate.row_estimate ?? -1] : [];
  });
}

/** Index of the stream's STARTED and COMPLETE status traces in the run. */
function statusIndex(messages: AirbyteMessage[], stream: string, status: string): number {
  return messages.findIndex(
    (message) =>
      message.type === 'TRACE' &&
      message.trace.type === 'STREAM_STATUS' &&
      message.trace.stream_status.stream_descriptor.name === stream &&
      message.trace.stream_status.status === status,
  );
}

const STREAMS = [
  'customers',
  'segments',
  'segment_membership',
  'messages',
  'activities',
  'customer_segments',
  'customer_messages',
  'customer_activities',
];

let sim: Simulator;
let messages: AirbyteMessage[];

beforeAll(async () => {
  sim = await startSimulator({
    requestsPerSecond: null,
    workspace: { people: 2600, segments: 6, deliveries: 3000, activities: 900 },
  });
  const result = await runConnector('read', {
    config: simulatorConfig(sim, { requests_per_second: 1000 }),
    catalog: configuredCatalog(STREAMS),
    env: FAST_RETRIES,
  });
  expect(result.exitCode).toBe(0);
  messages = result.messages;
}, 120_000);

afterAll(async () => {
  await sim.close();
});

describe('ESTIMATE traces', () => {
  // Every stream read but `segments`, a single list (see below).
  test.each(STREAMS.filter((stream) => stream !== 'segments'))(
    '%s: positive STREAM estimates within the stream, the last one its exact record count',
    (stream) => {
      const estimates = estimatesOf(messages, stream);
      const records = recordsOf(messages, stream).length;
      expect(records).toBeGreaterThan(0);
      expect(estimates.length).toBeGreaterThan(0);
      for (const rows of estimates) {
        expect(Number.isInteger(rows)).toBe(true);
        expect(rows).toBeGreaterThan(0);
      }
      expect(estimates.at(-1)).toBe(records);
      const traces = messages.flatMap((message, index) =>
        message.type === 'TRACE' &&
        message.trace.type === 'ESTIMATE' &&
        (message.trace.estimate as Estimate).name === stream
          ? [index]
          : [],
      );
      for (const index of traces) {
        expect(index).toBeGreaterThan(statusIndex(messages, stream, 'STARTED'));
        expect(index).toBeLessThan(statusIndex(messages, stream, 'COMPLETE'));
      }
    },
  );

  test('customers knows its people count before its first record: the search comes first', () => {
    const [first] = estimatesOf(messages, 'customers');
    expect(first).toBe(recordsOf(messages, 'customers').length);
    const firstEstimate = messages.findIndex(
      (message) =>
        message.type === 'TRACE' &&
        message.trace.type === 'ESTIMATE' &&
        (message.trace.estimate as Estimate).name === 'customers',
    );
    const firstRecord = messages.findIndex(
      (message) => message.type === 'RECORD' && message.record.stream === 'customers',
    );
    expect(firstEstimate).toBeLessThan(firstRecord);
  });

  test('every estimate is a STREAM estimate named after a configured stream (never SYNC, never a parent read for a child)', () => {
    const estimates = messages.flatMap((message) =>
      message.type === 'TRACE' && message.trace.type === 'ESTIMATE'
        ? [message.trace.estimate as Estimate]
        : [],
    );
    expect(estimates.length).toBeGreaterThan(0);
    for (const estimate of estimates) {
      expect(estimate.type).toBe('STREAM');
      expect(STREAMS).toContain(estimate.name);
    }
  });

  test('segment_membership expects the members the segments stream counted in the same sync', () => {
    const counted = recordsOf(messages, 'segments').reduce(
      (sum, segment) => sum + Number(segment.customer_count),
      0,
    );
    expect(counted).toBeGreaterThan(0);
    expect(estimatesOf(messages, 'segment_membership')[0]).toBe(counted);
  });

  test('segments, a single list, sends no estimate: nothing tells its size before it is read', () => {
    expect(estimatesOf(messages, 'segments')).toEqual([]);
  });
});

describe('segment_membership after an incremental segments read that emits no segment', () => {
  test('every segment is still a partition (members all read); the estimate then comes from segments done', async () => {
    const catalog = {
      streams: [
        {
          ...(configuredCatalog(['segments'], 'incremental').streams as JsonObject[])[0],
          cursor_field: ['updated_at'],
        },
        ...(configuredCatalog(['segment_membership']).streams as JsonObject[]),
      ],
    };
    const state = [
      {
        type: 'STREAM',
        stream: {
          stream_descriptor: { name: 'segments' },
          stream_state: { updated_at: Math.floor(Date.now() / 1000) },
        },
      },
    ];
    const result = await runConnector('read', {
      config: simulatorConfig(sim, { requests_per_second: 1000 }),
      catalog,
      state,
      env: FAST_RETRIES,
    });
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages, 'segments')).toEqual([]);
    const members = recordsOf(result.messages, 'segment_membership');
    expect(members.length).toBe(recordsOf(messages, 'segment_membership').length);
    const estimates = estimatesOf(result.messages, 'segment_membership');
    expect(Math.min(...estimates)).toBeGreaterThan(0);
    expect(estimates.at(-1)).toBe(members.length);
  });
});

describe('ESTIMATE traces of other read paths', () => {
  async function read(streams: string[], extra: JsonObject) {
    const result = await runConnector('read', {
      config: simulatorConfig(sim, { requests_per_second: 1000, ...extra }),
      catalog: configuredCatalog(streams),
      env: { ...FAST_RETRIES, CIO_EXPORT_POLL_MS: '1' },
    });
    expect(
      result.messages.filter((message) => message.type === 'TRACE' && message.trace.type === 'ERROR'),
    ).toEqual([]);
    expect(result.exitCode).toBe(0);
    return result.messages;
  }

  test('customers by export: the export counts its people, sent before the download', async () => {
    const run = await read(['customers'], { customers_method: 'export' });
    const estimates = estimatesOf(run, 'customers');
    expect(estimates[0]).toBe(recordsOf(run, 'customers').length);
    expect(estimates.at(-1)).toBe(recordsOf(run, 'customers').length);
  });

  test('a per-person stream read per person: people done of the people the search found (no extra request)', async () => {
    const filter = JSON.stringify({ segment: { id: sim.workspace.segments[0]?.id } });
    const run = await read(['customer_messages', 'customer_segments'], {
      per_person_method: 'per_person',
      customers_filter: filter,
    });
    for (const stream of ['customer_messages', 'customer_segments']) {
      const estimates = estimatesOf(run, stream);
      expect(estimates.length).toBeGreaterThan(0);
      expect(Math.min(...estimates)).toBeGreaterThan(0);
      expect(estimates.at(-1)).toBe(recordsOf(run, stream).length);
    }
  });
});
