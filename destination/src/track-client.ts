import { UnexpectedResponseError } from '@cio-connectors/kit/errors';
import { type ClientOptions, HttpClient } from '@cio-connectors/kit/http-client';
import type { ApiWording } from '@cio-connectors/kit/http-errors';
import type { DestinationConfig } from './config.js';
import { type Region, TRACK_HOSTS } from './spec.js';

/** What the Track API's failures say about its key pair and the destination's settings. */
export const TRACK_API_WORDING: ApiWording = {
  keyName: 'Track API key',
  rejectedKey:
    'Check "site_id" and "track_api_key": a Track API key pair from Customer.io > Settings > Workspace Settings > API and webhook credentials > Tracking API keys (not an App API key), and that "region" matches your workspace (US or EU), or leave "region" empty.',
  forbidden:
    "the Track API key pair may not write to this workspace, or your account's IP allowlist blocks this machine. Use a key pair of this workspace, or allow this machine's IP address.",
  hostSettings: '"region" or "track_base_url"',
  baseUrlSetting: '"track_base_url"',
  budgetName: 'Track API rate',
  tooLargeHint: 'Report it: Track answers are small.',
};

export type TrackClientOptions = Omit<
  ClientOptions,
  'baseUrl' | 'authorization' | 'wording' | 'requestsPerSecond'
>;

export function createTrackClient(
  config: DestinationConfig,
  baseUrl: string,
  options: TrackClientOptions = {},
) {
  const basic = Buffer.from(`${config.siteId}:${config.trackApiKey}`).toString('base64');
  return new HttpClient({
    ...options,
    baseUrl,
    authorization: `Basic ${basic}`,
    wording: TRACK_API_WORDING,
    requestsPerSecond: config.requestsPerSecond,
    userAgent: 'destination-customer-io/0.1.0',
  });
}

export interface AccountRegion {
  region: Region;
  url: string;
}

const REGION_PATH = '/api/v1/accounts/region';

/** Which data center the key pair's workspace is in: `GET /api/v1/accounts/region`, which either host answers. */
export async function askRegion(client: HttpClient): Promise<AccountRegion> {
  const { body } = await client.send(REGION_PATH, { method: 'GET' });
  const region = typeof body.region === 'string' ? body.region.toUpperCase() : undefined;
  if ((region !== 'US' && region !== 'EU') || typeof body.url !== 'string')
    throw new UnexpectedResponseError(
      `Customer.io answered GET ${REGION_PATH} without its region and url: report it.`,
      { method: 'GET', path: REGION_PATH, status: 200 },
    );
  return { region, url: body.url };
}

/** Where requests go: the override when set, else the configured region's host, else asked (on the US host). */
export async function trackBaseUrl(
  config: DestinationConfig,
  options: TrackClientOptions = {},
): Promise<{ baseUrl: string; asked: AccountRegion | undefined }> {
  if (config.baseUrl !== undefined) return { baseUrl: config.baseUrl, asked: undefined };
  if (config.region !== undefined) return { baseUrl: TRACK_HOSTS[config.region], asked: undefined };
  const asked = await askRegion(createTrackClient(config, TRACK_HOSTS.US, options));
  return { baseUrl: TRACK_HOSTS[asked.region], asked };
}
