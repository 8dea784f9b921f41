import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonObject } from '@cio-connectors/kit/json';
import { afterEach } from 'vitest';
import { officialMessageValidator } from '../../integration_tests/harness.js';
import { startTrackSimulator, type TrackSimulator, type TrackSimulatorOptions } from './simulator/index.js';

export const DESTINATION_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DESTINATION = join(DESTINATION_ROOT, 'dist', 'main.js');

/** Test-friendly retry timings: the real defaults wait seconds to minutes. */
export const FAST_RETRIES = {
  CIO_RETRY_BASE_MS: '10',
  CIO_QUOTA_BACKOFF_MS: '20',
  CIO_MAX_RETRIES: '4',
  CIO_MAX_RETRY_AFTER_MS: '50',
  CIO_TIMEOUT_MS: '5000',
};

export type Message = JsonObject & { type: string };

export interface WriteResult {
  messages: Message[];
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface WriteInput {
  config?: unknown;
  catalog?: unknown;
  /** Input lines (each a message object, or a string written as it is); written to stdin then closed. */
  input?: ReadonlyArray<unknown>;
  env?: Record<string, string>;
  /** Sends `signal` at the first stdout line that matches (the lines are still collected). */
  signalWhen?: { line: (line: string) => boolean; signal: NodeJS.Signals };
  /** Leave stdin open after the input (a source still producing): only a signal ends the run. */
  keepInputOpen?: boolean;
}

export function configFor(sim: TrackSimulator, extra: JsonObject = {}): JsonObject {
  return { site_id: sim.siteId, track_api_key: sim.trackApiKey, track_base_url: sim.url, ...extra };
}

/** A config with the App API too (the simulator serves both APIs of one workspace). */
export function appConfigFor(sim: TrackSimulator, extra: JsonObject = {}): JsonObject {
  return configFor(sim, { app_api_key: sim.appApiKey, app_base_url: sim.url, ...extra });
}

/** A configured stream for the destination: its name, object and mode, with extra catalog fields. */
export function configuredStream(name: string, object?: string, mode = 'append', extra: JsonObject = {}) {
  return {
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
    sync_mode: 'full_refresh',
    destination_sync_mode: mode,
    ...(object === undefined ? {} : { destination_object_name: object }),
    ...extra,
  };
}

export function record(stream: string, data: JsonObject): JsonObject {
  return { type: 'RECORD', record: { stream, data, emitted_at: 1_700_000_000_000 } };
}

/** A source's stream status, as the platform passes it on (COMPLETE: the stream brought all its records). */
export function streamStatus(stream: string, status = 'COMPLETE'): JsonObject {
  return {
    type: 'TRACE',
    trace: {
      type: 'STREAM_STATUS',
      emitted_at: 1_700_000_000_000,
      stream_status: { stream_descriptor: { name: stream }, status },
    },
  };
}

export function streamState(stream: string, state: JsonObject): JsonObject {
  return {
    type: 'STATE',
    state: { type: 'STREAM', stream: { stream_descriptor: { name: stream }, stream_state: state } },
  };
}

/** What is wrong with a stdout message: the official schema's verdict, and a STATE without its counts. */
function problems(message: Message): string[] {
  const found: string[] = [];
  const validate = officialMessageValidator();
  if (!validate(message))
    found.push(`invalid per the official schema: ${JSON.stringify(validate.errors?.slice(0, 2))}`);
  if (message.type === 'STATE') {
    const stats = (
      message.state as { destinationStats?: { recordCount?: unknown; rejectedRecordCount?: unknown } }
    ).destinationStats;
    if (typeof stats?.recordCount !== 'number' || typeof stats.rejectedRecordCount !== 'number')
      found.push('a STATE without destinationStats.recordCount and rejectedRecordCount');
  }
  return found;
}

/** Runs the built destination as a child process; every stdout line must be a valid Airbyte message. */
export async function runDestination(command: string, run: WriteInput = {}, extraArgs: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'cio-destination-'));
  const args = [DESTINATION, ...(command === '' ? [] : [command]), ...extraArgs];
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };
  if (run.config !== undefined) args.push('--config', file('config.json', run.config));
  if (run.catalog !== undefined) args.push('--catalog', file('catalog.json', run.catalog));
  try {
    return await new Promise<WriteResult>((resolve, reject) => {
      const child = spawn(process.execPath, args, {
        env: { ...process.env, ...FAST_RETRIES, ...run.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let signalled = false;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (run.signalWhen === undefined || signalled) return;
        if (stdout.split('\n').slice(0, -1).some(run.signalWhen.line)) {
          signalled = true;
          child.kill(run.signalWhen.signal);
        }
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.stdin.on('error', () => undefined); // a connector that stops early closes its stdin
      const text = (run.input ?? []).map((line) => (typeof line === 'string' ? line : JSON.stringify(line)));
      child.stdin.write(text.length === 0 ? '' : `${text.join('\n')}\n`);
      if (run.keepInputOpen !== true) child.stdin.end();
      child.on('error', reject);
      child.on('close', (exitCode, signal) => {
        const lines = stdout.split('\n');
        const whole = signal === 'SIGKILL' ? lines.slice(0, -1) : lines.filter((line) => line !== '');
        if (signal !== 'SIGKILL' && lines.at(-1) !== '') {
          reject(new Error(`stdout does not end with a line break: ${lines.at(-1)?.slice(0, 200)}`));
          return;
        }
        try {
          const messages = whole.map((line) => JSON.parse(line) as Message);
          const found = messages.flatMap((message, index) =>
            problems(message).map((problem) => `line ${index}: ${problem}`),
          );
          if (found.length > 0)
            throw new Error(`destination ${command} broke the protocol:\n${found.slice(0, 5).join('\n')}`);
          resolve({ messages, stderr, exitCode, signal });
        } catch (error) {
          reject(error);
        }
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const ofType = (messages: Message[], type: string) =>
  messages.filter((message) => message.type === type);

export function statesOf(
  result: WriteResult,
): Array<JsonObject & { destinationStats: { recordCount: number; rejectedRecordCount: number } }> {
  return ofType(result.messages, 'STATE').map((message) => message.state as never);
}

export function errorsOf(result: WriteResult): Array<{ message: string; failure_type: string }> {
  return ofType(result.messages, 'TRACE').flatMap((message) => {
    const trace = message.trace as { type: string; error?: { message: string; failure_type: string } };
    const error = trace.error;
    return trace.type === 'ERROR' && error !== undefined
      ? [{ message: error.message, failure_type: error.failure_type }]
      : [];
  });
}

export function logsOf(result: WriteResult, level?: string): string[] {
  return ofType(result.messages, 'LOG').flatMap((message) => {
    const log = message.log as { level: string; message: string };
    return level === undefined || log.level === level ? [log.message] : [];
  });
}

/** The operations of a discover's DESTINATION_CATALOG (none when there is no such message). */
export function operationsOf(result: WriteResult): Array<Record<string, unknown>> {
  const catalog = ofType(result.messages, 'DESTINATION_CATALOG')[0]?.destination_catalog as
    | { operations?: Array<Record<string, unknown>> }
    | undefined;
  return catalog?.operations ?? [];
}

/** For a test file: starts Track API simulators, each closed when the test that started it ends. */
export function simulatorPerTest(): (options?: TrackSimulatorOptions) => Promise<TrackSimulator> {
  const started: TrackSimulator[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((simulator) => simulator.close()));
  });
  return async (options = {}) => {
    const simulator = await startTrackSimulator(options);
    started.push(simulator);
    return simulator;
  };
}
