// Saved states that are not positions a sync can have reached: a cursor later than the sync's start, and a
// stream named twice in the state file.

import type { StreamStateMessage } from '@cio-connectors/kit/protocol';
import { afterEach, expect, test } from 'vitest';
import {
  configuredCatalog,
  FAST_RETRIES,
  finalStates,
  ofType,
  recordsOf,
  runConnector,
  simulatorConfig,
  statusesOf,
} from './harness.js';
import { type Simulator, startSimulator } from './simulator/index.js';

const DAY = 86_400;
const LOOKBACK = 30 * DAY;
const FUTURE = 4_102_444_800; // 2100-01-01
const nowSeconds = () => Math.floor(Date.now() / 1000);

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function stateOf(name: string, streamState: Record<string, unknown>): StreamStateMessage {
  return { type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: streamState } };
}

async function read(streams: string[], mode: string, state: StreamStateMessage[]) {
  const target = sim ?? (await startSimulator({ requestsPerSecond: null, workspace: { deliveries: 600 } }));
  sim = target;
  const before = nowSeconds();
  const result = await runConnector('read', {
    config: simulatorConfig(target, { requests_per_second: 1000 }),
    catalog: configuredCatalog(streams, mode),
    env: FAST_RETRIES,
    state,
  });
  return { result, before, after: nowSeconds(), log: target.stats.log };
}

const warnings = (result: Awaited<ReturnType<typeof read>>['result']) =>
  ofType(result.messages, 'LOG')
    .filter((message) => message.log.level === 'WARN')
    .map((message) => message.log.message);

const futureWarning = (stream: string, field: string, value: unknown) =>
  new RegExp(
    `^${stream}: the saved state's "${field.replace('.', '\\.')}" is ${JSON.stringify(value)}, later than this sync's start \\(\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\): no sync can have reached it, so it is ignored and the stream reads from the sync's start minus its lookback \\(a full refresh reads everything\\)\\. Reset this stream's state to read its history again\\.$`,
  );

test('messages with a cursor in 2100: one warning, and the last 30 days before the sync are read', async () => {
  const { result, before, after, log } = await read(['messages'], 'incremental', [
    stateOf('messages', { created: FUTURE }),
  ]);
  expect(result.exitCode).toBe(0);
  expect(warnings(result).filter((text) => text.startsWith('messages: the saved state'))).toEqual([
    expect.stringMatching(futureWarning('messages', 'created', FUTURE)),
  ]);
  const windows = log.filter((entry) => entry.path === '/v1/messages');
  expect(windows.length).toBeGreaterThan(0);
  const starts = windows.map((entry) => Number(entry.query.start_ts));
  expect(Math.min(...starts)).toBeGreaterThanOrEqual(before + 1 - LOOKBACK);
  expect(Math.min(...starts)).toBeLessThanOrEqual(after + 1 - LOOKBACK);
  const saved = finalStates(result.messages)[0]?.stream.stream_state?.created as number;
  expect(saved).toBeGreaterThanOrEqual(before);
  expect(saved).toBeLessThanOrEqual(after);
});

test('campaigns with a cursor in 2100: a campaign updated minutes before the sync is emitted', async () => {
  sim = await startSimulator({ requestsPerSecond: null });
  const [recent] = sim.workspace.campaigns;
  if (recent === undefined) throw new Error('no campaigns');
  recent.updated = nowSeconds() - 600;
  const { result } = await read(['campaigns'], 'incremental', [stateOf('campaigns', { updated: FUTURE })]);
  expect(result.exitCode).toBe(0);
  expect(warnings(result)).toContainEqual(
    expect.stringMatching(futureWarning('campaigns', 'updated', FUTURE)),
  );
  expect(recordsOf(result.messages, 'campaigns').map((record) => record.id)).toEqual([recent.id]);
});

test('campaign_messages with a watermark in 2100: every campaign reads the lookback before the sync', async () => {
  const { result, before, after, log } = await read(['campaign_messages'], 'incremental', [
    stateOf('campaign_messages', { created: FUTURE }),
  ]);
  expect(result.exitCode).toBe(0);
  expect(warnings(result)).toContainEqual(
    expect.stringMatching(futureWarning('campaign_messages', 'created', FUTURE)),
  );
  const campaigns = sim?.workspace.campaigns.length ?? 0;
  const firstWindows = log.filter((entry) => /^\/v1\/campaigns\/\d+\/messages$/.test(entry.path));
  expect(new Set(firstWindows.map((entry) => entry.path)).size).toBe(campaigns);
  for (const entry of firstWindows) {
    expect(Number(entry.query.start_ts)).toBeGreaterThanOrEqual(before - LOOKBACK);
    expect(Number(entry.query.start_ts)).toBeLessThanOrEqual(after - LOOKBACK);
  }
});

test('a full refresh whose resume point is in 2100 reads everything, not nothing', async () => {
  const clean = await read(['messages'], 'full_refresh', []);
  expect(clean.result.exitCode).toBe(0);
  const everything = recordsOf(clean.result.messages, 'messages').length;
  expect(everything).toBeGreaterThan(100);
  const { result } = await read(['messages'], 'full_refresh', [
    stateOf('messages', { resume: { created: FUTURE } }),
  ]);
  expect(result.exitCode).toBe(0);
  expect(statusesOf(result.messages, 'messages').at(-1)).toBe('COMPLETE');
  expect(recordsOf(result.messages, 'messages')).toHaveLength(everything);
  expect(warnings(result)).toContainEqual(
    expect.stringMatching(futureWarning('messages', 'created', FUTURE)),
  );
});

test('two state entries for one stream: a warning says which one is used, and it is', async () => {
  sim = await startSimulator({ requestsPerSecond: null });
  const campaigns = sim.workspace.campaigns;
  const updated = campaigns.map((campaign) => campaign.updated).sort((a, b) => a - b);
  const oldest = updated[0] ?? 0;
  const middle = updated[Math.floor(updated.length / 2)] ?? 0;
  const { result } = await read(['campaigns'], 'incremental', [
    stateOf('campaigns', { updated: oldest }),
    stateOf('segments', { updated_at: oldest }),
    stateOf('campaigns', { updated: middle + 3600 }),
  ]);
  expect(result.exitCode).toBe(0);
  expect(warnings(result)).toContain(
    'The state has 2 entries for stream "campaigns" (entries 0, 2): using entry 2.',
  );
  const emitted = recordsOf(result.messages, 'campaigns').map((record) => record.updated as number);
  expect(emitted.length).toBeGreaterThan(0);
  expect(Math.min(...emitted)).toBeGreaterThanOrEqual(middle);
});

test('customers: a saved search position the API refuses starts the search over, with one warning; all people read', async () => {
  const { result: full, log: firstLog } = await read(['customers'], 'full_refresh', []);
  const everyone = recordsOf(full.messages, 'customers').length;
  const firstRun = firstLog.length;
  expect(everyone).toBeGreaterThan(0);
  const { result: resumed, log } = await read(['customers'], 'full_refresh', [
    stateOf('customers', { resume: { next: 'not-a-token-the-api-issued' } }),
  ]);
  expect(statusesOf(resumed.messages, 'customers').at(-1)).toBe('COMPLETE');
  expect(recordsOf(resumed.messages, 'customers')).toHaveLength(everyone);
  const warnings = ofType(resumed.messages, 'LOG').filter(({ log }) =>
    log.message.startsWith('customers: the saved search position was refused'),
  );
  expect(warnings).toHaveLength(1);
  // The refused token once, then the search from its first page.
  const searches = log.slice(firstRun).filter((entry) => entry.path === '/v1/customers');
  expect(searches[0]?.query.start).toBe('not-a-token-the-api-issued');
  expect(searches[0]?.status).toBeGreaterThanOrEqual(400);
  expect(searches[1]?.query.start).toBeUndefined();
});
