import { asConnectorError, ConfigError } from '@cio-connectors/kit/errors';
import type { Emitter } from '@cio-connectors/kit/protocol';
import { parseConfig } from './config.js';
import { destinationOperation, OPERATIONS } from './operations.js';
import { connectionSpecification, DOCUMENTATION_URL, TRACK_HOSTS } from './spec.js';
import { askRegion, createTrackClient } from './track-client.js';
import type { WriteTuning } from './tuning.js';

const CHECK_ATTEMPT_MS = 10_000;

export async function spec(emitter: Emitter): Promise<void> {
  await emitter.emit({
    type: 'SPEC',
    spec: {
      documentationUrl: DOCUMENTATION_URL,
      connectionSpecification,
      protocol_version: '0.5.2',
      supported_destination_sync_modes: ['append', 'append_dedup', 'update', 'soft_delete'],
    },
  });
}

/** `check` answers the region question: what the key pair's workspace says of itself, against the config. */
export async function check(loadConfig: () => unknown, emitter: Emitter, tuning: WriteTuning): Promise<void> {
  let message: string;
  let ok = false;
  try {
    const config = parseConfig(loadConfig());
    emitter.addSecret(config.trackApiKey);
    const where = config.baseUrl ?? TRACK_HOSTS[config.region ?? 'US'];
    // A check answers within about half a minute, even from a host that never answers: 3 attempts of 10 s.
    const client = createTrackClient(config, where, {
      ...tuning,
      maxRetries: Math.min(tuning.maxRetries ?? 2, 2),
      timeoutMs: Math.min(tuning.timeoutMs ?? CHECK_ATTEMPT_MS, CHECK_ATTEMPT_MS),
    });
    const account = await askRegion(client);
    if (config.region !== undefined && account.region !== config.region)
      throw new ConfigError(
        `These Track API credentials belong to a workspace in the ${account.region} data center, but "region" is ${config.region}: set "region" to ${account.region}, or leave it empty.`,
      );
    ok = true;
    message = `Track API credentials accepted: the workspace is in the ${account.region} data center (${config.baseUrl ?? TRACK_HOSTS[account.region]}).`;
  } catch (error) {
    message = asConnectorError(error).message;
  }
  await emitter.emit({
    type: 'CONNECTION_STATUS',
    connectionStatus: { status: ok ? 'SUCCEEDED' : 'FAILED', message },
  });
}

export async function discover(rawConfig: unknown, emitter: Emitter): Promise<void> {
  parseConfig(rawConfig);
  await emitter.emit({
    type: 'DESTINATION_CATALOG',
    destination_catalog: { operations: OPERATIONS.map(destinationOperation) },
  });
}
