/**
 * `npm run bench`: runs the built connector as a child process against the simulator (itself a separate
 * process) in nine scenarios, prints a table and writes it to BENCHMARKS.md. Speed goals are checked here, as
 * ratios within one run, never in a timed test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { JsonObject } from '@cio-connectors/kit/json';
import { fullCatalog } from './bench-full-catalog.js';
import { perPersonStreams } from './bench-per-person.js';
import { perPersonResume, stateSize } from './bench-state.js';
import { CONNECTOR, configuredCatalog, ROOT, TEN_LIST_STREAMS } from './harness.js';
import { startSimulatorProcess as startSimulator } from './loopback.js';
import { WORKSPACE_NOW } from './simulator/time.js';

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const RECORD_MARK = Buffer.from('{"type":"RECORD"');
const API_KEY = 'bench-app-api-key-0123456789';
const out = (line = '') => process.stdout.write(`${line}\n`);

interface SimulatorProcess {
  url: string;
  stats: () => Promise<{ requests: number; rateLimited: number }>;
  stop: () => void;
}

async function startSimulatorProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SimulatorProcess> {
  const script = join(ROOT, 'integration_tests/simulator/main.ts');
  const { url, stop } = await startSimulator(
    TSX,
    [script, '--port', '0', '--api-key', API_KEY, ...args],
    env,
  );
  return {
    url,
    stats: async () =>
      (await (await fetch(`${url}/__simulator/stats`)).json()) as { requests: number; rateLimited: number },
    stop,
  };
}

/** The process's peak RSS so far (VmHWM), in MB: sampled, it misses no spike between samples. */
function peakRssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds (user + system) of this process's children that have ended and been waited for, from
 * /proc/self/stat: the difference across one connector run is that run's CPU time, whatever else the
 * machine is doing (the simulator, still running, is not counted until it ends).
 */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of proc(5) (cutime, cstime), in clock ticks of 10 ms.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

interface ReadResult {
  ms: number;
  /** The connector's CPU time (user + system), start-up included. */
  cpuMs: number;
  records: number;
  exitCode: number | null;
  peakRssMb: number;
  rssAtMb: Map<number, number>;
}

/** Runs `read`, counting RECORD lines as they stream and sampling the connector's RSS. */
async function measuredRead(
  config: JsonObject,
  catalog: JsonObject,
  state?: unknown,
  rssMarks: number[] = [],
): Promise<ReadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cio-bench-'));
  const write = (name: string, value: unknown) => {
    writeFileSync(join(dir, name), JSON.stringify(value));
    return join(dir, name);
  };
  const args = [
    CONNECTOR,
    'read',
    '--config',
    write('config.json', config),
    '--catalog',
    write('catalog.json', catalog),
  ];
  if (state !== undefined) args.push('--state', write('state.json', state));
  const started = performance.now();
  const cpuBefore = childrenCpuMs();
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let records = 0;
  let carry: Buffer = Buffer.alloc(0);
  let peakRssMb = 0;
  const rssAtMb = new Map<number, number>();
  const marks = [...rssMarks];
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, peakRssOf(child.pid ?? 0));
  }, 25);
  // Counted on raw bytes, so the consumer costs the machine as little CPU as possible.
  child.stdout?.on('data', (chunk: Buffer) => {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let at = data.indexOf(RECORD_MARK);
    let last = 0;
    while (at !== -1) {
      records += 1;
      last = at + RECORD_MARK.length;
      at = data.indexOf(RECORD_MARK, last);
    }
    carry = data.subarray(Math.max(last, data.length - RECORD_MARK.length + 1));
    while (marks.length > 0 && records >= (marks[0] ?? 0)) {
      const rss = rssMb(child.pid ?? 0);
      rssAtMb.set(marks.shift() ?? 0, rss);
      peakRssMb = Math.max(peakRssMb, rss);
    }
  });
  const exitCode = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearInterval(sampler);
  const ms = performance.now() - started;
  return { ms, cpuMs: childrenCpuMs() - cpuBefore, records, exitCode, peakRssMb, rssAtMb };
}

async function minimalLoop(
  url: string,
): Promise<{ records: number; requests: number; ms: number; cpuMs: number }> {
  const child = spawn(TSX, [join(ROOT, 'integration_tests/bench-minimal-loop.ts'), url, API_KEY], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  await new Promise((resolve) => child.once('close', resolve));
  return JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as {
    records: number;
    requests: number;
    ms: number;
    cpuMs: number;
  };
}

const rows: string[][] = [];
const row = (scenario: string, metric: string, value: string, goal: string, met: boolean | undefined) => {
  rows.push([scenario, metric, value, goal, met === undefined ? '' : met ? 'met' : '**not met**']);
  out(
    `${scenario.padEnd(40)} ${metric.padEnd(48)} ${value.padStart(14)}  ${goal} ${met === undefined ? '' : met ? '✔' : '✘'}`,
  );
};
const config = (url: string, extra: JsonObject = {}) => ({ app_api_key: API_KEY, base_url: url, ...extra });

// `npm run bench -- customers-export` runs scenario 7 alone and prints it; BENCHMARKS.md is left as it is.
if (process.argv.includes('customers-export')) {
  await customersByExport();
  process.exit(0);
}
// `npm run bench -- state` runs scenarios 8 and 9 alone, the same way.
if (process.argv.includes('state')) {
  await stateSize(row);
  await perPersonResume(row);
  process.exit(0);
}
// `npm run bench -- throughput` runs scenarios 2 and 3 alone, the same way.
if (process.argv.includes('throughput')) {
  const sim = await startSimulatorProcess(['--rps', '0', '--deliveries', '1000000']);
  await throughputAndMemory(sim);
  sim.stop();
  process.exit(0);
}

/** The workspace of scenario 10: 50 segments, 20 deliveries a person over two years, 3 activities a person. */
function perPersonShape(people: number) {
  return { people, segments: 50, deliveries: people * 20, activities: people * 3 };
}

/**
 * 11. The four per-person streams read in bulk at 1,000,000 people and 50 segments: the connector's peak RSS.
 * Deliveries and activities are kept to 2 and 1 per person: the connector holds none of them (they stream), and
 * what it holds grows with P and S (the audience, the membership pages of the segments in flight).
 */
async function perPersonMemory(): Promise<void> {
  const people = 1_000_000;
  const scenario = '11 per-person memory (1,000,000 people, 50 segments)';
  const starting = performance.now();
  const sim = await startSimulatorProcess(
    [
      '--rps',
      '0',
      '--people',
      String(people),
      '--segments',
      '50',
      '--deliveries',
      String(people * 2),
      '--delivery-days',
      '730',
      '--activities',
      String(people),
    ],
    { NODE_OPTIONS: '--max-old-space-size=12288' },
  );
  row(scenario, 'simulator generated (s)', ((performance.now() - starting) / 1000).toFixed(0), '', undefined);
  const startDate = new Date((WORKSPACE_NOW - 731 * 86_400) * 1000).toISOString().replace('.000', '');
  const result = await measuredRead(
    config(sim.url, { requests_per_second: 1000, start_date: startDate }),
    configuredCatalog(
      ['customer_segments', 'customer_activities', 'customer_messages', 'customer_relationships'],
      'full_refresh',
    ),
  );
  const { requests } = await sim.stats();
  sim.stop();
  row(
    scenario,
    'records (four streams)',
    String(result.records),
    `exit ${result.exitCode}`,
    result.exitCode === 0,
  );
  row(scenario, 'requests', String(requests), '', undefined);
  row(scenario, 'wall time (s)', (result.ms / 1000).toFixed(0), '', undefined);
  row(
    scenario,
    'connector peak RSS (MB, VmHWM)',
    result.peakRssMb.toFixed(0),
    '< 300',
    result.peakRssMb < 300,
  );
}
// `npm run bench -- per-person-memory` runs scenario 11 alone and puts its rows into BENCHMARKS.md (an hour or
// so on a shared 2-core machine; not part of the default run).
if (process.argv.includes('per-person-memory')) {
  await perPersonMemory();
  mergeRows('11 ');
  process.exit(0);
}

// `npm run bench -- full-catalog [--scale N]` runs scenario 12 alone (scale 3 by default, or N) and puts its
// rows into BENCHMARKS.md, keeping the others.
if (process.argv.includes('full-catalog')) {
  const scale = process.argv.includes('--scale')
    ? Number(process.argv[process.argv.indexOf('--scale') + 1])
    : 3;
  await fullCatalog(row, scale);
  mergeRows(`12 full catalog at scale ${scale} `);
  process.exit(0);
}

// `npm run bench -- per-person` runs scenario 10 alone and puts its rows into BENCHMARKS.md, keeping the others.
// Both methods on 10,000 people (records compared), then bulk alone on 100,000: person by person that workspace
// takes over a million requests (4 a person and a window), hours on a shared machine.
async function perPersonScenarios(): Promise<void> {
  await perPersonStreams(row, { ...perPersonShape(10_000), perPerson: true });
  await perPersonStreams(row, {
    ...perPersonShape(100_000),
    perPerson: process.argv.includes('per-person-at-scale'),
  });
}
// `npm run bench -- per-person-one --people N [--streams a,b] [--both]`: one workspace size alone, printed only
// (BENCHMARKS.md is left as it is), for a stream or a size the full scenario does not run.
if (process.argv.includes('per-person-one')) {
  const option = (name: string) => process.argv[process.argv.indexOf(name) + 1];
  const people = Number(option('--people') ?? 10_000);
  const streams = process.argv.includes('--streams') ? option('--streams')?.split(',') : undefined;
  await perPersonStreams(row, {
    ...perPersonShape(people),
    perPerson: process.argv.includes('--both'),
    ...(streams === undefined ? {} : { streams }),
  });
  process.exit(0);
}
if (process.argv.includes('per-person')) {
  await perPersonScenarios();
  mergeRows('10 ');
  process.exit(0);
}

// 1. A strict server at the limit: 10 requests/second, 250 ms of latency, 300 campaigns with actions and metrics.
{
  const sim = await startSimulatorProcess(['--rps', '10', '--latency-ms', '250', '--campaigns', '300']);
  const result = await measuredRead(
    config(sim.url),
    configuredCatalog(['campaigns', 'campaign_actions', 'campaign_metrics']),
  );
  const stats = await sim.stats();
  sim.stop();
  const seconds = result.ms / 1000;
  const rps = stats.requests / seconds;
  const share429 = stats.rateLimited / stats.requests;
  row('1 strict 10 req/s server', 'requests (all answered)', String(stats.requests), '', undefined);
  row(
    '1 strict 10 req/s server',
    'records',
    String(result.records),
    `exit ${result.exitCode}`,
    result.exitCode === 0,
  );
  row('1 strict 10 req/s server', 'sustained requests/second', rps.toFixed(2), '≥ 9.5', rps >= 9.5);
  row(
    '1 strict 10 req/s server',
    'answered 429',
    `${stats.rateLimited} (${(share429 * 100).toFixed(2)}%)`,
    '≤ 0.2%',
    share429 <= 0.002,
  );
  row('1 strict 10 req/s server', 'wall time (s)', seconds.toFixed(1), '', undefined);
  row(
    '1 strict 10 req/s server',
    'wall time ÷ (requests ÷ 10)',
    (seconds / (stats.requests / 10)).toFixed(3),
    '1.0 is the floor',
    undefined,
  );
}

// 2 and 3. Throughput and memory: 1,000,000 deliveries, unlimited simulator, pages of 1000.
let fullMessagesRequests = 0;
{
  const sim = await startSimulatorProcess(['--rps', '0', '--deliveries', '1000000']);
  fullMessagesRequests = await throughputAndMemory(sim);

  // 4b. A daily incremental sync of the same 400-day history.
  const middle = (await sim.stats()).requests;
  const yesterday = [
    {
      type: 'STREAM',
      stream: { stream_descriptor: { name: 'messages' }, stream_state: { created: WORKSPACE_NOW - 86_400 } },
    },
  ];
  const daily = await measuredRead(
    config(sim.url, { requests_per_second: 1000 }),
    configuredCatalog(['messages'], 'incremental'),
    yesterday,
  );
  const dailyRequests = (await sim.stats()).requests - middle;
  sim.stop();
  row('4 requests per record', 'messages full read: requests', String(fullMessagesRequests), '', undefined);
  row(
    '4 requests per record',
    'messages daily incremental: requests',
    `${dailyRequests} (${daily.records} records)`,
    'small fraction',
    dailyRequests / fullMessagesRequests < 0.2,
  );
}

// 4a. Requests per record: customers for 100,000 people.
{
  const people = 100_000;
  const sim = await startSimulatorProcess(['--rps', '0', '--people', String(people)]);
  const result = await measuredRead(
    config(sim.url, { requests_per_second: 1000 }),
    configuredCatalog(['customers']),
  );
  const stats = await sim.stats();
  sim.stop();
  // The floor for the people the search finds (the simulator's deleted people are not found).
  const floor = Math.ceil(result.records / 1000) + Math.ceil(result.records / 100);
  row(
    '4 requests per record',
    'customers: records',
    String(result.records),
    `exit ${result.exitCode}`,
    result.exitCode === 0,
  );
  row(
    '4 requests per record',
    'customers: requests (floor: search + batches of 100)',
    `${stats.requests} (floor ${floor})`,
    '= floor',
    stats.requests <= floor,
  );
  row('4 requests per record', 'customers: wall time (s)', (result.ms / 1000).toFixed(1), '', undefined);
}

// 5. A shared budget: another tool takes 6 of the workspace's 10 requests/second, so the server admits 4; the
// connector runs at its default 10 and must find the 4 by itself.
{
  const sim = await startSimulatorProcess(['--rps', '4', '--campaigns', '100']);
  const result = await measuredRead(config(sim.url), configuredCatalog(['campaigns', 'campaign_actions']));
  const stats = await sim.stats();
  sim.stop();
  const seconds = result.ms / 1000;
  const share429 = stats.rateLimited / stats.requests;
  const scenario = '5 shared budget (server at 4 req/s, connector default)';
  row(scenario, 'records', String(result.records), `exit ${result.exitCode}`, result.exitCode === 0);
  row(scenario, 'requests', String(stats.requests), '', undefined);
  row(
    scenario,
    'answered 429',
    `${stats.rateLimited} (${(share429 * 100).toFixed(2)}%)`,
    '< 10%',
    share429 < 0.1,
  );
  row(
    scenario,
    'admitted requests/second',
    ((stats.requests - stats.rateLimited) / seconds).toFixed(2),
    '4 is the ceiling',
    undefined,
  );
  row(scenario, 'wall time (s)', seconds.toFixed(1), '', undefined);
}

// 6. A dead host: 10 streams against a closed port, with the default retries (1 s doubling, 8 retries).
{
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const streams = TEN_LIST_STREAMS;
  const result = await measuredRead(config(`http://127.0.0.1:${port}`), configuredCatalog(streams));
  const seconds = result.ms / 1000;
  const scenario = '6 dead host (closed port, 10 streams)';
  row(scenario, 'exit code', String(result.exitCode), 'non-zero', result.exitCode !== 0);
  row(scenario, 'wall time (s)', seconds.toFixed(1), '< 300', seconds < 300);
}

await customersByExport();
await stateSize(row);
await perPersonResume(row);
await perPersonScenarios();
await fullCatalog(row, 3);
await fullCatalog(row, 50);

const table = [
  '| scenario | metric | value | goal | |',
  '|---|---|---|---|---|',
  ...rows.map((cells) => `| ${cells.join(' | ')} |`),
].join('\n');
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
const previous = (() => {
  try {
    return readFileSync(join(ROOT, 'BENCHMARKS.md'), 'utf8');
  } catch {
    return '';
  }
})();
const notes = previous.includes('## Notes') ? previous.slice(previous.indexOf('## Notes')) : '## Notes\n';
writeFileSync(
  join(ROOT, 'BENCHMARKS.md'),
  `# Benchmarks\n\nWritten by \`npm run bench\` on ${machine}.\n\n${table}\n\n${notes}`,
);
out(`\nWritten to BENCHMARKS.md (${machine}).`);

// The destination's scenarios write their own section of BENCHMARKS.md (kept above by `notes`).
await new Promise<void>((resolve, reject) => {
  const destination = spawn(TSX, [join(ROOT, 'destination/integration_tests/bench.ts')], {
    stdio: 'inherit',
  });
  destination.once('close', (code) =>
    code === 0 ? resolve() : reject(new Error(`destination bench exited ${code}`)),
  );
});

/**
 * 2 and 3. Throughput and memory: 1,000,000 deliveries, unlimited simulator, pages of 1000. Returns the
 * requests the connector made. The goal is on CPU time, which the other processes sharing the machine
 * disturb far less than wall time.
 */
async function throughputAndMemory(sim: SimulatorProcess): Promise<number> {
  const before = (await sim.stats()).requests;
  const result = await measuredRead(
    config(sim.url, { requests_per_second: 1000 }),
    configuredCatalog(['messages'], 'incremental'),
    undefined,
    [100_000, 1_000_000],
  );
  const requests = (await sim.stats()).requests - before;
  const baseline = await minimalLoop(sim.url);
  const perSecond = result.records / (result.ms / 1000);
  const ratio = result.ms / baseline.ms;
  const cpuRatio = result.cpuMs / baseline.cpuMs;
  row(
    '2 throughput',
    'records',
    String(result.records),
    `exit ${result.exitCode}`,
    result.records === 1_000_000,
  );
  row(
    '2 throughput',
    'connector: records/second (end to end)',
    Math.round(perSecond).toLocaleString('en'),
    '≥ 50,000',
    perSecond >= 50_000,
  );
  row('2 throughput', 'connector wall time (s)', (result.ms / 1000).toFixed(1), '', undefined);
  row(
    '2 throughput',
    'minimal fetch+parse loop (s)',
    (baseline.ms / 1000).toFixed(1),
    `${baseline.records} records`,
    undefined,
  );
  row('2 throughput', 'connector ÷ minimal loop (wall time)', ratio.toFixed(2), '', undefined);
  row('2 throughput', 'connector CPU time (s)', (result.cpuMs / 1000).toFixed(1), '', undefined);
  row('2 throughput', 'minimal loop CPU time (s)', (baseline.cpuMs / 1000).toFixed(1), '', undefined);
  row('2 throughput', 'connector ÷ minimal loop (CPU time)', cpuRatio.toFixed(2), '≤ 1.5', cpuRatio <= 1.5);
  const at100k = result.rssAtMb.get(100_000) ?? 0;
  const at1m = result.rssAtMb.get(1_000_000) ?? 0;
  row('3 memory', 'RSS at 100k records (MB)', at100k.toFixed(0), '', undefined);
  row('3 memory', 'RSS at 1M records (MB)', at1m.toFixed(0), 'flat', at1m < at100k * 1.5);
  row('3 memory', 'peak RSS (MB)', result.peakRssMb.toFixed(0), '< 200', result.peakRssMb < 200);

  return requests;
}

/** 7. customers for 100,000 people by export against search: API requests, time, peak RSS, and the same records. */
async function customersByExport(): Promise<void> {
  const scenario = '7 customers by export';
  const people = 100_000;
  const sim = await startSimulatorProcess(['--rps', '0', '--people', String(people)]);
  const catalog = configuredCatalog(['customers']);
  const runs = new Map<string, { result: ReadResult; requests: number; digest: string }>();
  for (const method of ['search', 'export']) {
    const settings = config(sim.url, {
      requests_per_second: 1000,
      customers_method: method,
      customer_attributes: ['first_name', 'last_name', 'plan', 'country', 'lifetime_value'],
    });
    const before = (await sim.stats()).requests;
    const result = await measuredRead(settings, catalog);
    const requests = (await sim.stats()).requests - before;
    runs.set(method, { result, requests, digest: await recordsDigest(settings, catalog) });
  }
  sim.stop();
  const search = runs.get('search');
  const bulk = runs.get('export');
  if (search === undefined || bulk === undefined) return;
  for (const [method, run] of [
    ['search', search],
    ['export', bulk],
  ] as const) {
    row(
      scenario,
      `${method}: records`,
      String(run.result.records),
      `exit ${run.result.exitCode}`,
      run.result.exitCode === 0,
    );
    row(
      scenario,
      `${method}: API requests`,
      String(run.requests),
      method === 'export' ? '≤ 30' : '',
      method === 'export' ? run.requests <= 30 : undefined,
    );
    row(scenario, `${method}: wall time (s)`, (run.result.ms / 1000).toFixed(1), '', undefined);
    row(
      scenario,
      `${method}: peak RSS (MB)`,
      run.result.peakRssMb.toFixed(0),
      method === 'export' ? '< 200' : '',
      method === 'export' ? run.result.peakRssMb < 200 : undefined,
    );
  }
  const same = search.digest === bulk.digest && bulk.result.records === search.result.records;
  row(scenario, 'export: same people, identifiers, attributes', same ? 'same' : 'different', 'same', same);
}

/** A digest of what both methods provide (identifiers and selected attributes), whatever the record order. */
async function recordsDigest(settings: JsonObject, catalog: JsonObject): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'cio-bench-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(settings));
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalog));
  const child = spawn(
    process.execPath,
    [CONNECTOR, 'read', '--config', join(dir, 'config.json'), '--catalog', join(dir, 'catalog.json')],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const keys: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith(RECORD_MARK.toString())) continue;
    const data = (JSON.parse(line) as { record: { data: JsonObject } }).record.data;
    const sorted = (value: unknown) => Object.entries((value ?? {}) as JsonObject).sort();
    keys.push(
      JSON.stringify([data.cio_id, data.id, data.email, sorted(data.identifiers), sorted(data.attributes)]),
    );
  }
  return createHash('sha256').update(keys.sort().join('\n')).digest('hex');
}

/**
 * Replaces BENCHMARKS.md's rows of the scenario whose name starts with `prefix` by this run's, where they were,
 * or at the end of the source's table (the first one) for a new scenario; the rest is kept.
 */
function mergeRows(prefix: string): void {
  const path = join(ROOT, 'BENCHMARKS.md');
  const lines = readFileSync(path, 'utf8').split('\n');
  const firstOld = lines.findIndex((line) => line.startsWith(`| ${prefix}`));
  const kept = lines.filter((line) => !line.startsWith(`| ${prefix}`));
  const tableStart = kept.findIndex((line) => line.startsWith('| scenario'));
  const tableEnd = kept.findIndex((line, index) => index > tableStart && !line.startsWith('|'));
  const at = firstOld !== -1 ? firstOld : tableEnd === -1 ? kept.length : tableEnd;
  kept.splice(at, 0, ...rows.map((cells) => `| ${cells.join(' | ')} |`));
  writeFileSync(path, kept.join('\n'));
  out(`\nScenario ${prefix.trim()} written to BENCHMARKS.md; the other rows kept.`);
}
