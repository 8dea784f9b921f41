import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { FailureType } from './errors.js';
import { type JsonObject, stringifyJson } from './json.js';

export interface StreamDescriptor {
  name: string;
  namespace?: string;
}

export type SyncMode = 'full_refresh' | 'incremental';
export type DestinationSyncMode = 'append' | 'overwrite' | 'append_dedup' | 'update' | 'soft_delete';

export interface AirbyteStream {
  name: string;
  json_schema: JsonObject;
  supported_sync_modes: SyncMode[];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
  is_resumable?: boolean;
  namespace?: string;
}

export interface ConfiguredAirbyteStream {
  stream: AirbyteStream;
  sync_mode: SyncMode;
  destination_sync_mode: DestinationSyncMode;
  cursor_field?: string[];
  primary_key?: string[][];
  /** Data activation: the destination object this stream's records are written to. */
  destination_object_name?: string;
}

export interface ConfiguredAirbyteCatalog {
  streams: ConfiguredAirbyteStream[];
}

export interface StreamState {
  stream_descriptor: StreamDescriptor;
  stream_state: JsonObject | null;
}

export interface StateStats {
  recordCount: number;
  rejectedRecordCount?: number;
}

export interface StreamStateMessage {
  type: 'STREAM';
  stream: StreamState;
  sourceStats?: StateStats;
  destinationStats?: StateStats;
}

/** A state a destination echoes: the source's state message as it came (any type), with the destination's counts. */
export type EchoedStateMessage = JsonObject & { destinationStats: StateStats };

/** A possible write of a destination (data activation): an object, how it is written, its fields. */
export interface DestinationOperation {
  object_name: string;
  sync_mode: DestinationSyncMode;
  json_schema: JsonObject;
  matching_keys?: string[][];
}

export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';

export interface StreamStatusReason {
  type: 'RATE_LIMITED';
  rate_limited?: { quota_reset?: number };
}

export type AirbyteMessage =
  | { type: 'RECORD'; record: { stream: string; data: JsonObject; emitted_at: number; namespace?: string } }
  | { type: 'STATE'; state: StreamStateMessage }
  | { type: 'LOG'; log: { level: LogLevel; message: string; stack_trace?: string } }
  | {
      type: 'SPEC';
      spec: {
        connectionSpecification: JsonObject;
        documentationUrl?: string;
        protocol_version?: string;
        supported_destination_sync_modes?: DestinationSyncMode[];
      };
    }
  | { type: 'CATALOG'; catalog: { streams: AirbyteStream[] } }
  | { type: 'DESTINATION_CATALOG'; destination_catalog: { operations: DestinationOperation[] } }
  | { type: 'CONNECTION_STATUS'; connectionStatus: { status: 'SUCCEEDED' | 'FAILED'; message?: string } }
  | { type: 'TRACE'; trace: TraceMessage };

export type TraceMessage =
  | {
      type: 'ERROR';
      emitted_at: number;
      error: {
        message: string;
        internal_message?: string;
        stack_trace?: string;
        failure_type: FailureType;
        stream_descriptor?: StreamDescriptor;
      };
    }
  | {
      type: 'ESTIMATE';
      emitted_at: number;
      estimate: { name: string; type: 'STREAM'; row_estimate?: number; byte_estimate?: number };
    }
  | {
      type: 'STREAM_STATUS';
      emitted_at: number;
      stream_status: {
        stream_descriptor: StreamDescriptor;
        status: StreamStatus;
        reasons?: StreamStatusReason[];
      };
    };

export interface EmitterOptions {
  /**
   * With `verifyRecordTexts` (the test suite's runs: CIO_VERIFY_RECORD_TEXTS=1), every record text is compared
   * with the record serialized, and a difference fails the read: a change that edits records in place after
   * parsing, which the texts would not show, cannot pass the tests.
   */
  verifyRecordTexts?: boolean;
}

const MASK = '****';
/** Records are written in chunks of about this size: one write per record would cost a system call each. */
const FLUSH_BYTES = 64 * 1024;
/** Buffered records never wait longer than this for a chunk to fill (a slow, rate-limited read). */
const FLUSH_DELAY_MS = 200;

/**
 * The only writer of stdout: one JSON message per line, honouring backpressure, with every registered secret
 * masked out of everything written, whatever produced it. Records are buffered into chunks; every other
 * message flushes at once, after the records before it. Every write is whole lines, and once the reader is
 * gone (EPIPE) or the process is stopping, nothing more is written.
 */
export class Emitter {
  readonly #out: Writable;
  readonly #secrets: string[] = [];
  readonly #closedListeners: Array<(error: Error) => void> = [];
  #buffer = '';
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  readonly #verifyRecordTexts: boolean;

  constructor(out: Writable = process.stdout, options: EmitterOptions = {}) {
    this.#out = out;
    this.#verifyRecordTexts = options.verifyRecordTexts ?? false;
    out.on('error', (error: Error) => this.#readerGone(error));
  }

  /** Called once if stdout fails (typically EPIPE: the reader closed it); nothing is written afterwards. */
  onClosed(listener: (error: Error) => void): void {
    this.#closedListeners.push(listener);
  }

  get closed(): boolean {
    return this.#closed;
  }

  addSecret(secret: string): void {
    if (secret.length >= 4 && !this.#secrets.includes(secret)) this.#secrets.push(secret);
  }

  mask(text: string): string {
    let masked = text;
    for (const secret of this.#secrets) {
      if (masked.includes(secret)) masked = masked.split(secret).join(MASK);
    }
    return masked;
  }

  async emit(message: AirbyteMessage): Promise<void> {
    this.#buffer += `${stringifyJson(message)}\n`;
    await this.flush();
  }

  /** Resolves once everything emitted so far is handed to stdout (waiting for it to drain when it is full). */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#buffer === '' || this.#closed) {
      this.#buffer = '';
      return;
    }
    const chunk = this.mask(this.#buffer);
    this.#buffer = '';
    if (this.#out.write(chunk)) return;
    try {
      await once(this.#out, 'drain');
    } catch {
      // The stream failed while full: #readerGone has seen the error, and nothing more is written.
    }
  }

  /**
   * For a process that must stop now (SIGTERM): writes nothing more (records still buffered are dropped)
   * and resolves once what was already handed to stdout has gone out, so the output ends on a whole line.
   */
  close(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#buffer = '';
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    // Writes complete in order: this callback runs once every earlier chunk is written.
    return new Promise((resolve) => this.#out.write('', () => resolve()));
  }

  #readerGone(error: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffer = '';
    for (const listener of this.#closedListeners) listener(error);
  }

  /**
   * `text`, when given, is the record's JSON text as it came from the API, written as it is instead of
   * serializing the record again (the source's record texts, see its record-text.ts). Returns a promise only
   * when the caller must wait (a chunk is being written); undefined otherwise.
   */
  record(stream: string, data: JsonObject, text?: string): Promise<void> | undefined {
    if (this.#closed) return undefined;
    if (text !== undefined && this.#verifyRecordTexts && text !== stringifyJson(data)) {
      throw new Error(
        `${stream}: a record's text from the response differs from the record emitted (it was changed in place after parsing); record texts must not be used for this stream.`,
      );
    }
    if (text === undefined) {
      const message: AirbyteMessage = { type: 'RECORD', record: { stream, data, emitted_at: Date.now() } };
      this.#buffer += `${stringifyJson(message)}\n`;
    } else {
      // What stringifyJson writes for the message above, with the record's text as it came.
      this.#buffer += `{"type":"RECORD","record":{"stream":${JSON.stringify(stream)},"data":${text},"emitted_at":${Date.now()}}}\n`;
    }
    if (this.#buffer.length >= FLUSH_BYTES) return this.flush();
    this.#timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
    return undefined;
  }

  log(level: LogLevel, message: string): Promise<void> {
    return this.emit({ type: 'LOG', log: { level, message } });
  }

  streamStatus(name: string, status: StreamStatus, reasons?: StreamStatusReason[]): Promise<void> {
    const streamStatus = { stream_descriptor: { name }, status, ...(reasons ? { reasons } : {}) };
    return this.emit({
      type: 'TRACE',
      trace: { type: 'STREAM_STATUS', emitted_at: Date.now(), stream_status: streamStatus },
    });
  }

  /** A destination's echo of a state it received: the message as it came, with the destination's counts. */
  echoState(state: EchoedStateMessage): Promise<void> {
    this.#buffer += `${stringifyJson({ type: 'STATE', state })}\n`;
    return this.flush();
  }

  /** The platform's progress for a stream: "N of about `rows` records" (a STREAM estimate; never SYNC ones). */
  estimate(name: string, rows: number): Promise<void> {
    return this.emit({
      type: 'TRACE',
      trace: {
        type: 'ESTIMATE',
        emitted_at: Date.now(),
        estimate: { name, type: 'STREAM', row_estimate: Math.round(rows) },
      },
    });
  }

  error(
    message: string,
    failureType: FailureType,
    details: { internal?: string | undefined; stream?: string | undefined } = {},
  ): Promise<void> {
    return this.emit({
      type: 'TRACE',
      trace: {
        type: 'ERROR',
        emitted_at: Date.now(),
        error: {
          message,
          failure_type: failureType,
          ...(details.internal ? { internal_message: details.internal } : {}),
          ...(details.stream ? { stream_descriptor: { name: details.stream } } : {}),
        },
      },
    });
  }

  state(name: string, streamState: JsonObject, recordCount: number): Promise<void> {
    return this.emit({
      type: 'STATE',
      state: {
        type: 'STREAM',
        stream: { stream_descriptor: { name }, stream_state: streamState },
        sourceStats: { recordCount },
      },
    });
  }
}
