import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { AirbyteMessage } from '@cio-connectors/kit/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  configuredCatalog,
  errorsOf,
  FAST_RETRIES,
  ofType,
  runConnector,
  simulatorConfig,
  statesOf,
} from './harness.js';
import { type Simulator, startSimulator } from './simulator/index.js';

const DAY = 86_400;
const nowSeconds = () => Math.floor(Date.now() / 1000);

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ requestsPerSecond: null });
});
afterAll(async () => {
  await sim.close();
});

function stderrLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '');
}

function warnings(messages: AirbyteMessage[]): string[] {
  return ofType(messages, 'LOG')
    .filter((message) => message.log.level === 'WARN')
    .map((message) => message.log.message);
}

describe('failures during read also go to stderr', () => {
  test('a rejected key: the ERROR trace and the same line on stderr, the key in neither', async () => {
    const key = 'rejected-key-0123456789';
    const result = await runConnector('read', {
      config: simulatorConfig(sim, { app_api_key: key }),
      catalog: configuredCatalog(['campaigns', 'segments']),
      env: FAST_RETRIES,
    });
    expect(result.exitCode).toBe(1);
    const errors = errorsOf(result.messages).map((error) => error.message);
    expect(errors).toEqual([expect.stringMatching(/^campaigns: Customer\.io rejected the API key \(401/)]);
    expect(stderrLines(result.stderr)).toEqual(errors);
    expect(result.lines.join('\n') + result.stderr).not.toContain(key);
  });

  test('a stream whose child endpoint is missing: one stream prefix, on stdout and stderr', async () => {
    const missing = await startSimulator({
      requestsPerSecond: null,
      notFoundPaths: [/^\/v1\/campaigns\/\d+\/metrics\/links$/],
    });
    try {
      const result = await runConnector('read', {
        config: simulatorConfig(missing),
        catalog: configuredCatalog(['campaign_link_metrics']),
        env: FAST_RETRIES,
      });
      expect(result.exitCode).toBe(1);
      const [error] = errorsOf(result.messages);
      expect(error?.message).toMatch(
        /^campaign_link_metrics: Customer\.io answered 404 for \d+ of \d+ campaigns/,
      );
      expect(error?.message).not.toMatch(/campaign_link_metrics: campaign_link_metrics/);
      expect(stderrLines(result.stderr)).toEqual([error?.message]);
    } finally {
      await missing.close();
    }
  });
});

describe('check reports a config it cannot use with CONNECTION_STATUS FAILED and exit 0', () => {
  test('a config file that does not exist', async () => {
    const result = await runConnector('check', {}, ['--config', '/nonexistent/config.json']);
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, 'CONNECTION_STATUS').map((m) => m.connectionStatus)).toEqual([
      { status: 'FAILED', message: '--config file not found: /nonexistent/config.json' },
    ]);
  });

  test('a config path that cannot be read (a directory)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cio-check-'));
    try {
      const result = await runConnector('check', {}, ['--config', dir]);
      expect(result.exitCode).toBe(0);
      const statuses = ofType(result.messages, 'CONNECTION_STATUS').map((m) => m.connectionStatus);
      expect(statuses).toEqual([
        { status: 'FAILED', message: `--config file cannot be read (EISDIR): ${dir}` },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('discover still exits 2 on a missing config file (a command-line mistake)', async () => {
    const result = await runConnector('discover', {}, ['--config', '/nonexistent/config.json']);
    expect(result.exitCode).toBe(2);
    expect(stderrLines(result.stderr)).toEqual(['--config file not found: /nonexistent/config.json']);
  });
});

describe('activities: the retention warning measures when the last sync ran', () => {
  const readActivities = (state: JsonObject) =>
    runConnector('read', {
      config: simulatorConfig(sim),
      catalog: configuredCatalog(['activities'], 'incremental'),
      state: [{ type: 'STREAM', stream: { stream_descriptor: { name: 'activities' }, stream_state: state } }],
    });
  const retentionWarnings = (messages: AirbyteMessage[]) =>
    warnings(messages).filter((text) => /30 days/.test(text));

  test('a sync yesterday whose newest activity is 40 days old: no warning, and the state keeps the sync time', async () => {
    const before = nowSeconds();
    const result = await readActivities({ timestamp: before - 40 * DAY, synced_at: before - DAY });
    expect(result.exitCode).toBe(0);
    expect(retentionWarnings(result.messages)).toEqual([]);
    const saved = statesOf(result.messages, 'activities').at(-1)?.state.stream.stream_state as JsonObject;
    expect(saved.synced_at).toBeGreaterThanOrEqual(before);
    expect(saved.synced_at).toBeLessThanOrEqual(nowSeconds());
  });

  test('a last sync 40 days ago gets the warning, naming its date', async () => {
    const synced = nowSeconds() - 40 * DAY;
    const result = await readActivities({ timestamp: synced - DAY, synced_at: synced });
    expect(retentionWarnings(result.messages)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^activities: the last sync ran more than 30 days ago \\(${new Date(synced * 1000).toISOString().slice(0, 10)}\\)`,
        ),
      ),
    ]);
  });

  test('a state saved before the sync time was kept is still read, with a warning that says what it measured', async () => {
    const result = await readActivities({ timestamp: nowSeconds() - 40 * DAY });
    expect(result.exitCode).toBe(0);
    expect(retentionWarnings(result.messages)).toEqual([
      expect.stringMatching(/^activities: the newest record in the saved state is more than 30 days old/),
    ]);
    const saved = statesOf(result.messages, 'activities').at(-1)?.state.stream.stream_state as JsonObject;
    expect(typeof saved.synced_at).toBe('number');
  });
});
