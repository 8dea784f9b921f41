/**
 * Benchmark scenario 10 (run by `npm run bench`, alone with `npm run bench -- per-person`): the four per-person
 * streams read in bulk and person by person, a full read and a daily incremental one, counting requests by path
 * in an in-process simulator and records as they stream from the connector (never held: a digest per stream).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { JsonObject } from '@cio-connectors/kit/json';
import { CONNECTOR } from './harness.js';
import { allPeople, type Simulator, startSimulator, WORKSPACE_NOW } from './simulator/index.js';

type Row = (scenario: string, metric: string, value: string, goal: string, met: boolean | undefined) => void;

const DAY = 86_400;
const STREAMS = [
  ['customer_segments', 'full_refresh'],
  ['customer_activities', 'incremental'],
  ['customer_messages', 'incremental'],
  ['customer_relationships', 'full_refresh'],
] as const;

interface Measured {
  ms: number;
  exitCode: number | null;
  peakRssMb: number;
  /** Records and an order-independent digest of their data, per stream. */
  streams: Map<string, { records: number; digest: bigint; unnamed: number }>;
  /** Requests by the stream that made them (from the connector's own request paths). */
  requests: Map<string, number>;
  states: JsonObject[];
}

/** Sorted keys all the way down, so two methods' records compare whatever their key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, inner]) => [key, canonical(inner)]),
  );
}

function rssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Which per-person stream a request path serves (the people search and lookups count for the stream reading). */
function streamOfPath(path: string, reading: string): string {
  if (/^\/v1\/customers\/[^/]+\/segments$|^\/v1\/segments/.test(path)) return 'customer_segments';
  if (/^\/v1\/customers\/[^/]+\/activities$|^\/v1\/activities$/.test(path)) return 'customer_activities';
  if (/^\/v1\/customers\/[^/]+\/messages$|^\/v1\/messages$/.test(path)) return 'customer_messages';
  if (/relationships$|^\/v1\/objects|^\/v1\/object_types$/.test(path)) return 'customer_relationships';
  return reading;
}

async function measure(
  sim: Simulator,
  streamsRead: ReadonlyArray<(typeof STREAMS)[number]>,
  config: JsonObject,
  state?: JsonObject[],
): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'cio-bench-pp-'));
  const write = (name: string, value: unknown) => {
    writeFileSync(join(dir, name), JSON.stringify(value));
    return join(dir, name);
  };
  const catalog = {
    streams: streamsRead.map(([name, mode]) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
      sync_mode: mode,
      destination_sync_mode: 'overwrite',
    })),
  };
  const args = [
    CONNECTOR,
    'read',
    '--config',
    write('config.json', config),
    '--catalog',
    write('c.json', catalog),
  ];
  if (state !== undefined) args.push('--state', write('state.json', state));
  sim.resetStats();
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let peakRssMb = 0;
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, rssMb(child.pid));
  }, 100);
  const streams = new Map<string, { records: number; digest: bigint; unnamed: number }>();
  const requests = new Map<string, number>();
  const lastState = new Map<string, JsonObject>();
  let reading = '';
  let logged = 0;
  const countRequests = () => {
    const log = sim.stats.log;
    for (; logged < log.length; logged++) {
      const stream = streamOfPath(log[logged]?.path ?? '', reading);
      requests.set(stream, (requests.get(stream) ?? 0) + 1);
    }
    // The log is only for counting: keep it from growing with a million requests.
    if (log.length > 100_000) {
      log.splice(0, log.length);
      logged = 0;
    }
  };
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('{"type":"RECORD"')) {
      const { record } = JSON.parse(line) as { record: { stream: string; data: JsonObject } };
      const hash = createHash('sha256')
        .update(JSON.stringify(canonical(record.data)))
        .digest();
      const entry = streams.get(record.stream) ?? { records: 0, digest: 0n, unnamed: 0 };
      entry.records += 1;
      // Deliveries that name no person are read only per person (README): compared apart.
      if (record.data.customer_identifiers === null && record.data.customer_id === null) entry.unnamed += 1;
      else entry.digest = (entry.digest + hash.readBigUInt64BE(0)) & 0xffff_ffff_ffff_ffffn;
      streams.set(record.stream, entry);
    } else if (line.startsWith('{"type":"TRACE"')) {
      const message = JSON.parse(line) as {
        trace: { stream_status?: { stream_descriptor: { name: string } } };
      };
      const name = message.trace.stream_status?.stream_descriptor.name;
      if (name !== undefined) {
        countRequests();
        reading = name;
      }
    } else if (line.startsWith('{"type":"STATE"')) {
      const message = JSON.parse(line) as {
        state: JsonObject & { stream: { stream_descriptor: { name: string } } };
      };
      lastState.set(message.state.stream.stream_descriptor.name, message.state);
    }
    if (sim.stats.log.length - logged > 10_000) countRequests();
  }
  const exitCode = await new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('close', resolve);
  });
  clearInterval(sampler);
  countRequests();
  rmSync(dir, { recursive: true, force: true });
  return {
    ms: performance.now() - started,
    exitCode,
    peakRssMb,
    streams,
    requests,
    states: [...lastState.values()],
  };
}

/** The state of a sync made a day before the simulated workspace's "now": what a daily sync starts from. */
function dayOldStates(states: readonly JsonObject[]): JsonObject[] {
  const dayAgo = WORKSPACE_NOW - DAY;
  return states.map((state) => {
    const stream = state.stream as { stream_descriptor: { name: string }; stream_state?: JsonObject };
    const saved = stream.stream_state ?? {};
    const moved: JsonObject = { ...saved };
    if ('created' in saved) moved.created = dayAgo;
    if ('timestamp' in saved) moved.timestamp = dayAgo;
    return { ...state, stream: { ...stream, stream_state: moved } };
  });
}

export interface PerPersonBenchOptions {
  people: number;
  segments: number;
  deliveries: number;
  activities: number;
  /** Also read person by person (hours at a million people; minutes at 100,000). */
  perPerson: boolean;
  /** Only these of the four streams (all four when absent). */
  streams?: readonly string[];
}

export async function perPersonStreams(row: Row, options: PerPersonBenchOptions): Promise<void> {
  const scenario = `10 per-person streams (${options.people.toLocaleString('en')} people, ${options.segments} segments)`;
  const generating = performance.now();
  const sim = await startSimulator({
    requestsPerSecond: null,
    workspace: {
      people: options.people,
      segments: options.segments,
      deliveries: options.deliveries,
      deliveryDays: 730,
      activities: options.activities,
    },
  });
  const people = allPeople(sim.workspace).length;
  row(
    scenario,
    'workspace: people found, deliveries (2 years), activities (40 days)',
    `${people}, ${sim.workspace.deliveries.length}, ${sim.workspace.activities.length}`,
    `generated in ${((performance.now() - generating) / 1000).toFixed(1)} s`,
    undefined,
  );
  // Two years back: the deliveries' history, and five windows a person rather than thirty from 2012.
  const startDate = new Date((WORKSPACE_NOW - 731 * DAY) * 1000).toISOString().replace('.000', '');
  const config = (method: string) => ({
    app_api_key: sim.apiKey,
    base_url: sim.url,
    requests_per_second: 1000,
    start_date: startDate,
    per_person_method: method,
  });
  const runs = new Map<string, { full: Measured; daily: Measured }>();
  const streamsRead = STREAMS.filter(([name]) => options.streams?.includes(name) ?? true);
  try {
    for (const method of options.perPerson ? ['bulk', 'per_person'] : ['bulk']) {
      const full = await measure(sim, streamsRead, config(method));
      const daily = await measure(sim, streamsRead, config(method), dayOldStates(full.states));
      runs.set(method, { full, daily });
      for (const [name, read] of [
        ['full', full],
        ['daily incremental', daily],
      ] as const) {
        for (const [stream] of streamsRead) {
          const requests = read.requests.get(stream) ?? 0;
          const goal = name === 'full' ? people / 10 : people / 100;
          const records = read.streams.get(stream)?.records ?? 0;
          row(
            scenario,
            `${method} ${name}: ${stream} requests (records)`,
            `${requests} (${records})`,
            method === 'bulk' ? `≤ ${goal.toLocaleString('en')}` : '',
            method === 'bulk' ? requests <= goal : undefined,
          );
        }
        row(
          scenario,
          `${method} ${name}: wall time (s), peak RSS (MB)`,
          `${(read.ms / 1000).toFixed(1)}, ${read.peakRssMb.toFixed(0)}`,
          `exit ${read.exitCode}`,
          read.exitCode === 0,
        );
      }
    }
    const bulk = runs.get('bulk');
    const perPerson = runs.get('per_person');
    if (bulk !== undefined && perPerson !== undefined) {
      for (const [stream] of streamsRead) {
        const a = bulk.full.streams.get(stream);
        const b = perPerson.full.streams.get(stream);
        const named = (entry: typeof a) => (entry?.records ?? 0) - (entry?.unnamed ?? 0);
        const same = named(a) === named(b) && a?.digest === b?.digest;
        const unnamed = b?.unnamed ? ` (per_person also: ${b.unnamed} deliveries naming no person)` : '';
        row(
          scenario,
          `${stream}: bulk records = per_person records`,
          same ? `same${unnamed}` : `${named(a)} vs ${named(b)}`,
          'same',
          same,
        );
      }
    }
  } finally {
    await sim.close();
  }
}
