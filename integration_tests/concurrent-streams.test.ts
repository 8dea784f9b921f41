/**
 * Streams read at once (readStreams): each stream's messages whole and in order, the same records, states and
 * requests as one stream after another, children after their parents, a parent outside the catalog read once,
 * and a failure of the whole source reported once.
 */
import type { AirbyteMessage } from '@cio-connectors/kit/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  configuredCatalog,
  errorsOf,
  finalStates,
  protocolProblems,
  type RunResult,
  recordsOf,
  runConnector,
  simulatorConfig,
  statusesOf,
} from './harness.js';
import { type Simulator, startSimulator } from './simulator/index.js';

const INDEPENDENT = ['messages', 'segments', 'activities', 'campaigns', 'broadcasts', 'esp_suppressions'];

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ requestsPerSecond: null });
});
afterAll(async () => {
  await sim.close();
});

/** The stream a message is about, for the messages that belong to one. */
function streamOf(message: AirbyteMessage): string | undefined {
  if (message.type === 'RECORD') return message.record.stream;
  if (message.type === 'STATE') return message.state.stream?.stream_descriptor.name;
  if (message.type === 'TRACE' && message.trace.type === 'STREAM_STATUS')
    return message.trace.stream_status.stream_descriptor.name;
  return undefined;
}

/** A STREAM_STATUS message's status; undefined for any other message. */
function statusOf(message: AirbyteMessage): string | undefined {
  return message.type === 'TRACE' && message.trace.type === 'STREAM_STATUS'
    ? message.trace.stream_status.status
    : undefined;
}

/** One stream's messages as kinds in output order: STARTED, RUNNING, RECORD…, STATE, COMPLETE. */
function kindsOf(result: RunResult, stream: string): string[] {
  return result.messages
    .filter((message) => streamOf(message) === stream)
    .map((message) => statusOf(message) ?? message.type);
}

/** Epoch seconds of the last minute written as "now": two reads a second apart have different sync starts. */
function withoutNow(text: string): string {
  const now = Math.floor(Date.now() / 1000);
  return text.replace(/\b\d{10}\b/g, (digits) => (Math.abs(Number(digits) - now) < 60 ? 'now' : digits));
}

async function read(names: readonly string[], env: Record<string, string> = {}) {
  sim.resetStats();
  const result = await runConnector('read', {
    config: simulatorConfig(sim, { requests_per_second: 1000 }),
    catalog: configuredCatalog(names),
    env,
  });
  const requests = sim.stats.log
    .map((entry) => withoutNow(`${entry.path}?${new URLSearchParams(entry.query)}`))
    .sort();
  return { result, requests };
}

describe('streams read at once', () => {
  let together: Awaited<ReturnType<typeof read>>;
  let inTurn: Awaited<ReturnType<typeof read>>;
  beforeAll(async () => {
    together = await read(INDEPENDENT);
    inTurn = await read(INDEPENDENT, { CIO_CONCURRENT_STREAMS: '1' });
  });

  test('three start at once, and their lines interleave', () => {
    expect(together.result.exitCode).toBe(0);
    expect(protocolProblems(together.result)).toEqual([]);
    const firstOther = together.result.messages.findIndex(
      (message) => streamOf(message) !== undefined && statusOf(message) !== 'STARTED',
    );
    const startedBefore = together.result.messages
      .slice(0, firstOther)
      .filter((message) => statusOf(message) === 'STARTED')
      .map(streamOf);
    expect(startedBefore).toEqual(INDEPENDENT.slice(0, 3));
    // One after another, every stream is STARTED right after the previous one's COMPLETE.
    const inTurnStatuses = inTurn.result.messages.map(statusOf).filter((status) => status !== undefined);
    expect(inTurnStatuses.slice(0, 4)).toEqual(['STARTED', 'RUNNING', 'COMPLETE', 'STARTED']);
  });

  test("each stream's messages stay whole and in order: STARTED, RUNNING, its records, its state, COMPLETE", () => {
    for (const stream of INDEPENDENT) {
      const kinds = kindsOf(together.result, stream);
      expect(kinds[0], stream).toBe('STARTED');
      expect(kinds[1], stream).toBe('RUNNING');
      expect(kinds.at(-1), stream).toBe('COMPLETE');
      expect(kinds.at(-2), stream).toBe('STATE');
      expect(kinds[2], stream).toBe('RECORD');
      expect(
        kinds.slice(2, -2).filter((kind) => kind !== 'RECORD' && kind !== 'STATE'),
        stream,
      ).toEqual([]);
    }
  });

  test('the same records, final states and requests as one stream after another', () => {
    for (const stream of INDEPENDENT) {
      const ids = (result: RunResult) =>
        recordsOf(result.messages, stream).map((record) => JSON.stringify(record));
      expect(ids(together.result), stream).toEqual(ids(inTurn.result));
    }
    const states = (result: RunResult) =>
      Object.fromEntries(
        finalStates(result.messages).map((state) => [
          state.stream.stream_descriptor.name,
          withoutNow(JSON.stringify(state.stream.stream_state)),
        ]),
      );
    expect(states(together.result)).toEqual(states(inTurn.result));
    expect(together.requests).toEqual(inTurn.requests);
  });
});

test('a child starts once its parent in the catalog is read, and reads it from memory', async () => {
  const { result, requests } = await read(['campaign_actions', 'campaign_metrics', 'campaigns']);
  expect(result.exitCode).toBe(0);
  const indexOf = (stream: string, status: string) =>
    result.messages.findIndex((message) => streamOf(message) === stream && statusOf(message) === status);
  expect(indexOf('campaign_actions', 'STARTED')).toBeGreaterThan(indexOf('campaigns', 'COMPLETE'));
  expect(indexOf('campaign_metrics', 'STARTED')).toBeGreaterThan(indexOf('campaigns', 'COMPLETE'));
  const campaignsOnly = await read(['campaigns']);
  expect(requests.filter((request) => request.startsWith('/v1/campaigns?'))).toEqual(
    campaignsOnly.requests.filter((request) => request.startsWith('/v1/campaigns?')),
  );
});

test('two children of a parent outside the catalog: the parent is read once, by the first', async () => {
  const { result, requests } = await read(['campaign_actions', 'campaign_metrics']);
  expect(result.exitCode).toBe(0);
  expect(recordsOf(result.messages, 'campaign_metrics').length).toBeGreaterThan(0);
  const campaignsOnly = await read(['campaigns']);
  expect(requests.filter((request) => request.startsWith('/v1/campaigns?'))).toEqual(
    campaignsOnly.requests.filter((request) => request.startsWith('/v1/campaigns?')),
  );
});

test('a wrong key read by three streams at once: one config_error, every stream INCOMPLETE', async () => {
  const key = 'wrong-app-api-key-5d1e0b';
  const result = await runConnector('read', {
    config: { ...simulatorConfig(sim), app_api_key: key },
    catalog: configuredCatalog(INDEPENDENT),
  });
  expect(result.exitCode).toBe(1);
  expect(protocolProblems(result)).toEqual([]);
  expect(errorsOf(result.messages).map((error) => error.failure_type)).toEqual(['config_error']);
  for (const stream of INDEPENDENT)
    expect(statusesOf(result.messages, stream), stream).toEqual(['STARTED', 'INCOMPLETE']);
  expect(result.lines.join('\n') + result.stderr).not.toContain(key);
});
