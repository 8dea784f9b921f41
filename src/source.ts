import type { Emitter } from '@cio-connectors/kit/protocol';
import { airbyteStream, cursorFieldWarnings, resolveCatalog } from './catalog.js';
import { EVERYONE_FILTER, parseConfig, type SourceConfig } from './config.js';
import { asConnectorError, RequestCancelledError } from './errors.js';
import { CustomerIoClient } from './http-client.js';
import { probeStreams } from './probes.js';
import { readStreams } from './read.js';
import { connectionSpecification, DOCUMENTATION_URL } from './spec.js';
import { StateManager } from './state.js';
import { allStreams } from './streams/index.js';
import type { RunTuning } from './tuning.js';

const CHECK_DEADLINE_MS = 30_000;
/** Per attempt in `check`: three attempts fit in its deadline. */
const CHECK_ATTEMPT_MS = 10_000;

function createClient(config: SourceConfig, tuning: RunTuning): CustomerIoClient {
  const {
    checkDeadlineMs: _checkOnly,
    checkpointRecords: _readOnly,
    progressLogMs: _logOnly,
    verifyRecordTexts: _emitterOnly,
    exportPollMs: _poll,
    exportMaxWaitMs: _maxWait,
    exportProgressMs: _progress,
    ...clientTuning
  } = tuning;
  return new CustomerIoClient({
    baseUrl: config.baseUrl,
    apiKey: config.appApiKey,
    requestsPerSecond: config.requestsPerSecond,
    ...clientTuning,
  });
}

export async function spec(emitter: Emitter): Promise<void> {
  await emitter.emit({
    type: 'SPEC',
    spec: { documentationUrl: DOCUMENTATION_URL, connectionSpecification, protocol_version: '0.5.2' },
  });
}

/**
 * Always ends with exactly one CONNECTION_STATUS; never throws. Its requests share one short deadline: one
 * that has not answered by then is reported, not waited on.
 */
export async function check(loadConfig: () => unknown, emitter: Emitter, tuning: RunTuning): Promise<void> {
  const deadlineMs = tuning.checkDeadlineMs ?? CHECK_DEADLINE_MS;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), deadlineMs);
  const seconds = Math.round(deadlineMs / 1000);
  try {
    const config = parseConfig(loadConfig());
    emitter.addSecret(config.appApiKey);
    const client = createClient(config, {
      ...tuning,
      maxRetries: Math.min(tuning.maxRetries ?? 2, 2),
      timeoutMs: Math.min(tuning.timeoutMs ?? CHECK_ATTEMPT_MS, deadlineMs),
    }).scoped({ signal: deadline.signal, stream: 'check' });
    await client.get('/v1/workspaces');
    // Customer.io checks a filter when it is used: one search page tries it, so read does not fail on it later.
    if (JSON.stringify(config.customersFilter) !== JSON.stringify(EVERYONE_FILTER))
      await client.request('/v1/customers', {
        method: 'POST',
        params: { limit: 1 },
        body: { filter: config.customersFilter },
      });
    const { forbidden, unanswered } = await probeStreams(client);
    const warnings: string[] = [...config.warnings];
    if (forbidden.length > 0) {
      warnings.push(
        `The App API key works, but its scope does not cover these streams (403): ${forbidden.join(', ')}. Deselect them, or use a key with read access to them (or allow this machine in the account's IP allowlist).`,
      );
    }
    if (unanswered.length > 0) {
      const list = unanswered.map(({ endpoint, streams }) => `${endpoint} (${streams.join(', ')})`);
      warnings.push(
        `Customer.io did not answer these requests within the check's ${seconds} s, so the key's access to them is unknown: ${list.join('; ')}.`,
      );
    }
    for (const warning of warnings) await emitter.log('WARN', warning);
    await emitter.emit({
      type: 'CONNECTION_STATUS',
      connectionStatus: {
        status: 'SUCCEEDED',
        ...(warnings.length === 0 ? {} : { message: warnings.join(' ') }),
      },
    });
  } catch (error) {
    const failure = asConnectorError(error);
    const message =
      failure instanceof RequestCancelledError && deadline.signal.aborted
        ? `Customer.io did not answer GET /v1/workspaces within the check's ${seconds} s. This is usually temporary; if it persists, check "region" or "base_url" and this machine's network path (DNS, proxy, firewall).`
        : failure.message;
    await emitter.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message } });
  } finally {
    clearTimeout(timer);
  }
}

export async function discover(rawConfig: unknown, emitter: Emitter): Promise<void> {
  parseConfig(rawConfig);
  await emitter.emit({
    type: 'CATALOG',
    catalog: { streams: allStreams().map(airbyteStream) },
  });
}

/** Returns whether every configured stream completed. */
export async function read(
  rawConfig: unknown,
  rawCatalog: unknown,
  stateText: string | undefined,
  emitter: Emitter,
  tuning: RunTuning,
): Promise<boolean> {
  const config = parseConfig(rawConfig);
  emitter.addSecret(config.appApiKey);
  for (const warning of config.warnings) await emitter.log('WARN', warning);
  const configured = resolveCatalog(rawCatalog, allStreams());
  if (configured.length === 0)
    await emitter.log(
      'WARN',
      'The configured catalog selects no stream, so nothing is read: select streams (discover lists them).',
    );
  for (const warning of cursorFieldWarnings(rawCatalog, configured)) await emitter.log('WARN', warning);
  const states = StateManager.parse(stateText);
  for (const warning of states.duplicateWarnings()) await emitter.log('WARN', warning);
  const client = createClient(config, tuning);
  return readStreams(
    configured,
    {
      client,
      config,
      partitionConcurrency: Math.min(16, Math.max(2, Math.ceil(config.requestsPerSecond))),
      now: Math.floor(Date.now() / 1000),
      tuning,
    },
    emitter,
    states,
    {
      ...(tuning.checkpointRecords === undefined ? {} : { records: tuning.checkpointRecords }),
      ...(tuning.progressLogMs === undefined ? {} : { progressLogMs: tuning.progressLogMs }),
      ...(tuning.concurrentStreams === undefined ? {} : { concurrentStreams: tuning.concurrentStreams }),
    },
  );
}
