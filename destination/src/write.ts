import type { Readable } from 'node:stream';
import { asConnectorError, ConfigError, type ConnectorError } from '@cio-connectors/kit/errors';
import type { Emitter } from '@cio-connectors/kit/protocol';
import { reportRetries } from '@cio-connectors/kit/retry-reporting';
import { Acknowledgements } from './acknowledgements.js';
import { type BatchBody, BatchBuilder, wholeBody } from './batch-body.js';
import type { DestinationConfig } from './config.js';
import { buildEntry, recordLabel } from './entries.js';
import { linesOf, parseMessage } from './input.js';
import { planStreams, streamKey } from './plans.js';
import { RejectionReport } from './rejections.js';
import { ANONYMOUS_EVENTS_PATH, BATCH_PATH, type Item, Sender } from './sender.js';
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

/** The batch being filled, sent when the next entry would not fit, or when it has waited `flushMs`. */
class BatchPacker {
  #items: Item[] = [];
  readonly #builder: BatchBuilder;
  #timer: NodeJS.Timeout | undefined;
  readonly #flushMs: number;
  readonly #sendBatch: (items: Item[], body: BatchBody) => Promise<void>;

  constructor(
    maxBytes: number,
    flushMs: number,
    sendBatch: (items: Item[], body: BatchBody) => Promise<void>,
  ) {
    this.#builder = new BatchBuilder(maxBytes);
    this.#flushMs = flushMs;
    this.#sendBatch = sendBatch;
  }

  /** Adds an entry; resolves once a batch it completed is queued. */
  async add(item: Item, text: string, bytes: number): Promise<void> {
    if (!this.#builder.fits(bytes)) await this.flush();
    this.#items.push(item);
    this.#builder.add(text, bytes);
    this.#timer ??= setTimeout(() => void this.flush(), this.#flushMs);
  }

  flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#items.length === 0) return Promise.resolve();
    const items = this.#items;
    this.#items = [];
    return this.#sendBatch(items, this.#builder.finish());
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
  const plans = planStreams(rawCatalog, config);
  for (const warning of plans.warnings) await emitter.log('WARN', warning);
  const { baseUrl, asked } = await trackBaseUrl(config, clientTuning);
  if (asked !== undefined)
    await emitter.log(
      'INFO',
      `Customer.io says this workspace is in the ${asked.region} data center: writing to ${baseUrl}.`,
    );
  const client = createTrackClient(config, baseUrl, clientTuning);
  reportRetries(client, emitter);

  const acknowledgements = new Acknowledgements();
  const report = new RejectionReport((level, message) => emitter.log(level, message));
  const releaseStates = () => {
    for (const state of acknowledgements.releasable()) void emitter.echoState(state);
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
  const sender = new Sender(client, {
    maxInFlight,
    settle: (item, rejection) => {
      acknowledgements.settle(item.ticket, rejection !== undefined);
      if (rejection !== undefined) report.add(recordLabel(item.stream, item.key), rejection, 'Customer.io');
      releaseStates();
      reportProgress();
    },
  });
  const packer = new BatchPacker(batchBytes, flushMs, (items, body) => sender.send(BATCH_PATH, items, body));
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
      if (message.type === 'STATE') acknowledgements.state(message.state);
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
      const built = buildEntry(plan, message.data, readAt());
      if (built.kind === 'rejected') {
        acknowledgements.settle(ticket, true);
        report.add(recordLabel(plan.stream, built.key), built.rejection, 'connector');
        releaseStates();
        reportProgress();
      } else {
        const item: Item = { ticket, subject: built.subject, stream: plan.stream, key: built.key };
        if (built.kind === 'anonymous')
          await sender.send(ANONYMOUS_EVENTS_PATH, [item], wholeBody(built.text));
        else await packer.add(item, built.text, built.bytes);
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
  if (sender.failure === undefined) await packer.flush();
  await sender.drain();
  releaseStates();
  failure ??= sender.failure ?? tooManyRejected(true);
  const summary = report.summary();
  if (summary !== undefined) await emitter.log('WARN', summary);
  await emitter.log(
    'INFO',
    `Wrote ${acknowledgements.settled - acknowledgements.rejected} of ${acknowledgements.read} records read (${acknowledgements.rejected} rejected) in ${plural(sender.requests, 'request')}${stop.aborted ? ', stopped by a signal' : ''}.`,
  );
  if (acknowledgements.waitingStates > 0)
    await emitter.log(
      'WARN',
      `${acknowledgements.waitingStates} state(s) not echoed: records before them were not written. The next sync resumes from the last state echoed.`,
    );
  // The runner reports it (one ERROR trace, on stderr too) and exits 1, as for any command's failure.
  if (failure !== undefined) throw failure;
}
