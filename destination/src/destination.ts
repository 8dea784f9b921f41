import { asConnectorError, ConfigError } from '@cio-connectors/kit/errors';
import type { Emitter } from '@cio-connectors/kit/protocol';
import { createAppClient, listObjectTypes } from './app-client.js';
import { parseConfig } from './config.js';
import { destinationOperation, type ObjectType, OPERATIONS, typedOperations } from './operations.js';
import { connectionSpecification, DOCUMENTATION_URL, TRACK_HOSTS } from './spec.js';
import { askRegion, createTrackClient, trackBaseUrl } from './track-client.js';
import type { WriteTuning } from './tuning.js';

const CHECK_ATTEMPT_MS = 10_000;

export async function spec(emitter: Emitter): Promise<void> {
  await emitter.emit({
    type: 'SPEC',
    spec: {
      documentationUrl: DOCUMENTATION_URL,
      connectionSpecification,
      protocol_version: '0.5.2',
      supported_destination_sync_modes: ['append', 'append_dedup', 'update', 'soft_delete', 'overwrite'],
    },
  });
}

/**
 * `check` answers the region question (what the Track key pair's workspace says of itself, against the
 * config), then, when an App API key is configured, whether the App API takes it (it lists the object types).
 */
export async function check(loadConfig: () => unknown, emitter: Emitter, tuning: WriteTuning): Promise<void> {
  let message: string;
  let ok = false;
  try {
    const config = parseConfig(loadConfig());
    emitter.addSecret(config.trackApiKey);
    if (config.app !== undefined) emitter.addSecret(config.app.apiKey);
    const where = config.baseUrl ?? TRACK_HOSTS[config.region ?? 'US'];
    // A check answers within about half a minute, even from a host that never answers: 3 attempts of 10 s.
    const quick = {
      ...tuning,
      maxRetries: Math.min(tuning.maxRetries ?? 2, 2),
      timeoutMs: Math.min(tuning.timeoutMs ?? CHECK_ATTEMPT_MS, CHECK_ATTEMPT_MS),
    };
    const account = await askRegion(createTrackClient(config, where, quick));
    if (config.region !== undefined && account.region !== config.region)
      throw new ConfigError(
        `These Track API credentials belong to a workspace in the ${account.region} data center, but "region" is ${config.region}: set "region" to ${account.region}, or leave it empty.`,
      );
    message = `Track API credentials accepted: the workspace is in the ${account.region} data center (${config.baseUrl ?? TRACK_HOSTS[account.region]}).`;
    for (const warning of config.warnings) await emitter.log('WARN', warning);
    if (config.app !== undefined) {
      const types = await listObjectTypes(createAppClient(config.app, account.region, quick));
      message += ` App API key accepted: ${types.length} object type(s).`;
    }
    ok = true;
  } catch (error) {
    message = asConnectorError(error).message;
  }
  await emitter.emit({
    type: 'CONNECTION_STATUS',
    connectionStatus: { status: ok ? 'SUCCEEDED' : 'FAILED', message },
  });
}

/** The operations; with an App API key, also `object_<type>` and `relationship_<type>` for each object type. */
export async function discover(rawConfig: unknown, emitter: Emitter, tuning: WriteTuning): Promise<void> {
  const config = parseConfig(rawConfig);
  emitter.addSecret(config.trackApiKey);
  let types: ObjectType[] = [];
  if (config.app !== undefined) {
    emitter.addSecret(config.app.apiKey);
    // An empty region is asked of Track first: the App API host is the workspace's region's.
    const region =
      config.region ??
      (config.app.baseUrl === undefined ? (await trackBaseUrl(config, tuning)).asked?.region : undefined);
    types = await listObjectTypes(createAppClient(config.app, region ?? 'US', tuning));
  }
  await emitter.emit({
    type: 'DESTINATION_CATALOG',
    destination_catalog: { operations: [...OPERATIONS, ...typedOperations(types)].map(destinationOperation) },
  });
}
