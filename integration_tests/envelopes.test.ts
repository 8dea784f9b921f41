// Answers that look fine (status 200) but would lose or duplicate data if read at face value: the stream
// must end INCOMPLETE with an error naming the endpoint, never COMPLETE. And records the API sends with a
// type other than their schema's are normalized where that loses nothing.

import type { JsonObject } from '@cio-connectors/kit/json';
import { afterEach, describe, expect, test } from 'vitest';
import { loadSchema } from '../src/schemas.js';
import {
  configuredCatalog,
  errorsOf,
  FAST_RETRIES,
  ofType,
  protocolProblems,
  type RunResult,
  recordsOf,
  recordValidator,
  runConnector,
  simulatorConfig,
  statusesOf,
} from './harness.js';
import { segmentMembers } from './simulator/audience.js';
import { type FaultKind, type Simulator, type SimulatorOptions, startSimulator } from './simulator/index.js';

/** Far more lines than any of these reads produces: a connector that loops is cut off here, not left running. */
const LOOP_CUTOFF_LINES = 6000;

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function readWith(
  streams: string[],
  fault?: { kind: FaultKind; count: number; path: RegExp },
  options: SimulatorOptions = {},
): Promise<RunResult> {
  sim = await startSimulator({ requestsPerSecond: null, ...options });
  if (fault !== undefined) sim.injectFaults(fault.kind, fault.count, fault.path);
  return runConnector('read', {
    config: simulatorConfig(sim, { requests_per_second: 1000 }),
    catalog: configuredCatalog(streams),
    env: FAST_RETRIES,
    killAfterLines: LOOP_CUTOFF_LINES,
  });
}

function expectFailedWith(result: RunResult, stream: string, message: RegExp): void {
  expect(statusesOf(result.messages, stream)).toEqual([
    'STARTED',
    ...runningIfAny(result, stream),
    'INCOMPLETE',
  ]);
  const errors = errorsOf(result.messages).filter((error) => error.stream_descriptor?.name === stream);
  expect(errors).toHaveLength(1);
  expect(errors[0]?.failure_type).toBe('system_error');
  expect(errors[0]?.message).toMatch(message);
  expect(result.exitCode).toBe(1);
  expect(protocolProblems(result)).toEqual([]);
}

function runningIfAny(result: RunResult, stream: string): string[] {
  return recordsOf(result.messages, stream).length > 0 ? ['RUNNING'] : [];
}

function duplicatesOf(keys: string[]): string[] {
  return keys.filter((key, index) => keys.indexOf(key) !== index);
}

describe('a 200 without its list is an error, not an empty stream', () => {
  test('the list key missing', async () => {
    const result = await readWith(['campaigns'], {
      kind: 'missing_list',
      count: 1,
      path: /^\/v1\/campaigns$/,
    });
    expectFailedWith(
      result,
      'campaigns',
      /^campaigns: Customer\.io answered \/v1\/campaigns with 200 but no "campaigns" list \(an empty object\); /,
    );
    expect(recordsOf(result.messages, 'campaigns')).toEqual([]);
  });

  test('an {"errors": [...]} body with status 200', async () => {
    const result = await readWith(['segments'], { kind: 'errors_200', count: 1, path: /^\/v1\/segments$/ });
    expectFailedWith(
      result,
      'segments',
      /\/v1\/segments with 200 but no "segments" list \(top-level keys: errors; error: the list could not be loaded\)/,
    );
  });

  test('a null list where the endpoint does not document null for empty', async () => {
    const result = await readWith(['campaign_actions'], {
      kind: 'null_list',
      count: 1,
      path: /^\/v1\/campaigns\/\d+\/actions$/,
    });
    expectFailedWith(
      result,
      'campaign_actions',
      /\/v1\/campaigns\/\d+\/actions with 200 but no "actions" list \("actions" is null\)/,
    );
  });

  test('metrics without their "metric" object', async () => {
    const result = await readWith(['campaign_metrics'], {
      kind: 'errors_200',
      count: 1,
      path: /^\/v1\/campaigns\/\d+\/metrics$/,
    });
    expectFailedWith(
      result,
      'campaign_metrics',
      /\/v1\/campaigns\/\d+\/metrics with 200 but no "metric\.series" object/,
    );
  });

  test('documented nulls still read as empty pages: an empty suppression type, an empty segment', async () => {
    const result = await readWith(['esp_suppressions', 'segment_membership']);
    expect(errorsOf(result.messages)).toEqual([]);
    expect(statusesOf(result.messages, 'esp_suppressions').at(-1)).toBe('COMPLETE');
    expect(statusesOf(result.messages, 'segment_membership').at(-1)).toBe('COMPLETE');
    // The simulator answers both with a null list, as the live API does.
    const workspace = (sim as Simulator).workspace;
    expect(workspace.espSuppressions.invalid_emails).toEqual([]);
    expect(workspace.segments.some((segment) => segmentMembers(workspace, segment.id).length === 0)).toBe(
      true,
    );
  });
});

describe('paging that never ends is an error, not endless duplicates', () => {
  test('a fresh next token on the same page', async () => {
    const result = await readWith(['newsletters'], {
      kind: 'looping_token',
      count: 10_000,
      path: /^\/v1\/newsletters$/,
    });
    expectFailedWith(
      result,
      'newsletters',
      /Customer\.io answered \/v1\/newsletters with the same page of \d+ records twice/,
    );
    const ids = recordsOf(result.messages, 'newsletters').map((record) => String(record.id));
    expect(duplicatesOf(ids)).toEqual([]);
    expect(ids.length).toBe((sim as Simulator).workspace.newsletters.length);
  });

  test('an offset endpoint ignoring the offset', async () => {
    // More bounces than one page (1000), so that the read asks for a second page.
    const result = await readWith(
      ['esp_suppressions'],
      { kind: 'ignored_offset', count: 10_000, path: /^\/v1\/esp\/suppression\/bounces$/ },
      { workspace: { suppressions: 1200 } },
    );
    expectFailedWith(
      result,
      'esp_suppressions',
      /Customer\.io answered \/v1\/esp\/suppression\/bounces with the same page of \d+ records twice/,
    );
    const keys = recordsOf(result.messages, 'esp_suppressions').map((record) =>
      JSON.stringify([record.suppression_type, record.email]),
    );
    expect(duplicatesOf(keys)).toEqual([]);
  });
});

describe('records are normalized to their schema', () => {
  test('broadcast action ids sent as strings are emitted as integers that validate; what cannot be fixed is reported once', async () => {
    sim = await startSimulator({ requestsPerSecond: null });
    const actions = [...sim.workspace.broadcastActions.values()].flat();
    expect(actions.length).toBeGreaterThan(2);
    const [, badCreated, alsoBadCreated] = actions as unknown as [JsonObject, JsonObject, JsonObject];
    expect(actions.every((action) => typeof action.id === 'string')).toBe(true);
    badCreated.created = 'yesterday';
    alsoBadCreated.created = 'last week';
    const result = await runConnector('read', {
      config: simulatorConfig(sim, { requests_per_second: 1000 }),
      catalog: configuredCatalog(['broadcast_actions']),
      env: FAST_RETRIES,
    });
    expect(statusesOf(result.messages, 'broadcast_actions').at(-1)).toBe('COMPLETE');
    const records = recordsOf(result.messages, 'broadcast_actions');
    expect(records).toHaveLength(actions.length);
    expect(records.map((record) => record.id).sort()).toEqual(
      actions.map((action) => Number(action.id)).sort(),
    );
    expect(records.filter((record) => !Number.isInteger(record.id))).toEqual([]);
    const validate = recordValidator(loadSchema('broadcast_actions'));
    const isValid = (record: JsonObject): boolean => validate(record) === true;
    const invalid = records.filter((record) => !isValid(record));
    // Only the two records whose `created` is not a number stay invalid: passed through, not dropped.
    expect(invalid.map((record) => record.created).sort()).toEqual(['last week', 'yesterday']);
    const warnings = ofType(result.messages, 'LOG')
      .map((message) => message.log.message)
      .filter((message) => message.startsWith('broadcast_actions: field'));
    expect(warnings).toEqual([
      'broadcast_actions: field "created" is declared null or integer but Customer.io sent a string; it is passed through unchanged and may fail validation downstream (reported once per field).',
    ]);
  });
});
