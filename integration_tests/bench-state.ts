/**
 * Benchmark scenarios about state (run by `npm run bench`, see bench.ts): how much of a read's output its STATE
 * messages are at 2,300 parents, and what a per-person stream killed halfway costs to resume. Both count bytes
 * and requests, not time, so they use an in-process simulator.
 */

import type { JsonObject } from '@cio-connectors/kit/json';
import type { AirbyteMessage } from '@cio-connectors/kit/protocol';
import {
  committedPart,
  configuredCatalog,
  finalStates,
  type RunResult,
  runConnector,
  simulatorConfig,
} from './harness.js';
import { allPeople, type Simulator, startSimulator } from './simulator/index.js';

type Row = (scenario: string, metric: string, value: string, goal: string, met: boolean | undefined) => void;

const bytesOf = (lines: readonly string[]) => lines.reduce((total, line) => total + line.length + 1, 0);

/** 8. newsletter_messages over 2,300 newsletters and 10,000 deliveries, full refresh and incremental. */
export async function stateSize(row: Row): Promise<void> {
  const scenario = '8 state size (2,300 newsletters)';
  const sim = await startSimulator({
    requestsPerSecond: null,
    workspace: { newsletters: 2300, deliveries: 10_000 },
  });
  try {
    for (const mode of ['full_refresh', 'incremental']) {
      const result = await runConnector('read', {
        config: simulatorConfig(sim, { requests_per_second: 1000 }),
        catalog: configuredCatalog(['newsletter_messages'], mode),
      });
      const states = result.lines.filter((line) => line.startsWith('{"type":"STATE"'));
      const share = (100 * bytesOf(states)) / bytesOf(result.lines);
      const largest = Math.max(...states.map((line) => line.length));
      row(scenario, `${mode}: STATE messages`, String(states.length), '', undefined);
      row(scenario, `${mode}: STATE bytes / output bytes`, `${share.toFixed(2)}%`, '≤ 5%', share <= 5);
      row(scenario, `${mode}: largest STATE (bytes)`, String(largest), '', undefined);
    }
  } finally {
    await sim.close();
  }
}

/** 9. customer_segments for 5,000 people, read per person: a read killed when half the people are done, then resumed. */
export async function perPersonResume(row: Row): Promise<void> {
  const scenario = '9 resume a per-person stream (5,000 people)';
  const sim = await startSimulator({ requestsPerSecond: null, workspace: { people: 5000 } });
  const order = allPeople(sim.workspace).map((person) => person.cio_id);
  const halfDone = (line: string): boolean => {
    if (!line.startsWith('{"type":"STATE"')) return false;
    const message = JSON.parse(line) as Extract<AirbyteMessage, { type: 'STATE' }>;
    const resume = message.state.stream.stream_state?.resume as JsonObject | undefined;
    const people = resume?.people as JsonObject | undefined;
    return order.indexOf(String(people?.after)) >= order.length / 2;
  };
  const read = async (extra: { killWhen?: (line: string) => boolean; state?: unknown }) => {
    sim.resetStats();
    const result: RunResult = await runConnector('read', {
      config: simulatorConfig(sim, { requests_per_second: 1000, per_person_method: 'per_person' }),
      catalog: configuredCatalog(['customer_segments']),
      env: { CIO_CHECKPOINT_RECORDS: '100' },
      ...extra,
    });
    return { result, requests: sim.stats.requests };
  };
  try {
    const clean = await read({});
    const killed = await read({ killWhen: halfDone });
    const resumed = await read({ state: finalStates(committedPart(killed.result)) });
    const ratio = resumed.requests / clean.requests;
    row(scenario, 'requests: full read', String(clean.requests), '', undefined);
    row(scenario, 'requests: killed at half the people', String(killed.requests), '', undefined);
    row(
      scenario,
      'requests: resumed read / full read',
      `${resumed.requests} (${(100 * ratio).toFixed(1)}%)`,
      '≤ 60%',
      ratio <= 0.6 && resumed.result.exitCode === 0,
    );
  } finally {
    await closeQuietly(sim);
  }
}

async function closeQuietly(sim: Simulator): Promise<void> {
  await sim.close().catch(() => undefined);
}
