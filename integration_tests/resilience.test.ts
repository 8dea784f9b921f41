/**
 * End to end, against the simulator: a rate budget shared with other tools, answers that trickle, a host that
 * is down, a reader that goes away, a stop signal, an oversized answer, a check that hangs. Assertions count
 * requests and messages; the only times asserted are generous upper bounds.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { AirbyteMessage } from '@cio-connectors/kit/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CONNECTOR,
  configuredCatalog,
  errorsOf,
  FAST_RETRIES,
  ofType,
  protocolProblems,
  recordsOf,
  runConnector,
  simulatorConfig,
  statusesOf,
  TEN_LIST_STREAMS,
} from './harness.js';
import { type Simulator, startSimulator } from './simulator/index.js';

function streamStatuses(messages: AirbyteMessage[], stream: string) {
  return ofType(messages, 'TRACE').flatMap((message) =>
    message.trace.type === 'STREAM_STATUS' && message.trace.stream_status.stream_descriptor.name === stream
      ? [message.trace.stream_status]
      : [],
  );
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `read` with its stdout left to the test, for tests about how the output ends. */
function spawnRead(
  config: JsonObject,
  catalog: JsonObject,
): { child: ChildProcessWithoutNullStreams; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cio-resilience-'));
  const configPath = join(dir, 'config.json');
  const catalogPath = join(dir, 'catalog.json');
  writeFileSync(configPath, JSON.stringify(config));
  writeFileSync(catalogPath, JSON.stringify(catalog));
  const child = spawn(
    process.execPath,
    [CONNECTOR, 'read', '--config', configPath, '--catalog', catalogPath],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  return { child, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function exited(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}

describe('a rate budget shared with other tools', () => {
  test('with the server allowing 4 requests/second and the connector at its default 10, the read completes with few 429s', async () => {
    const sim = await startSimulator({ requestsPerSecond: 4, workspace: { campaigns: 30 } });
    try {
      const result = await runConnector('read', {
        config: simulatorConfig(sim),
        catalog: configuredCatalog(['campaigns', 'campaign_actions']),
      });
      expect(result.exitCode).toBe(0);
      expect(protocolProblems(result)).toEqual([]);
      expect(recordsOf(result.messages, 'campaign_actions').length).toBeGreaterThan(0);
      // Without adaptive pacing about 60% of requests were answered 429.
      expect(sim.stats.requests).toBeGreaterThan(40);
      expect(sim.stats.rateLimited / sim.stats.requests).toBeLessThan(0.25);
      // While paused the stream says so (RUNNING, RATE_LIMITED); once answers come back, RUNNING again.
      const statuses = streamStatuses(result.messages, 'campaign_actions');
      const limited = statuses.findIndex((status) => status.reasons?.[0]?.type === 'RATE_LIMITED');
      expect(limited).toBeGreaterThan(-1);
      expect(statuses[limited]?.status).toBe('RUNNING');
      expect(statuses.slice(limited + 1).some((s) => s.status === 'RUNNING' && s.reasons === undefined)).toBe(
        true,
      );
      expect(statuses.at(-1)?.status).toBe('COMPLETE');
      const logs = ofType(result.messages, 'LOG').map((message) => message.log.message);
      expect(logs.some((message) => /every request pauses .* requests\/second/.test(message))).toBe(true);
    } finally {
      await sim.close();
    }
  }, 180_000);
});

describe('answers that trickle, answers too large', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ requestsPerSecond: null });
  });
  afterAll(async () => {
    await sim.close();
  });

  test('a body that trickles in is cut off by the per-attempt deadline and retried', async () => {
    sim.injectFaults('trickle', 1, /^\/v1\/segments$/);
    const result = await runConnector('read', {
      config: simulatorConfig(sim, { requests_per_second: 1000 }),
      catalog: configuredCatalog(['segments']),
      env: { ...FAST_RETRIES, CIO_TIMEOUT_MS: '1000' },
    });
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages, 'segments')).toHaveLength(sim.workspace.segments.length);
    const logs = ofType(result.messages, 'LOG').map((message) => message.log.message);
    expect(logs.some((message) => /request timed out on \/v1\/segments; retry 1/.test(message))).toBe(true);
  });

  test('an answer over the size cap fails its stream with an error naming the endpoint, downloaded once', async () => {
    const before = sim.stats.log.filter((entry) => entry.path === '/v1/segments').length;
    const result = await runConnector('read', {
      config: simulatorConfig(sim, { requests_per_second: 1000 }),
      catalog: configuredCatalog(['segments']),
      env: { ...FAST_RETRIES, CIO_MAX_RESPONSE_BYTES: '200' },
    });
    expect(result.exitCode).toBe(1);
    expect(errorsOf(result.messages)).toEqual([
      expect.objectContaining({
        failure_type: 'system_error',
        message: expect.stringMatching(/segments: .*answer to GET \/v1\/segments is larger than 200 bytes/),
      }),
    ]);
    expect(sim.stats.log.filter((entry) => entry.path === '/v1/segments').length - before).toBe(1);
  });
});

describe('a host that is down', () => {
  const STREAMS = TEN_LIST_STREAMS;

  test('10 streams against a closed port end together under one transient error', async () => {
    const port = await closedPort();
    const started = Date.now();
    const result = await runConnector('read', {
      config: { app_api_key: 'k-1234567890', base_url: `http://127.0.0.1:${port}` },
      catalog: configuredCatalog(STREAMS),
      // The default back-off (1 s doubling, 8 retries) takes about 3 minutes; the bench measures that.
      env: { CIO_RETRY_BASE_MS: '20' },
    });
    expect(Date.now() - started).toBeLessThan(300_000);
    expect(result.exitCode).not.toBe(0);
    expect(protocolProblems(result)).toEqual([]);
    const errors = errorsOf(result.messages);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      failure_type: 'transient_error',
      message: expect.stringMatching(/cannot be reached .*ECONNREFUSED/),
    });
    for (const stream of STREAMS) {
      expect(statusesOf(result.messages, stream), stream).not.toContain('COMPLETE');
      expect(statusesOf(result.messages, stream).at(-1), stream).toBe('INCOMPLETE');
    }
  }, 300_000);
});

describe('how a read ends', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ requestsPerSecond: null, workspace: { deliveries: 50_000 } });
  });
  afterAll(async () => {
    await sim.close();
  });

  test('a reader that closes the pipe early (read | head) ends the read quietly: exit 0, no usage text', async () => {
    const { child, cleanup } = spawnRead(
      simulatorConfig(sim, { requests_per_second: 1000 }),
      configuredCatalog(['messages'], 'incremental'),
    );
    try {
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const ended = exited(child);
      // Like `head -n 5`: take the first lines, then close the pipe while the connector is still writing.
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdout.destroy();
      const { code } = await ended;
      expect(code).toBe(0);
      expect(stderr).not.toMatch(/Usage|source-customer-io </);
      expect(stderr).toBe('');
    } finally {
      cleanup();
    }
  }, 120_000);

  test('SIGTERM while stdout is slow leaves only whole JSON lines and exits promptly', async () => {
    const { child, cleanup } = spawnRead(
      simulatorConfig(sim, { requests_per_second: 1000 }),
      configuredCatalog(['messages'], 'incremental'),
    );
    try {
      const ended = exited(child);
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      // A slow reader: stop reading once output flows, signal, then drain what is left.
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdout.pause();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const signalledAt = Date.now();
      child.kill('SIGTERM');
      child.stdout.resume();
      const { code } = await ended;
      expect(Date.now() - signalledAt).toBeLessThan(30_000);
      expect(code).toBe(143);
      expect(stdout.endsWith('\n')).toBe(true);
      const lines = stdout.trimEnd().split('\n');
      for (const line of lines) expect(() => JSON.parse(line), line.slice(0, 100)).not.toThrow();
    } finally {
      cleanup();
    }
  }, 120_000);
});

describe('check under a deadline', () => {
  /** `check` with a 3 s deadline against a simulator where `path` never answers: its one CONNECTION_STATUS. */
  async function checkWithHangingPath(path: RegExp) {
    const sim = await startSimulator({ requestsPerSecond: null, slowFaultMs: 120_000 });
    try {
      sim.injectFaults('slow', 10, path);
      const result = await runConnector('check', {
        config: simulatorConfig(sim),
        env: { CIO_CHECK_DEADLINE_MS: '3000' },
      });
      expect(result.exitCode).toBe(0);
      const [status] = ofType(result.messages, 'CONNECTION_STATUS').map(
        (message) => message.connectionStatus,
      );
      return status;
    } finally {
      await sim.close();
    }
  }

  test('a probe that hangs is reported by name, not waited on', async () => {
    const status = await checkWithHangingPath(/^\/v1\/messages$/);
    expect(status?.status).toBe('SUCCEEDED');
    expect(status?.message).toMatch(
      /did not answer these requests within the check's 3 s.*GET \/v1\/messages \(messages\)/,
    );
    expect(status?.message).not.toMatch(/resum/i);
  });

  test('a workspace request that hangs fails the check within its deadline', async () => {
    const status = await checkWithHangingPath(/^\/v1\/workspaces$/);
    expect(status).toMatchObject({
      status: 'FAILED',
      message: expect.stringMatching(/did not answer GET \/v1\/workspaces within the check's 3 s/),
    });
    expect(status?.message).not.toMatch(/resum/i);
  });
});
