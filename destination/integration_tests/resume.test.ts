// Killed at any moment and restarted with the records after the last state it echoed: nothing lost, no event twice.
import { expect, test } from 'vitest';
import {
  configFor,
  configuredStream,
  logsOf,
  type Message,
  record,
  runDestination,
  simulatorPerTest,
  statesOf,
  streamState,
} from './harness.js';

const start = simulatorPerTest();

const EVENTS = 1500;
const STATE_EVERY = 100;
const catalog = { streams: [configuredStream('events', 'person_event')] };

/** EVENTS events of 50 people, a state after every STATE_EVERY records (its cursor: the records before it). */
function input(): unknown[] {
  const lines: unknown[] = [];
  for (let n = 0; n < EVENTS; n++) {
    lines.push(record('events', { person_id: `p${n % 50}`, event_name: 'viewed', n }));
    if ((n + 1) % STATE_EVERY === 0) lines.push(streamState('events', { records: n + 1 }));
  }
  return lines;
}

const isState = (line: string) => line.includes('"type":"STATE"');
const lastCursor = (messages: Message[]) =>
  (
    statesOf({ messages, stderr: '', exitCode: 0, signal: null }).at(-1)?.stream as
      | { stream_state: { records: number } }
      | undefined
  )?.stream_state.records ?? 0;

/** The input after the state whose cursor is `records`: what the platform sends again. */
const after = (lines: unknown[], records: number) => lines.slice(records + Math.floor(records / STATE_EVERY));

test('SIGKILL after some states, then a restart from the last one echoed: every event stored once', async () => {
  const sim = await start({ latencyMs: 5 });
  const lines = input();
  const env = { CIO_BATCH_BYTES: '3000', CIO_MAX_IN_FLIGHT: '4' };
  const killed = await runDestination('write', {
    config: configFor(sim),
    catalog,
    input: lines,
    env,
    signalWhen: { line: isState, signal: 'SIGKILL' },
  });
  expect(killed.signal).toBe('SIGKILL');
  const resumeFrom = lastCursor(killed.messages);
  expect(resumeFrom).toBeGreaterThan(0);
  expect(resumeFrom).toBeLessThan(EVENTS);
  // Everything before the echoed state is stored; what the kill cut short may be stored or not.
  expect(sim.store.events.length).toBeGreaterThanOrEqual(resumeFrom);

  const resumed = await runDestination('write', {
    config: configFor(sim),
    catalog,
    input: after(lines, resumeFrom),
    env,
  });
  expect(resumed.exitCode).toBe(0);
  expect(lastCursor(resumed.messages)).toBe(EVENTS);
  expect(sim.store.events).toHaveLength(EVENTS);
  expect(new Set(sim.store.events.map((event) => event.data.n)).size).toBe(EVENTS);
  expect(new Set(sim.store.eventIds()).size).toBe(EVENTS);
});

test('SIGTERM: stops reading, finishes what is in flight, echoes the last safe state and exits 143', async () => {
  const sim = await start({ latencyMs: 5 });
  const lines = input();
  const result = await runDestination('write', {
    config: configFor(sim),
    catalog,
    input: lines,
    keepInputOpen: true,
    env: { CIO_BATCH_BYTES: '3000' },
    signalWhen: { line: isState, signal: 'SIGTERM' },
  });
  expect(result.exitCode).toBe(143);
  const echoed = lastCursor(result.messages);
  expect(echoed).toBeGreaterThan(0);
  expect(sim.store.events.length).toBeGreaterThanOrEqual(echoed);
  expect(logsOf(result, 'INFO').at(-1)).toMatch(/stopped by a signal/);
  // The restart from that state completes the set, again without an event twice.
  await runDestination('write', { config: configFor(sim), catalog, input: after(lines, echoed) });
  expect(sim.store.events).toHaveLength(EVENTS);
});
