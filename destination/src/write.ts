import type { Readable } from 'node:stream';
import { asConnectorError, ConfigError, type ConnectorError } from '@cio-connectors/kit/errors';
import type { HttpClient } from '@cio-connectors/kit/http-client';
import type { JsonObject } from '@cio-connectors/kit/json';
import type { Emitter } from '@cio-connectors/kit/protocol';
import { reportRetries } from '@cio-connectors/kit/retry-reporting';
import { Acknowledgements } from './acknowledgements.js';
import { createAppClient, listObjectTypes, requireApp } from './app-client.js';
import { type BatchBody, BatchBuilder, IDS_ENVELOPE } from './batch-body.js';
import type { DestinationConfig } from './config.js';
import { buildEntry, type MemberGroup, type Rejection, recordLabel } from './entries.js';
import { linesOf, parseMessage } from './input.js';
import { Mirrors, SEGMENT_IDS_PER_REQUEST } from './mirrors.js';
import { APP_API_ACTIONS, OPERATIONS, typedOperations } from './operations.js';
import { planStreams, streamKey, writesTypedObjects } from './plans.js';
import { RejectionReport } from './rejections.js';
import { ANONYMOUS_EVENTS_PATH, BATCH_PATH, type Item, type Outgoing, Sender } from './sender.js';
import { createTrackClient, trackBaseUrl } from './track-client.js';
import type { WriteTuning } from './tuning.js';

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

const DEFAULTS = {
  batchBytes: 480_000,
  maxInFlight: 8,
  flushMs: 1000,
  rejectedShareAfter: 1000,
  progressRecords: 100_000,
};

/** A list request being filled: its body, its items, and how it is sent once full. */
interface OpenList {
  builder: BatchBuilder;
  items: Item[];
  /** The subjects of its entries that later merges and relationships wait for. */
  subjects: Set<string>;
  outgoing: (body: BatchBody) => Outgoing;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The list requests being filled (one Track v2 batch, and one per manual segment and change), each sent when
 * the next entry would not fit, or when it has waited `flushMs`.
 */
class ListPacker {
  readonly #open = new Map<string, OpenList>();
  /** Which open list holds an entry about each subject: one subject is never in two open lists. */
  readonly #listOf = new Map<string, string>();
  readonly #flushMs: number;
  readonly #send: (outgoing: Outgoing, items: Item[]) => Promise<void>;

  constructor(flushMs: number, send: (outgoing: Outgoing, items: Item[]) => Promise<void>) {
    this.#flushMs = flushMs;
    this.#send = send;
  }

  /**
   * Adds an entry to the list `key` (opened by `open` if needed); resolves once a list it completed is queued.
   * An entry that `waits` (a merge, a relationship) goes in a later request than the writes about its people
   * and objects in this list, so that it is sent once they are acknowledged (the order of entries inside one
   * request is not documented). Relationships are not waited for: many about one object share a request.
   */
  async add(
    key: string,
    open: () => Omit<OpenList, 'items' | 'timer' | 'subjects'>,
    item: Item,
    text: string,
    bytes: number,
    order: { waits: boolean; waitedFor: boolean } = { waits: false, waitedFor: true },
  ) {
    // An entry about a subject another open list holds: that list goes first, else the two could be sent (and
    // answered) in the other order, e.g. an add to a segment before the identify that creates the person.
    if (item.subjects.some((subject) => (this.#listOf.get(subject) ?? key) !== key)) await this.flushAll();
    let list = this.#open.get(key);
    const mustFollow = (open: OpenList) =>
      order.waits && item.subjects.some((subject) => open.subjects.has(subject));
    if (list !== undefined && (!list.builder.fits(bytes) || mustFollow(list))) await this.flush(key);
    list = this.#open.get(key);
    if (list === undefined) {
      list = { ...open(), items: [], timer: undefined, subjects: new Set() };
      this.#open.set(key, list);
    }
    list.items.push(item);
    for (const subject of item.subjects) this.#listOf.set(subject, key);
    if (order.waitedFor) for (const subject of item.subjects) list.subjects.add(subject);
    list.builder.add(text, bytes);
    list.timer ??= setTimeout(() => void this.flush(key), this.#flushMs);
  }

  flush(key: string): Promise<void> {
    const list = this.#open.get(key);
    if (list === undefined) return Promise.resolve();
    this.#open.delete(key);
    for (const item of list.items)
      for (const subject of item.subjects)
        if (this.#listOf.get(subject) === key) this.#listOf.delete(subject);
    if (list.timer !== undefined) clearTimeout(list.timer);
    return this.#send(list.outgoing(list.builder.finish()), list.items);
  }

  async flushAll(): Promise<void> {
    for (const key of [...this.#open.keys()]) await this.flush(key);
  }
}

/**
 * The write: Airbyte messages from `input`, one per line, into Customer.io. Records become Track entries
 * (or rejections), packed into batches by bytes and sent several at once; each state goes back once every
 * record before it is settled. Stops reading at the first failure or when `stop` aborts, then finishes what
 * was read and echoes the states that are safe. Throws what failed, once all that is done.
 */
export async function write(
  config: DestinationConfig,
  rawCatalog: unknown,
  input: Readable,
  emitter: Emitter,
  tuning: WriteTuning,
  stop: AbortSignal,
): Promise<void> {
  const { batchBytes, maxInFlight, flushMs, rejectedShareAfter, progressRecords, ...clientTuning } = {
    ...DEFAULTS,
    ...tuning,
  };
  emitter.addSecret(config.trackApiKey);
  if (config.app !== undefined) emitter.addSecret(config.app.apiKey);
  // The catalog is checked before anything is asked of Customer.io.
  const needsTypes = writesTypedObjects(rawCatalog, config);
  if (needsTypes) requireApp(config.app, 'Writing object_<type> or relationship_<type>');
  const { baseUrl, asked } = await trackBaseUrl(config, clientTuning);
  if (asked !== undefined)
    await emitter.log(
      'INFO',
      `Customer.io says this workspace is in the ${asked.region} data center: writing to ${baseUrl}.`,
    );
  const client = createTrackClient(config, baseUrl, clientTuning);
  reportRetries(client, emitter);
  const region = config.region ?? asked?.region ?? 'US';
  const app = config.app === undefined ? undefined : createAppClient(config.app, region, clientTuning);
  if (app !== undefined) reportRetries(app, emitter);
  const types = needsTypes && app !== undefined ? await listObjectTypes(app) : [];
  const plans = planStreams(rawCatalog, config, [...OPERATIONS, ...typedOperations(types)]);
  for (const plan of plans.byStream.values())
    if (APP_API_ACTIONS.has(plan.operation.action))
      requireApp(config.app, `Stream "${plan.stream}" (${plan.operation.object}, ${plan.operation.mode})`);
  for (const warning of [...config.warnings, ...plans.warnings]) await emitter.log('WARN', warning);
  const mirrors = new Mirrors(plans.byStream);

  const acknowledgements = new Acknowledgements();
  const report = new RejectionReport((level, message) => emitter.log(level, message));
  const held = (message: JsonObject) => mirrors.holds(message);
  const releaseStates = () => {
    for (const state of acknowledgements.releasable(held)) void emitter.echoState(state);
  };
  const started = Date.now();
  let nextProgress = progressRecords;
  /** A LOG line each time another `progressRecords` records are settled: a long write is never silent. */
  const reportProgress = () => {
    const settled = acknowledgements.settled;
    if (settled < nextProgress) return;
    nextProgress = (Math.floor(settled / progressRecords) + 1) * progressRecords;
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    void emitter.log(
      'INFO',
      `Progress: ${settled} records settled (${settled - acknowledgements.rejected} written, ${acknowledgements.rejected} rejected) of ${acknowledgements.read} read, in ${plural(sender.requests, 'request')}; ${Math.round(settled / seconds)} records/second.`,
    );
  };
  const sender = new Sender({
    maxInFlight,
    settle: (item, rejection) => {
      acknowledgements.settle(item.ticket, rejection !== undefined);
      if (rejection !== undefined) report.add(recordLabel(item.stream, item.key), rejection, 'Customer.io');
      releaseStates();
      reportProgress();
    },
  });
  const packer = new ListPacker(flushMs, (outgoing, items) => sender.send(outgoing, items));
  const openBatch = () => ({
    builder: new BatchBuilder(batchBytes),
    outgoing: (body: BatchBody): Outgoing => ({ kind: 'list', client, path: BATCH_PATH, body }),
  });
  const openMembers = (group: MemberGroup) => () => ({
    builder: new BatchBuilder(batchBytes, IDS_ENVELOPE, SEGMENT_IDS_PER_REQUEST),
    outgoing: (body: BatchBody): Outgoing => ({
      kind: 'list',
      client,
      path: `/api/v1/segments/${group.segmentId}/${group.change === 'add' ? 'add_customers' : 'remove_customers'}`,
      params: { id_type: group.idType },
      body,
    }),
  });
  const tooManyRejected = (final: boolean): ConnectorError | undefined => {
    const settled = acknowledgements.settled;
    if (settled === 0 || (!final && settled < rejectedShareAfter)) return undefined;
    if (report.total / settled <= config.maxRejectedShare) return undefined;
    const commonest = report.commonest();
    return new ConfigError(
      `${report.total} of ${settled} records (${((100 * report.total) / settled).toFixed(1)}%) were rejected, more than "max_rejected_share" allows (${(100 * config.maxRejectedShare).toFixed(1)}%). The commonest reason (${plural(commonest?.count ?? 0, 'record')}): ${commonest?.reason ?? ''}. Fix the data or the stream's mapping, or raise "max_rejected_share".`,
    );
  };

  const readAt = () => Math.floor(Date.now() / 1000);
  let failure: ConnectorError | undefined;
  const stopReading = () => input.destroy();
  stop.addEventListener('abort', stopReading, { once: true });
  try {
    for await (const line of linesOf(input)) {
      const message = parseMessage(line);
      if (message.type === 'STATE') {
        mirrors.noteState(message.state);
        acknowledgements.state(message.state);
      }
      if (message.type === 'STREAM_STATUS')
        mirrors.noteStatus(streamKey(message.stream, message.namespace), message.status);
      if (message.type !== 'RECORD') {
        releaseStates();
        continue;
      }
      const key = streamKey(message.stream, message.namespace);
      const plan = plans.byStream.get(key);
      if (plan === undefined)
        throw new ConfigError(
          `Input line ${line.number} is a record of the stream "${key}", which the catalog does not list: add the stream to the catalog, or leave its records out of the input.`,
        );
      const ticket = acknowledgements.record(key);
      mirrors.noteRecord(key);
      const built = buildEntry(plan, message.data, readAt());
      const rejected = (rejection: Rejection) => {
        mirrors.noteRejected(key);
        acknowledgements.settle(ticket, true);
        report.add(recordLabel(plan.stream, built.key), rejection, 'connector');
        releaseStates();
        reportProgress();
      };
      if (built.kind === 'rejected') rejected(built.rejection);
      else if (built.kind === 'row') {
        const tooBig = mirrors.addRow(key, built.text, built.bytes, ticket);
        if (tooBig !== undefined) rejected({ field: '(row)', reason: tooBig });
      } else {
        const item: Item = { ticket, subjects: built.subjects, stream: plan.stream, key: built.key };
        if (built.kind === 'entry') {
          const { action } = plan.operation;
          const relationship = action === 'add_relationship' || action === 'delete_relationship';
          await packer.add('batch', openBatch, item, built.text, built.bytes, {
            waits: relationship || action === 'merge',
            waitedFor: !relationship,
          });
        } else if (built.kind === 'member') {
          if (plan.operation.action === 'segment_mirror')
            mirrors.noteMember(key, built.group, built.key.value);
          const { segmentId, idType, change } = built.group;
          await packer.add(
            `${change}:${segmentId}:${idType}`,
            openMembers(built.group),
            item,
            built.text,
            built.bytes,
          );
        } else if (built.kind === 'anonymous')
          await sender.send(
            { kind: 'single', client, method: 'POST', path: ANONYMOUS_EVENTS_PATH, body: built.text },
            [item],
          );
        else
          await sender.send(
            {
              kind: 'single',
              client: app as HttpClient,
              method: built.request.method,
              path: built.request.path,
              ...(built.request.body === undefined ? {} : { body: built.request.body }),
            },
            [item],
          );
      }
      failure = sender.failure ?? tooManyRejected(false);
      if (failure !== undefined) break;
    }
  } catch (error) {
    if (!stop.aborted) failure = asConnectorError(error);
  } finally {
    stop.removeEventListener('abort', stopReading);
  }
  // What was read before a failure or a stop is still written, unless sending itself failed.
  if (sender.failure === undefined) await packer.flushAll();
  await sender.drain();
  failure ??= sender.failure ?? tooManyRejected(true);
  // Mirrors remove only after a whole input, every write before it acknowledged.
  if (failure === undefined && !stop.aborted && mirrors.active)
    try {
      await mirrors.finish({
        track: client,
        app,
        allowEmpty: config.allowEmptyMirror,
        settle: (ticket) => acknowledgements.settle(ticket, false),
        warn: (text) => emitter.log('WARN', text),
        info: (text) => emitter.log('INFO', text),
      });
    } catch (error) {
      failure = asConnectorError(error);
    }
  releaseStates();
  const summary = report.summary();
  if (summary !== undefined) await emitter.log('WARN', summary);
  await emitter.log(
    'INFO',
    `Wrote ${acknowledgements.settled - acknowledgements.rejected} of ${acknowledgements.read} records read (${acknowledgements.rejected} rejected) in ${plural(sender.requests + mirrors.requests, 'request')}${stop.aborted ? ', stopped by a signal' : ''}.`,
  );
  if (acknowledgements.waitingStates > 0)
    await emitter.log(
      'WARN',
      `${acknowledgements.waitingStates} state(s) not echoed: records before them were not written. The next sync resumes from the last state echoed.`,
    );
  // The runner reports it (one ERROR trace, on stderr too) and exits 1, as for any command's failure.
  if (failure !== undefined) throw failure;
}
