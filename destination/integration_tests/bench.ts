/**
 * `npm run bench:destination` (also the end of `npm run bench`): the built destination writes 1,000,000 person
 * upserts and 1,000,000 events into the Track API simulator (a separate process), at the default rate and at
 * the highest, then 100,000 objects and 1,000,000 relationships, and a bare loop posts the same batches already
 * built. Writes the "## Destination" section of
 * BENCHMARKS.md. Speed goals are checked here, as ratios within one run, never in a timed test.
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { JsonObject } from '@cio-connectors/kit/json';
import { startSimulatorProcess } from '../../integration_tests/loopback.js';
import { DESTINATION, DESTINATION_ROOT } from './harness.js';
import { DEFAULT_SITE_ID, DEFAULT_TRACK_API_KEY } from './simulator/index.js';

const ROOT = join(DESTINATION_ROOT, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 100_000);
const RELATIONSHIPS = Number(process.env.BENCH_RELATIONSHIPS ?? 1_000_000);
const STATE_EVERY = 10_000;
const out = (line = '') => process.stdout.write(`${line}\n`);

interface Simulator {
  url: string;
  stats(): Promise<{ requests: number; bytes: number; entries: number; statuses: Record<string, number> }>;
  stop(): void;
}

async function startSimulator(): Promise<Simulator> {
  const script = join(DESTINATION_ROOT, 'integration_tests/simulator/main.ts');
  // The store of two million entries needs more than the default heap.
  const { url, stop } = await startSimulatorProcess(TSX, [script, '--port', '0'], {
    NODE_OPTIONS: '--max-old-space-size=8192',
  });
  return { url, stats: async () => (await (await fetch(`${url}/__simulator/stats`)).json()) as never, stop };
}

/** The input: PEOPLE person records (about 250 bytes of attributes each), then EVENTS events, states between. */
function writeInput(path: string): number {
  const lines: string[] = [];
  const emitted = 1_790_000_000_000;
  const state = (stream: string, n: number) =>
    `{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"${stream}"},"stream_state":{"n":${n}}}}}`;
  for (let n = 1; n <= PEOPLE; n++) {
    const data = {
      person_id: `user-${n}`,
      person_email: `user.${n}@mail.example`,
      first_name: 'Ada',
      last_name: `Lovelace-${n % 997}`,
      plan: n % 3 === 0 ? 'enterprise' : 'free',
      country: 'NO',
      seats: n % 50,
      created_at: 1_700_000_000 + n,
      timestamp: 1_780_000_000 + n,
    };
    lines.push(
      `{"type":"RECORD","record":{"stream":"users","data":${JSON.stringify(data)},"emitted_at":${emitted}}}`,
    );
    if (n % STATE_EVERY === 0) lines.push(state('users', n));
  }
  for (let n = 1; n <= EVENTS; n++) {
    const data = {
      person_id: `user-${n % PEOPLE}`,
      event_name: n % 2 === 0 ? 'purchase' : 'page_viewed',
      price: n % 100,
      currency: 'EUR',
      sku: `sku-${n % 5000}`,
      timestamp: 1_780_000_000 + n,
    };
    lines.push(
      `{"type":"RECORD","record":{"stream":"events","data":${JSON.stringify(data)},"emitted_at":${emitted}}}`,
    );
    if (n % STATE_EVERY === 0) lines.push(state('events', n));
  }
  const text = `${lines.join('\n')}\n`;
  writeFileSync(path, text);
  return Buffer.byteLength(text);
}

/** OBJECTS companies (object identify), then RELATIONSHIPS person–company relationships, states between. */
function writeSurfaceInput(path: string): number {
  const lines: string[] = [];
  const emitted = 1_790_000_000_000;
  const state = (stream: string, n: number) =>
    `{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"${stream}"},"stream_state":{"n":${n}}}}}`;
  for (let n = 1; n <= OBJECTS; n++) {
    const data = {
      object_type_id: '1',
      object_id: `company-${n}`,
      name: `Company ${n}`,
      seats: n % 500,
      plan: 'team',
    };
    lines.push(
      `{"type":"RECORD","record":{"stream":"companies","data":${JSON.stringify(data)},"emitted_at":${emitted}}}`,
    );
    if (n % STATE_EVERY === 0) lines.push(state('companies', n));
  }
  for (let n = 1; n <= RELATIONSHIPS; n++) {
    const data = {
      person_id: `user-${n}`,
      object_type_id: '1',
      object_id: `company-${(n % OBJECTS) + 1}`,
      role: n % 10 === 0 ? 'admin' : 'member',
    };
    lines.push(
      `{"type":"RECORD","record":{"stream":"seats","data":${JSON.stringify(data)},"emitted_at":${emitted}}}`,
    );
    if (n % STATE_EVERY === 0) lines.push(state('seats', n));
  }
  const text = `${lines.join('\n')}\n`;
  writeFileSync(path, text);
  return Buffer.byteLength(text);
}

const SURFACE_CATALOG = {
  streams: [
    {
      stream: { name: 'companies', json_schema: {}, supported_sync_modes: ['full_refresh'] },
      sync_mode: 'full_refresh',
      destination_sync_mode: 'append_dedup',
      destination_object_name: 'object',
    },
    {
      stream: { name: 'seats', json_schema: {}, supported_sync_modes: ['full_refresh'] },
      sync_mode: 'full_refresh',
      destination_sync_mode: 'append',
      destination_object_name: 'relationship',
    },
  ],
};

const CATALOG = {
  streams: [
    {
      stream: { name: 'users', json_schema: {}, supported_sync_modes: ['full_refresh'] },
      sync_mode: 'full_refresh',
      destination_sync_mode: 'append_dedup',
      destination_object_name: 'person',
      primary_key: [['person_id']],
    },
    {
      stream: { name: 'events', json_schema: {}, supported_sync_modes: ['full_refresh'] },
      sync_mode: 'full_refresh',
      destination_sync_mode: 'append',
      destination_object_name: 'person_event',
    },
  ],
};

/** CPU ms (user + system) of this process's ended children, from /proc/self/stat (cutime, cstime). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function peakRssMb(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

interface WriteRun {
  ms: number;
  cpuMs: number;
  peakRssMb: number;
  exitCode: number | null;
  states: number;
  requests: number;
  bytes: number;
  entries: number;
  non200: number;
}

async function measuredWrite(
  sim: Simulator,
  inputPath: string,
  config: JsonObject,
  dir: string,
  catalog: JsonObject = CATALOG,
): Promise<WriteRun> {
  const configPath = join(dir, 'config.json');
  const catalogPath = join(dir, 'catalog.json');
  writeFileSync(configPath, JSON.stringify(config));
  writeFileSync(catalogPath, JSON.stringify(catalog));
  const before = await sim.stats();
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  // As the image runs it (destination/Dockerfile's NODE_OPTIONS, the bin's shebang).
  const child = spawn(
    process.execPath,
    [DESTINATION, 'write', '--config', configPath, '--catalog', catalogPath],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: { ...process.env, NODE_OPTIONS: '--max-semi-space-size=4' },
    },
  );
  createReadStream(inputPath).pipe(child.stdin);
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, peakRssMb(child.pid ?? 0));
  }, 50);
  let states = 0;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    states += chunk.split('"type":"STATE"').length - 1;
  });
  const exitCode = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearInterval(sampler);
  const ms = performance.now() - started;
  const after = await sim.stats();
  const non200 = Object.entries(after.statuses)
    .filter(([status]) => status !== '200')
    .reduce((sum, [status, count]) => sum + count - (before.statuses[status] ?? 0), 0);
  return {
    ms,
    cpuMs: childrenCpuMs() - cpuBefore,
    peakRssMb: peak,
    exitCode,
    states,
    requests: after.requests - before.requests,
    bytes: after.bytes - before.bytes,
    entries: after.entries - before.entries,
    non200,
  };
}

async function bareLoop(
  sim: Simulator,
  inputPath: string,
): Promise<{ cpuMs: number; ms: number; requests: number; parseCpuMs: number }> {
  const child = spawn(
    TSX,
    [join(DESTINATION_ROOT, 'integration_tests/bench-bare-loop.ts'), sim.url, inputPath],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let text = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  await new Promise((resolve) => child.once('close', resolve));
  const line = text.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as { cpuMs: number; ms: number; requests: number; parseCpuMs: number };
}

const rows: string[][] = [];
function row(scenario: string, metric: string, value: string, goal: string, met?: boolean): void {
  rows.push([scenario, metric, value, goal, met === undefined ? '' : met ? 'met' : '**not met**']);
  out(
    `${scenario.padEnd(34)} ${metric.padEnd(48)} ${value.padStart(14)}  ${goal} ${met === undefined ? '' : met ? '(met)' : '(NOT met)'}`,
  );
}

/** The rows every write scenario reports: all sent, requests against the byte floor, answers, states, speed, memory. */
function writeRows(scenario: string, run: WriteRun, records: number): void {
  const floor = Math.ceil(run.bytes / 450_000);
  const states = records / STATE_EVERY;
  row(
    scenario,
    'exit code, entries sent',
    `${run.exitCode}, ${run.entries}`,
    `0, ${records}`,
    run.exitCode === 0 && run.entries === records,
  );
  row(
    scenario,
    'requests (goal: bytes ÷ 450 KB, + 1%)',
    `${run.requests} (${floor})`,
    `≤ ${Math.floor(floor * 1.01)}`,
    run.requests <= floor * 1.01,
  );
  row(scenario, 'answers other than 200', String(run.non200), '0', run.non200 === 0);
  row(scenario, 'states echoed', String(run.states), String(states), run.states === states);
  row(
    scenario,
    'records/second',
    Math.round(records / (run.ms / 1000)).toLocaleString('en-US'),
    '',
    undefined,
  );
  row(scenario, 'peak RSS (MB, VmHWM)', run.peakRssMb.toFixed(0), '< 200', run.peakRssMb < 200);
}

const dir = mkdtempSync(join(tmpdir(), 'cio-destination-bench-'));
try {
  const inputPath = join(dir, 'input.jsonl');
  const inputBytes = writeInput(inputPath);
  const records = PEOPLE + EVENTS;
  out(
    `Input: ${PEOPLE} person upserts and ${EVENTS} events, ${(inputBytes / 1e6).toFixed(0)} MB of messages.`,
  );
  const runs: Array<[string, number]> = [
    ['default rate (100 requests/s)', 100],
    ['highest rate (1000 requests/s)', 1000],
  ];
  let lastCpuMs = 0;
  for (const [name, rate] of runs) {
    const sim = await startSimulator();
    try {
      const config = {
        site_id: DEFAULT_SITE_ID,
        track_api_key: DEFAULT_TRACK_API_KEY,
        track_base_url: sim.url,
        requests_per_second: rate,
      };
      const run = await measuredWrite(sim, inputPath, config, dir);
      const scenario = `D1 write, ${name}`;
      writeRows(scenario, run, records);
      row(scenario, 'wall time (s)', (run.ms / 1000).toFixed(1), '', undefined);
      row(scenario, 'connector CPU time (s)', (run.cpuMs / 1000).toFixed(1), '', undefined);
      lastCpuMs = run.cpuMs;
    } finally {
      sim.stop();
    }
  }
  const surfacePath = join(dir, 'surface.jsonl');
  const surfaceBytes = writeSurfaceInput(surfacePath);
  out(
    `Input: ${OBJECTS} objects and ${RELATIONSHIPS} relationships, ${(surfaceBytes / 1e6).toFixed(0)} MB of messages.`,
  );
  const surfaceSim = await startSimulator();
  try {
    const config = {
      site_id: DEFAULT_SITE_ID,
      track_api_key: DEFAULT_TRACK_API_KEY,
      track_base_url: surfaceSim.url,
      requests_per_second: 1000,
    };
    const run = await measuredWrite(surfaceSim, surfacePath, config, dir, SURFACE_CATALOG);
    const scenario = 'D3 objects and relationships, 1000/s';
    const summary = (await (await fetch(`${surfaceSim.url}/__simulator/stats`)).json()) as {
      summary: { objects: number; relationships: number };
    };
    writeRows(scenario, run, OBJECTS + RELATIONSHIPS);
    row(
      scenario,
      'objects, relationships stored',
      `${summary.summary.objects}, ${summary.summary.relationships}`,
      `${OBJECTS}, ${RELATIONSHIPS}`,
      summary.summary.objects === OBJECTS && summary.summary.relationships === RELATIONSHIPS,
    );
  } finally {
    surfaceSim.stop();
  }

  const sim = await startSimulator();
  try {
    const loop = await bareLoop(sim, inputPath);
    const ratio = lastCpuMs / loop.cpuMs;
    row('D2 CPU against a bare loop', 'bare loop: requests', String(loop.requests), '', undefined);
    row(
      'D2 CPU against a bare loop',
      'bare loop CPU time posting (s)',
      (loop.cpuMs / 1000).toFixed(1),
      '',
      undefined,
    );
    row(
      'D2 CPU against a bare loop',
      'connector ÷ bare loop (CPU time)',
      ratio.toFixed(2),
      '≤ 1.5',
      ratio <= 1.5,
    );
    const floor = loop.cpuMs + loop.parseCpuMs;
    const scenario = 'D2 CPU against a bare loop';
    row(
      scenario,
      'reading and parsing the input alone: CPU (s)',
      (loop.parseCpuMs / 1000).toFixed(1),
      '',
      undefined,
    );
    row(scenario, 'connector ÷ (parsing + bare loop)', (lastCpuMs / floor).toFixed(2), '', undefined);
  } finally {
    sim.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const path = join(ROOT, 'BENCHMARKS.md');
const previous = readFileSync(path, 'utf8');
const start = previous.indexOf('\n## Destination');
const kept = start === -1 ? previous.trimEnd() : previous.slice(0, start).trimEnd();
const section = [
  '## Destination',
  '',
  `Written by \`npm run bench:destination\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}: the built destination writes ${PEOPLE.toLocaleString('en-US')} person upserts and ${EVENTS.toLocaleString('en-US')} events (one input, a state every ${STATE_EVERY.toLocaleString('en-US')} records), then ${OBJECTS.toLocaleString('en-US')} objects and ${RELATIONSHIPS.toLocaleString('en-US')} relationships, into the Track API simulator, which has no rate limit; the connector paces itself at the configured rate. The bare loop (\`destination/integration_tests/bench-bare-loop.ts\`) posts the same batches, built before its clock starts, 8 at a time with the same HTTP client; its CPU is measured over the posting only, the connector's over its whole run (start-up, reading stdin, building entries, ids, checks, states).`,
  '',
  '| scenario | metric | value | goal | |',
  '|---|---|---|---|---|',
  ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  '',
  'Notes. The request goal is met with room: bodies are packed to 480,000 bytes, so requests are about the bytes ÷ 480 KB. Peak RSS is measured as the image runs the connector (NODE_OPTIONS=--max-semi-space-size=4; about 210-230 MB without it). The CPU goal against the bare posting loop is not met, and cannot be while the loop does no per-record work: reading and JSON-parsing the input alone costs more CPU than posting the built batches, and the connector also builds each entry (identifiers, attributes, limits, time conversion), hashes an id for each event, serializes it and keeps the states; the profile (2026-12-06) has JSON.parse of the input lines ~17%, JSON.stringify of the entries ~8%, garbage collection ~9%, sha256 ~5%, the rest spread thin. The ratio to parsing plus posting is the figure to watch.',
];
writeFileSync(path, `${kept}\n\n${section.join('\n')}\n`);
out('\nThe "Destination" section of BENCHMARKS.md is written.');
