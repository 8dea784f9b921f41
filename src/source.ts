import { resolveCatalog } from './catalog.js';
import { parseConfig, type SourceConfig } from './config.js';
import { asConnectorError } from './errors.js';
import { type ClientOptions, CustomerIoClient } from './http-client.js';
import { forbiddenStreams } from './probes.js';
import type { Emitter } from './protocol.js';
import { readStreams } from './read.js';
import { connectionSpecification, DOCUMENTATION_URL } from './spec.js';
import { StateManager } from './state.js';
import { allStreams } from './streams/index.js';

/** Knobs that are not part of the spec: tests and benchmarks shorten waits through the environment. */
export type ClientTuning = Pick<ClientOptions, 'timeoutMs' | 'maxRetries' | 'retryBaseMs' | 'quotaBackoffMs'>;

function createClient(config: SourceConfig, tuning: ClientTuning): CustomerIoClient {
  return new CustomerIoClient({
    baseUrl: config.baseUrl,
    apiKey: config.appApiKey,
    requestsPerSecond: config.requestsPerSecond,
    ...tuning,
  });
}

export async function spec(emitter: Emitter): Promise<void> {
  await emitter.emit({
    type: 'SPEC',
    spec: { documentationUrl: DOCUMENTATION_URL, connectionSpecification, protocol_version: '0.5.2' },
  });
}

/** Always ends with exactly one CONNECTION_STATUS; never throws. */
export async function check(
  loadConfig: () => unknown,
  emitter: Emitter,
  tuning: ClientTuning,
): Promise<void> {
  try {
    const config = parseConfig(loadConfig());
    emitter.addSecret(config.appApiKey);
    // A check should answer in seconds, not wait out a long outage.
    const client = createClient(config, { ...tuning, maxRetries: Math.min(tuning.maxRetries ?? 2, 2) });
    await client.get('/v1/workspaces');
    const forbidden = await forbiddenStreams(client);
    if (forbidden.length === 0) {
      await emitter.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } });
      return;
    }
    const warning = `The App API key works, but its scope does not cover these streams (403): ${forbidden.join(', ')}. Deselect them, or use a key with read access to them (or allow this machine in the account's IP allowlist).`;
    await emitter.log('WARN', warning);
    await emitter.emit({
      type: 'CONNECTION_STATUS',
      connectionStatus: { status: 'SUCCEEDED', message: warning },
    });
  } catch (error) {
    const failure = asConnectorError(error);
    await emitter.emit({
      type: 'CONNECTION_STATUS',
      connectionStatus: { status: 'FAILED', message: failure.message },
    });
  }
}

export async function discover(rawConfig: unknown, emitter: Emitter): Promise<void> {
  parseConfig(rawConfig);
  await emitter.emit({
    type: 'CATALOG',
    catalog: { streams: allStreams().map((stream) => stream.asAirbyteStream()) },
  });
}

/** Returns whether every configured stream completed. */
export async function read(
  rawConfig: unknown,
  rawCatalog: unknown,
  stateText: string | undefined,
  emitter: Emitter,
  tuning: ClientTuning,
): Promise<boolean> {
  const config = parseConfig(rawConfig);
  emitter.addSecret(config.appApiKey);
  const configured = resolveCatalog(rawCatalog, allStreams());
  const states = StateManager.parse(stateText);
  const client = createClient(config, tuning);
  return readStreams(
    configured,
    {
      client,
      config,
      partitionConcurrency: Math.min(16, Math.max(2, Math.ceil(config.requestsPerSecond))),
      now: Math.floor(Date.now() / 1000),
    },
    emitter,
    states,
  );
}
