// Integers beyond 2^53 (issue 16, item 3): JSON.parse reads 9007199254740993 as ...992, which then collides
// with a real id. They must reach the RECORD line as the very same digits, as numbers (strings only where the
// schema says string).
import { afterEach, expect, test } from 'vitest';
import {
  configuredCatalog,
  ofType,
  protocolProblems,
  recordsOf,
  runConnector,
  simulatorConfig,
  statusesOf,
} from './harness.js';
import { type Simulator, startSimulator } from './simulator/index.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** 2^53 + 1: the smallest positive integer a double cannot hold. */
const UNSAFE_ID = 9007199254740993n;
/** What JSON.parse turns UNSAFE_ID into: a real id of its own here. */
const NEIGHBOUR_ID = 9007199254740992;

test('segment ids beyond 2^53 are emitted as the exact integers the API sent, beside the id they would round to', async () => {
  sim = await startSimulator({ requestsPerSecond: null });
  const [first, second] = sim.workspace.segments;
  if (first === undefined || second === undefined)
    throw new Error('the simulator has fewer than two segments');
  // The simulator writes a BigInt as its digits, as the API writes its 64-bit ids.
  Object.assign(first, {
    id: UNSAFE_ID,
    deduplicate_id: `${UNSAFE_ID}:${first.updated_at}`,
    // Declared a string: the number becomes its own digits, not the rounded ones.
    description: UNSAFE_ID + 2n,
    // Declared an integer: the string becomes the exact number.
    progress: String(UNSAFE_ID + 4n),
  });
  Object.assign(second, { id: NEIGHBOUR_ID, deduplicate_id: `${NEIGHBOUR_ID}:${second.updated_at}` });

  const result = await runConnector('read', {
    config: simulatorConfig(sim, { requests_per_second: 1000 }),
    catalog: configuredCatalog(['segments']),
  });

  expect(result.exitCode).toBe(0);
  expect(statusesOf(result.messages, 'segments')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  expect(protocolProblems(result)).toEqual([]);
  // The parsed messages went through JSON.parse, which rounds: the raw lines are what a destination reads.
  const recordLines = result.lines.filter((line) => line.startsWith('{"type":"RECORD"'));
  expect(recordLines).toHaveLength(sim.workspace.segments.length);
  const unsafe = recordLines.filter((line) => line.includes(`"id":${UNSAFE_ID},`));
  expect(unsafe).toHaveLength(1);
  expect(unsafe[0]).toContain(`"deduplicate_id":"${UNSAFE_ID}:${first.updated_at}"`);
  expect(unsafe[0]).toContain(`"description":"${UNSAFE_ID + 2n}"`);
  expect(unsafe[0]).toContain(`"progress":${UNSAFE_ID + 4n},`);
  expect(recordLines.filter((line) => line.includes(`"id":${NEIGHBOUR_ID},`))).toHaveLength(1);
  // Every other segment is as it was.
  expect(recordsOf(result.messages, 'segments').map((record) => record.id)).toEqual(
    sim.workspace.segments.map((segment) => Number(segment.id)),
  );
  const warnings = ofType(result.messages, 'LOG').filter((message) => message.log.level === 'WARN');
  expect(warnings).toEqual([]);
});
