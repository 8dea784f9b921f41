import type { JsonObject } from '@cio-connectors/kit/json';
import { stringifyJson } from '@cio-connectors/kit/json';
import type { Emitter } from '@cio-connectors/kit/protocol';
import { reportRetries } from '@cio-connectors/kit/retry-reporting';
import type { ConfiguredStream } from './catalog.js';
import type { CursorInput } from './cursors.js';
import { asConnectorError, type ConnectorError, isRunWide } from './errors.js';
import type { CustomerIoClient } from './http-client.js';
import { RecordNormalizer } from './normalize.js';
import { PartitionCache, type PartitionRecorder } from './partitions.js';
import { PrimaryKeyCheck, RecentKeys } from './primary-key.js';
import { NO_PROGRESS, StreamProgress } from './progress.js';
import { RunMemo } from './run-memo.js';
import { StateManager } from './state.js';
import type { Stream, StreamContext } from './streams/base.js';
import { ChildStream } from './streams/child-stream.js';
import { RecordBatch, StreamState } from './streams/items.js';

/**
 * Reads the configured streams, a few at once (`concurrentStreams`): while one waits on a chain of requests,
 * another's use the budget, which the client's rate limiter shares. Each stream's messages stay whole and in
 * order on stdout (other streams' may come between them, as the protocol allows): STARTED, RUNNING at its first
 * record, a STATE at each checkpoint where its state moved and one at the end (each counting the records since
 * the previous one), then COMPLETE. A stream starts once the parents it reads are read: a configured parent by
 * its own read, one outside the catalog by the first child that needs it (the others wait for it). A stream
 * that fails gets INCOMPLETE and an ERROR trace, keeps the last state it emitted, and the others still run,
 * unless the failure is the whole source's (a rejected key, a host that cannot be reached): then the streams
 * still reading are stopped and every stream not done ends INCOMPLETE, under that one error. Returns whether
 * every stream completed.
 */
export async function readStreams(
  configured: readonly ConfiguredStream[],
  base: Omit<StreamContext, 'log' | 'partitions' | 'client' | 'progress' | 'memo'> & {
    client: CustomerIoClient;
  },
  emitter: Emitter,
  states: StateManager = new StateManager(),
  options: Partial<ReadPolicy> = {},
): Promise<boolean> {
  const { progressLogMs, concurrentStreams: wanted, ...policy } = { ...DEFAULT_POLICY, ...options };
  const concurrentStreams = Math.max(1, Math.floor(wanted));
  reportRetries(base.client, emitter);
  const cache = new PartitionCache();
  const memo = new RunMemo();
  const waiting = parentsFirst(configured);
  const inCatalog = new Set(configured.map(({ stream }) => stream.name));
  const parentsNeeded = new Set(
    waiting.flatMap(({ stream }) => ancestors(stream).map((parent) => parent.name)),
  );
  const finished = new Set<string>();
  const running = new Map<string, { stream: Stream; done: Promise<void>; stop: AbortController }>();
  const failed: string[] = [];
  let sourceFailure: ConnectorError | undefined;

  const readOne = async ({ stream, syncMode }: ConfiguredStream, requests: AbortController) => {
    const progress = new StreamProgress(
      stream.name,
      {
        estimate: (name, rows) => void emitter.estimate(name, rows),
        log: (level, message) => void emitter.log(level, message),
      },
      progressLogMs === undefined ? {} : { logEveryMs: progressLogMs },
    );
    const context: StreamContext = {
      ...base,
      memo,
      client: base.client.scoped({ signal: requests.signal, stream: stream.name }),
      log: (level, message) => emitter.log(level, message),
      progress,
      // Parents read for this stream go through its scope (cancelled with it, counted under its name), but their
      // progress is not this stream's.
      partitions: (parent) => cache.partitions(parent, { ...context, progress: NO_PROGRESS }),
      partitionCount: (parent) => cache.count(parent),
    };
    const recorder = parentsNeeded.has(stream.name) ? cache.recorder(stream) : undefined;
    const run: CursorInput = { syncMode, saved: states.get(stream.name), syncStart: base.now };
    try {
      await readStream(stream, run, context, emitter, recorder, policy, progress);
    } catch (error) {
      const failure = asConnectorError(error);
      recorder?.fail(failure);
      failed.push(stream.name);
      // Decided before any await: streams failing at the same moment see the first whole-source failure.
      const stoppedBySource = sourceFailure !== undefined;
      if (!stoppedBySource && isRunWide(failure)) {
        sourceFailure = failure;
        for (const [name, other] of running) if (name !== stream.name) other.stop.abort();
      }
      await emitter.streamStatus(stream.name, 'INCOMPLETE');
      // Once the whole source has failed, the streams it stopped say nothing of their own.
      if (stoppedBySource) return;
      await emitter.error(`${stream.name}: ${failure.message}`, failure.failureType, {
        internal: failure.internalMessage,
        stream: stream.name,
      });
    } finally {
      // Whatever this stream still has in flight (other partitions, a prefetched page) is of no use now.
      requests.abort();
      progress.stop();
    }
  };

  // A stream may start once each parent it reads is read: by the parent's own read when it is in the catalog,
  // otherwise by a child already running (it then reads from memory) or by itself when no running child reads it.
  // The per-person streams all descend from the people search, never cached: they run one at a time, which
  // bounds memory (each holds the audience and pages of up to 10,000 members) while other streams run beside.
  const readByRunning = (parent: Stream) =>
    [...running.values()].some(({ stream }) =>
      ancestors(stream).some((ancestor) => ancestor.name === parent.name),
    );
  const ready = ({ stream }: ConfiguredStream) =>
    ancestors(stream).every((parent) =>
      inCatalog.has(parent.name)
        ? finished.has(parent.name)
        : cache.count(parent) !== undefined || !readByRunning(parent),
    );
  while (waiting.length > 0 || running.size > 0) {
    if (sourceFailure !== undefined) {
      for (const { stream } of waiting.splice(0)) {
        failed.push(stream.name);
        await emitter.streamStatus(stream.name, 'STARTED');
        await emitter.streamStatus(stream.name, 'INCOMPLETE');
      }
    }
    let next = running.size < concurrentStreams ? waiting.findIndex(ready) : -1;
    while (next !== -1) {
      const [entry] = waiting.splice(next, 1) as [ConfiguredStream];
      const name = entry.stream.name;
      const stop = new AbortController();
      const done = readOne(entry, stop).finally(() => {
        running.delete(name);
        finished.add(name);
      });
      running.set(name, { stream: entry.stream, done, stop });
      next = running.size < concurrentStreams ? waiting.findIndex(ready) : -1;
    }
    if (running.size === 0) {
      // Nothing runs and nothing is ready: only a parent outside the catalog read by nobody could block, and
      // that is ready; guard anyway against waiting forever.
      if (waiting.length > 0 && sourceFailure === undefined) throw new Error('no stream can start');
      continue;
    }
    await Promise.race(Array.from(running.values(), (entry) => entry.done));
  }
  if (sourceFailure !== undefined) {
    await emitter.log(
      'ERROR',
      `Stopped the sync: ${sourceFailure.message} These streams did not finish: ${failed.join(', ')}.`,
    );
  } else if (failed.length > 0) {
    await emitter.log(
      'ERROR',
      `These streams did not finish: ${failed.join(', ')}. The other streams completed.`,
    );
  }
  return failed.length === 0;
}

/**
 * How often a stream's progress is emitted between its start and end: destinations commit at every STATE, so
 * one per window of thousands of parents would bury the records. A checkpoint is emitted once this many
 * records or seconds have passed since the previous STATE (the end of a stream always emits its state).
 */
interface CheckpointPolicy {
  records: number;
  seconds: number;
  /** Milliseconds between two progress LOG lines of a long stream (see StreamProgress); 30 s by default. */
  progressLogMs?: number;
}

/** The checkpoints, and how many streams are read at once (see readStreams). */
export interface ReadPolicy extends CheckpointPolicy {
  concurrentStreams: number;
}

const DEFAULT_POLICY: ReadPolicy = { records: 1000, seconds: 30, concurrentStreams: 3 };

/** One stream's read: statuses, records, and its state at checkpoints (see CheckpointPolicy) and at the end. */
async function readStream(
  stream: Stream,
  run: CursorInput,
  context: StreamContext,
  emitter: Emitter,
  recorder: PartitionRecorder | undefined,
  policy: CheckpointPolicy,
  progress: StreamProgress,
): Promise<void> {
  await emitter.streamStatus(stream.name, 'STARTED');
  let total = 0;
  let sinceState = 0;
  let lastState: string | undefined;
  let lastStateAt = Date.now();
  let state: JsonObject = {};
  const emitState = async () => {
    const snapshot = stringifyJson(state);
    // Never the same state twice in a row: an unchanged state says nothing new about progress.
    if (snapshot === lastState) return;
    await emitter.state(stream.name, state, sinceState);
    lastState = snapshot;
    lastStateAt = Date.now();
    sinceState = 0;
  };
  const checkpointDue = () =>
    sinceState >= policy.records || Date.now() - lastStateAt >= policy.seconds * 1000;
  const warnings: string[] = [];
  const normalizer = new RecordNormalizer(stream.name, stream.jsonSchema, (text) => warnings.push(text));
  const primaryKey = new PrimaryKeyCheck(stream.primaryKey, stream.jsonSchema);
  const recent = stream.pagesMayRepeat ? new RecentKeys(stream.primaryKey) : undefined;
  let repeats = 0;
  for await (const item of stream.read(context, run, recorder?.add)) {
    if (item instanceof StreamState) {
      state = item.state;
      if (!item.final && checkpointDue()) await emitState();
      continue;
    }
    const batch = item instanceof RecordBatch ? item : new RecordBatch([item]);
    const { records, texts } = batch;
    for (let index = 0; index < records.length; index++) {
      const data = records[index] as JsonObject;
      const record = normalizer.normalize(data);
      primaryKey.check(record);
      if (recent?.repeated(record) === true) {
        repeats += 1;
        continue;
      }
      if (total === 0) await emitter.streamStatus(stream.name, 'RUNNING');
      total += 1;
      sinceState += 1;
      progress.recorded();
      if (warnings.length > 0) for (const message of warnings.splice(0)) await emitter.log('WARN', message);
      // A record the normalizer copied is no longer what the text says.
      const text = record === data ? texts?.[index] : undefined;
      const writing = emitter.record(stream.name, record, text);
      if (writing !== undefined) await writing;
    }
  }
  recorder?.complete();
  progress.finish();
  await emitState();
  await emitter.streamStatus(stream.name, 'COMPLETE');
  if (repeats > 0)
    await emitter.log(
      'INFO',
      `${stream.name}: ${repeats} repeated record${repeats === 1 ? '' : 's'} dropped (the same ${stream.primaryKey.map((path) => path.join('.')).join(', ')} again: Customer.io's pages of this list can repeat an entry).`,
    );
  await emitter.log('INFO', `${stream.name}: read ${total} record${total === 1 ? '' : 's'}.`);
}

function ancestors(stream: Stream | undefined): Stream[] {
  return stream instanceof ChildStream ? [stream.parent, ...ancestors(stream.parent)] : [];
}

/** Parents before their children, so a parent read for its own sake also serves its children. */
function parentsFirst(configured: readonly ConfiguredStream[]): ConfiguredStream[] {
  return configured
    .map((entry, index) => ({ entry, index, depth: ancestors(entry.stream).length }))
    .sort((a, b) => a.depth - b.depth || a.index - b.index)
    .map(({ entry }) => entry);
}
