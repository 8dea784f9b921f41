import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAjv } from '@cio-connectors/kit/config-checks';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { AirbyteMessage, StreamStateMessage } from '@cio-connectors/kit/protocol';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CONNECTOR = join(ROOT, 'dist', 'main.js');
/** The official Airbyte protocol schema, kept in the repo (see its header for source and licence). */
export const PROTOCOL_YAML = join(ROOT, 'integration_tests', 'protocol', 'airbyte_protocol.yaml');

export interface RunResult {
  messages: AirbyteMessage[];
  lines: string[];
  stderr: string;
  exitCode: number | null;
}

export interface RunInput {
  config?: unknown;
  catalog?: unknown;
  /** Written as-is when a string (to test malformed files), as JSON otherwise. */
  state?: unknown;
  env?: Record<string, string>;
  /** Kill the connector once this many stdout lines were read. */
  killAfterLines?: number;
  /** Kill the connector at the first stdout line that matches; the lines after it are dropped. */
  killWhen?: (line: string) => boolean;
}

/** Ten streams of one list request each: a catalog for scenarios about the host, not the data. */
export const TEN_LIST_STREAMS: readonly string[] = [
  'campaigns',
  'broadcasts',
  'newsletters',
  'segments',
  'exports',
  'collections',
  'snippets',
  'workspaces',
  'subscription_topics',
  'reporting_webhooks',
];

/** Test-friendly retry timings: the real defaults wait seconds to minutes. */
export const FAST_RETRIES = { CIO_RETRY_BASE_MS: '20', CIO_QUOTA_BACKOFF_MS: '50', CIO_MAX_RETRIES: '4' };

/** Runs the built connector as a child process, writing config/catalog/state to temp files. */
export async function runConnector(
  command: string,
  input: RunInput = {},
  extraArgs: string[] = [],
): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cio-e2e-'));
  const args = [CONNECTOR, ...(command === '' ? [] : [command]), ...extraArgs];
  const write = (name: string, value: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };
  if (input.config !== undefined) args.push('--config', write('config.json', input.config));
  if (input.catalog !== undefined) args.push('--catalog', write('catalog.json', input.catalog));
  if (input.state !== undefined) args.push('--state', write('state.json', input.state));
  try {
    return await new Promise<RunResult>((resolve, reject) => {
      const child = spawn(process.execPath, args, {
        // Every record text the connector copies from a response is checked against the record (protocol.ts).
        env: { CIO_VERIFY_RECORD_TEXTS: '1', ...process.env, ...input.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let killLimit = input.killAfterLines;
      let checkedLines = 0;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (input.killWhen !== undefined && killLimit === undefined) {
          const complete = stdout.split('\n').slice(0, -1);
          const match = complete.slice(checkedLines).findIndex(input.killWhen);
          if (match >= 0) killLimit = checkedLines + match + 1;
          checkedLines = complete.length;
        }
        if (killLimit !== undefined && stdout.split('\n').length > killLimit) child.kill('SIGKILL');
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.on('error', reject);
      child.on('close', (exitCode) => {
        let lines = stdout.split('\n');
        const complete = lines.slice(0, -1);
        lines = killLimit === undefined ? complete : complete.slice(0, killLimit);
        try {
          const result = { lines, messages: lines.map(parseLine), stderr, exitCode };
          assertFollowsProtocol(result, [command, ...extraArgs].join(' '));
          resolve(result);
        } catch (error) {
          reject(error);
        }
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseLine(line: string): AirbyteMessage {
  try {
    return JSON.parse(line) as AirbyteMessage;
  } catch {
    throw new Error(`stdout line is not JSON: ${line.slice(0, 200)}`);
  }
}

/**
 * What a destination would have committed of a run that was killed: the messages up to its last STATE. Records
 * after it were never acknowledged, so a resumed read must bring them again.
 */
export function committedPart(result: RunResult): AirbyteMessage[] {
  const lastState = result.messages.findLastIndex((message) => message.type === 'STATE');
  return result.messages.slice(0, lastState + 1);
}

/** The state Airbyte would pass to the next sync: the last STATE of each stream. */
export function finalStates(messages: AirbyteMessage[]): StreamStateMessage[] {
  const last = new Map<string, StreamStateMessage>();
  for (const message of ofType(messages, 'STATE'))
    last.set(message.state.stream.stream_descriptor.name, message.state);
  return [...last.values()].map(({ type, stream }) => ({ type, stream }));
}

export function simulatorConfig(sim: { url: string; apiKey: string }, extra: JsonObject = {}): JsonObject {
  return { app_api_key: sim.apiKey, base_url: sim.url, ...extra };
}

export function configuredCatalog(names: readonly string[], syncMode = 'full_refresh'): JsonObject {
  return {
    streams: names.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
      sync_mode: syncMode,
      destination_sync_mode: 'overwrite',
    })),
  };
}

export function ofType<T extends AirbyteMessage['type']>(
  messages: AirbyteMessage[],
  type: T,
): Extract<AirbyteMessage, { type: T }>[] {
  return messages.filter((message): message is Extract<AirbyteMessage, { type: T }> => message.type === type);
}

export function recordsOf(messages: AirbyteMessage[], stream: string): JsonObject[] {
  return ofType(messages, 'RECORD')
    .filter((message) => message.record.stream === stream)
    .map((message) => message.record.data);
}

export function statusesOf(messages: AirbyteMessage[], stream: string): string[] {
  return ofType(messages, 'TRACE').flatMap((message) =>
    message.trace.type === 'STREAM_STATUS' && message.trace.stream_status.stream_descriptor.name === stream
      ? [message.trace.stream_status.status]
      : [],
  );
}

export function statesOf(messages: AirbyteMessage[], stream: string) {
  return ofType(messages, 'STATE').filter(
    (message) => message.state.stream.stream_descriptor.name === stream,
  );
}

export function errorsOf(messages: AirbyteMessage[]) {
  return ofType(messages, 'TRACE').flatMap((message) =>
    message.trace.type === 'ERROR' ? [message.trace.error] : [],
  );
}

let protocolValidator: ValidateFunction | undefined;

/** Validates one message against the official Airbyte protocol schema. Throws when the schema cannot be loaded. */
export function officialMessageValidator(): ValidateFunction {
  if (protocolValidator !== undefined) return protocolValidator;
  const document = parseYaml(readFileSync(PROTOCOL_YAML, 'utf8')) as JsonObject;
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  ajv.addSchema(document, 'airbyte_protocol');
  const validator = ajv.getSchema('airbyte_protocol#/definitions/AirbyteMessage');
  if (validator === undefined) throw new Error(`${PROTOCOL_YAML} has no definitions/AirbyteMessage`);
  protocolValidator = validator;
  return validator;
}

const MESSAGE_KEYS: Record<AirbyteMessage['type'], string> = {
  RECORD: 'record',
  STATE: 'state',
  LOG: 'log',
  SPEC: 'spec',
  CATALOG: 'catalog',
  DESTINATION_CATALOG: 'destination_catalog',
  CONNECTION_STATUS: 'connectionStatus',
  TRACE: 'trace',
};

/** What is wrong with one stdout message: the official schema's verdict, then our stricter structural rules. */
function messageProblems(message: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const official = officialMessageValidator();
  if (!official(message)) {
    problems.push(`invalid per the official schema: ${JSON.stringify(official.errors?.slice(0, 2))}`);
  }
  const type = message.type as AirbyteMessage['type'];
  const key = MESSAGE_KEYS[type];
  if (key === undefined) problems.push(`unknown type ${String(type)}`);
  else {
    const payloads = Object.keys(message).filter((name) => name !== 'type');
    if (payloads.length !== 1 || payloads[0] !== key) problems.push(`payload keys ${payloads.join(',')}`);
  }
  if (type === 'RECORD') {
    const record = message.record as { emitted_at?: unknown; data?: unknown };
    if (!Number.isInteger(record.emitted_at)) problems.push('emitted_at is not integer ms');
    if (typeof record.data !== 'object' || record.data === null) problems.push('data not an object');
  }
  if (type === 'STATE') {
    const state = message.state as { type?: unknown; sourceStats?: { recordCount?: unknown } };
    if (state.type !== 'STREAM') problems.push(`state type ${String(state.type)}`);
    if (typeof state.sourceStats?.recordCount !== 'number') problems.push('no sourceStats.recordCount');
  }
  return problems;
}

/** Every problem of every whole stdout line of a run, each prefixed with its line number. */
export function protocolProblems(result: Pick<RunResult, 'messages'>): string[] {
  return result.messages.flatMap((message, index) =>
    messageProblems(message as unknown as Record<string, unknown>).map(
      (problem) => `line ${index}: ${problem}`,
    ),
  );
}

/** runConnector checks every run this way, so no end-to-end test can pass on output Airbyte would reject. */
function assertFollowsProtocol(result: Pick<RunResult, 'messages'>, command: string): void {
  const problems = protocolProblems(result);
  if (problems.length > 0) {
    throw new Error(
      `connector ${command} wrote ${problems.length} protocol problem(s):\n${problems.slice(0, 5).join('\n')}`,
    );
  }
}

/** Validates records the way Airbyte's acceptance tests do: strict types, and no undeclared top-level field. */
export function recordValidator(schema: JsonObject): ValidateFunction {
  const ajv = createAjv();
  return ajv.compile({ ...schema, additionalProperties: false });
}
