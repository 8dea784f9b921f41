import type { Region } from './spec.js';

/**
 * What the connector can tell from an API key without sending it. Customer.io issues, since 2026-10, private
 * `sk_` keys (every API, reading included) and public `pk_` keys (browsers and apps; they cannot read); App
 * API keys without a prefix keep working. Its SDKs read the data center from the new keys, but the format of
 * that part is not published: we take the region from a `sk_us_` / `sk_eu_` prefix and, from any other `sk_`
 * key, none (see README, "Getting an App API key").
 */
export interface KeyFacts {
  kind: 'private' | 'public' | 'app';
  /** The data center the key names; undefined when it names none we can read. */
  region: Region | undefined;
}

const REGION_PREFIX = /^[sp]k_(us|eu)_/i;

export function describeKey(key: string): KeyFacts {
  const kind = key.startsWith('sk_') ? 'private' : key.startsWith('pk_') ? 'public' : 'app';
  const code = kind === 'app' ? undefined : REGION_PREFIX.exec(key)?.[1];
  return { kind, region: code === undefined ? undefined : (code.toUpperCase() as Region) };
}

export interface RegionChoice {
  region: Region;
  /** Said to the user (WARN) when the key and `region` disagree; never contains the key. */
  warnings: string[];
}

/** `region` when set, else the key's, else US; a disagreement between the two is reported, `region` kept. */
export function chooseRegion(configured: Region | undefined, key: KeyFacts): RegionChoice {
  if (configured === undefined) return { region: key.region ?? 'US', warnings: [] };
  if (key.region === undefined || key.region === configured) return { region: configured, warnings: [] };
  return {
    region: configured,
    warnings: [
      `Config field "region" is ${configured} but the private key is ${key.region === 'EU' ? 'an' : 'a'} ${key.region} key: the ${configured} data center is used, as configured, and it answers "wrong datacenter" to a key of the other one. Set "region" to ${key.region}, or remove it to take the region from the key.`,
    ],
  };
}
