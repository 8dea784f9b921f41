import type { ApiClient } from './api-client.js';
import { ForbiddenError, RequestCancelledError } from './errors.js';
import type { Probe, Stream } from './streams/base.js';
import { allStreams } from './streams/index.js';

interface FamilyProbe extends Probe {
  /** The streams that read this endpoint or its children, in catalog order. */
  streams: string[];
}

/**
 * One cheap request per family of streams, to tell which the key's scope forbids: each stream's probe (a child's
 * is its parent's), streams sharing one request grouped under it, in catalog order.
 */
export function familyProbes(streams: readonly Stream[]): FamilyProbe[] {
  const families = new Map<string, FamilyProbe>();
  for (const stream of streams) {
    const probe = stream.probe;
    if (probe === undefined) continue;
    const key = JSON.stringify(probe);
    const family = families.get(key) ?? { ...probe, streams: [] };
    family.streams.push(stream.name);
    families.set(key, family);
  }
  return [...families.values()];
}

export interface ProbeOutcome {
  /** Streams whose endpoints answer 403 to this key. */
  forbidden: string[];
  /** Endpoints that had not answered when the check's deadline came (`GET /v1/messages`), with their streams. */
  unanswered: Array<{ endpoint: string; streams: string[] }>;
}

/**
 * One request per family of streams, at once, through a client whose requests are cancelled at the
 * check's deadline. Failures other than 403 are left to the read, which retries them.
 */
export async function probeStreams(
  client: ApiClient,
  streams: readonly Stream[] = allStreams(),
): Promise<ProbeOutcome> {
  const probes = familyProbes(streams);
  const outcomes = await Promise.allSettled(
    probes.map((probe) =>
      client.request(probe.path, {
        ...(probe.method === undefined ? {} : { method: probe.method }),
        ...(probe.params === undefined ? {} : { params: probe.params }),
        ...(probe.body === undefined ? {} : { body: probe.body }),
      }),
    ),
  );
  const failedWith = (index: number, type: new (...args: never[]) => Error): boolean => {
    const outcome = outcomes[index];
    return outcome?.status === 'rejected' && outcome.reason instanceof type;
  };
  return {
    forbidden: probes.flatMap((probe, index) => (failedWith(index, ForbiddenError) ? probe.streams : [])),
    unanswered: probes.flatMap((probe, index) =>
      failedWith(index, RequestCancelledError)
        ? [{ endpoint: `${probe.method ?? 'GET'} ${probe.path}`, streams: probe.streams }]
        : [],
    ),
  };
}
