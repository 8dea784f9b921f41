/**
 * Benchmark scenario 12 (run by `npm run bench`, see bench.ts): the whole catalog, read as a first full sync,
 * against a server that admits 10 requests/second and answers in 300 ms. The floor is requests ÷ 10 seconds:
 * the measure is how close the read comes to it, and where the seconds the budget left unused went.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { JsonObject } from '@cio-connectors/kit/json';
import { CONNECTOR, configuredCatalog, ROOT } from './harness.js';
import { startSimulatorProcess } from './loopback.js';

type Row = (scenario: string, metric: string, value: string, goal: string, met: boolean | undefined) => void;

const RPS = 10;
const API_KEY = 'bench-app-api-key-0123456789';
const LATENCY_MS = 300;

interface StreamTimes {
  started: number;
  completed: number;
}

/** The streams `discover` lists for this config: the whole catalog. */
async function discoveredStreams(config: JsonObject): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cio-bench-catalog-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const child = spawn(process.execPath, [CONNECTOR, 'discover', '--config', join(dir, 'config.json')], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const names: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const message = JSON.parse(line) as { type: string; catalog?: { streams: { name: string }[] } };
    if (message.type === 'CATALOG')
      names.push(...(message.catalog?.streams ?? []).map((stream) => stream.name));
  }
  return names;
}

function peakRssMb(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** One full read of every stream; each stream's first and last status times, from stdout as it arrives. */
export async function fullCatalog(row: Row, scale: number): Promise<void> {
  const scenario = `12 full catalog at scale ${scale} (${RPS} req/s, ${LATENCY_MS} ms)`;
  // Its own process, as the real API is: the answers' timing is not disturbed by this process reading stdout.
  const sim = await startSimulatorProcess(join(ROOT, 'node_modules', '.bin', 'tsx'), [
    join(ROOT, 'integration_tests/simulator/main.ts'),
    ...['--port', '0', '--api-key', API_KEY, '--rps', String(RPS), '--latency-ms', String(LATENCY_MS)],
    ...['--scale', String(scale)],
  ]);
  const stats = async () =>
    (await (await fetch(`${sim.url}/__simulator/stats?arrivals=1`)).json()) as {
      requests: number;
      rateLimited: number;
      arrivals: Array<[number, number]>;
    };
  try {
    const config = { app_api_key: API_KEY, base_url: sim.url };
    const names = await discoveredStreams(config);
    const before = await stats();
    const dir = mkdtempSync(join(tmpdir(), 'cio-bench-full-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'catalog.json'), JSON.stringify(configuredCatalog(names)));
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [CONNECTOR, 'read', '--config', join(dir, 'config.json'), '--catalog', join(dir, 'catalog.json')],
      { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env } },
    );
    let peak = 0;
    const rssAt: Array<[number, number]> = [];
    const sampler = setInterval(() => {
      peak = Math.max(peak, peakRssMb(child.pid ?? 0));
      rssAt.push([(performance.now() - started) / 1000, peak]);
    }, 25);
    const times = new Map<string, StreamTimes>();
    let records = 0;
    let errors = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith('{"type":"RECORD"')) {
        records += 1;
        continue;
      }
      const message = JSON.parse(line) as {
        type: string;
        trace?: { type: string; stream_status?: { stream_descriptor: { name: string }; status: string } };
      };
      if (message.trace?.type === 'ERROR') errors += 1;
      const status = message.trace?.stream_status;
      if (status === undefined) continue;
      const at = (performance.now() - started) / 1000;
      const name = status.stream_descriptor.name;
      if (status.status === 'STARTED') times.set(name, { started: at, completed: at });
      else {
        const entry = times.get(name);
        if (entry !== undefined) entry.completed = at;
      }
    }
    const exitCode = await new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('close', resolve);
    });
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    const after = await stats();
    const requests = after.requests - before.requests;
    const rateLimited = after.rateLimited - before.rateLimited;
    const arrivals = after.arrivals.slice(before.arrivals.length);
    const ratio = seconds / (requests / RPS);
    // Seconds of the read in which the budget was not used (fewer than 80% of the admitted requests went out).
    const perSecond = new Array<number>(Math.ceil(seconds)).fill(0);
    const first = arrivals[0]?.[0] ?? 0;
    for (const [at] of arrivals) {
      const index = Math.floor((at - first) / 1000);
      if (index < perSecond.length) perSecond[index] = (perSecond[index] ?? 0) + 1;
    }
    const idle = perSecond.slice(0, -1).filter((count) => count < RPS * 0.8);
    const unused = idle.reduce((sum, count) => sum + RPS - count, 0);
    row(
      scenario,
      'streams, records',
      `${names.length}, ${records}`,
      `exit ${exitCode}, no error`,
      exitCode === 0 && errors === 0,
    );
    row(scenario, 'requests', String(requests), '', undefined);
    row(
      scenario,
      'answered 429',
      `${rateLimited} (${((100 * rateLimited) / requests).toFixed(2)}%)`,
      '≤ 0.2%',
      rateLimited / requests <= 0.002,
    );
    row(scenario, 'wall time (s)', seconds.toFixed(1), '', undefined);
    row(scenario, 'wall time ÷ (requests ÷ 10)', ratio.toFixed(3), '≤ 1.05', ratio <= 1.05);
    row(
      scenario,
      'seconds under 8 requests (budget unused)',
      `${idle.length} (${unused} requests)`,
      '',
      undefined,
    );
    row(scenario, 'peak RSS (MB)', peak.toFixed(0), '< 200', peak < 200);
    const slowest = [...times.entries()]
      .map(([name, time]) => ({ name, seconds: time.completed - time.started }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 8);
    row(
      scenario,
      'longest streams (s)',
      slowest.map((stream) => `${stream.name} ${stream.seconds.toFixed(1)}`).join(', '),
      '',
      undefined,
    );
    if (process.env.BENCH_TIMELINE === '1') {
      const throttled = arrivals
        .filter(([, status]) => status === 429)
        .map(([at]) => ((at - first) / 1000).toFixed(1));
      process.stderr.write(`429s at (s): ${throttled.join(', ')}\n`);
      const quiet = perSecond.flatMap((count, second) => (count < RPS * 0.8 ? [`${second}:${count}`] : []));
      process.stderr.write(`seconds under 8 requests (second:requests): ${quiet.join(', ')}\n`);
      // Each stream's span, and the peak RSS reached by its end (where the peak grew, that stream was running).
      for (const [name, time] of times) {
        const reached = rssAt.findLast(([at]) => at <= time.completed)?.[1] ?? 0;
        process.stderr.write(
          `${name.padEnd(40)} ${time.started.toFixed(1).padStart(7)} ${time.completed.toFixed(1).padStart(7)} ${reached.toFixed(0).padStart(5)} MB\n`,
        );
      }
    }
  } finally {
    sim.stop();
  }
}
