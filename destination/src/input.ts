import type { Readable } from 'node:stream';
import { ConfigError } from '@cio-connectors/kit/errors';
import { type JsonObject, parseJson } from '@cio-connectors/kit/json';

/** A longer line is refused rather than held in memory: a record is at most a few megabytes. */
const MAX_LINE_CHARACTERS = 64 * 1024 * 1024;

export interface Line {
  text: string;
  /** 1-based, for errors. */
  number: number;
}

/**
 * The input's lines, read as they are consumed: the stream is pulled one chunk at a time, so a slow consumer
 * holds back the producer (backpressure) and memory stays at a chunk and a line.
 */
export async function* linesOf(input: Readable): AsyncGenerator<Line> {
  input.setEncoding('utf8');
  let rest = '';
  let number = 0;
  for await (const chunk of input as AsyncIterable<string>) {
    const text = rest + chunk;
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      number += 1;
      const line = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
      start = end + 1;
      if (line.trim() !== '') yield { text: line, number };
    }
    rest = text.slice(start);
    if (rest.length > MAX_LINE_CHARACTERS)
      throw new ConfigError(
        `Input line ${number + 1} is longer than ${MAX_LINE_CHARACTERS / 1024 / 1024} MB without a line break: the input must be Airbyte messages, one JSON object per line.`,
      );
  }
  if (rest.trim() !== '') yield { text: rest, number: number + 1 };
}

export type InputMessage =
  | { type: 'RECORD'; stream: string; namespace: unknown; data: JsonObject }
  | { type: 'STATE'; state: JsonObject }
  /** A source's stream status, as the platform passes it on: COMPLETE says a stream brought all its records. */
  | { type: 'STREAM_STATUS'; stream: string; namespace: unknown; status: string }
  | { type: 'OTHER' };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function notAMessage(line: Line, why: string): ConfigError {
  return new ConfigError(
    `Input line ${line.number} is not an Airbyte message (${why}): the input must be the messages a source writes, one JSON object per line.`,
  );
}

/** One input line as a message; RECORD and STATE are checked, any other type is passed over. */
export function parseMessage(line: Line): InputMessage {
  let message: unknown;
  try {
    message = parseJson(line.text);
  } catch {
    throw notAMessage(line, 'not JSON, or cut short');
  }
  if (!isObject(message) || typeof message.type !== 'string') throw notAMessage(line, 'no "type"');
  if (message.type === 'RECORD') {
    const record = message.record;
    if (!isObject(record) || typeof record.stream !== 'string' || !isObject(record.data))
      throw notAMessage(line, 'a RECORD needs "record": {"stream": ..., "data": {...}}');
    return { type: 'RECORD', stream: record.stream, namespace: record.namespace, data: record.data };
  }
  if (message.type === 'STATE') {
    if (!isObject(message.state)) throw notAMessage(line, 'a STATE needs "state": {...}');
    return { type: 'STATE', state: message.state };
  }
  const trace = message.type === 'TRACE' && isObject(message.trace) ? message.trace : undefined;
  const status =
    trace?.type === 'STREAM_STATUS' && isObject(trace.stream_status) ? trace.stream_status : undefined;
  const descriptor = isObject(status?.stream_descriptor) ? status.stream_descriptor : undefined;
  if (status !== undefined && typeof descriptor?.name === 'string' && typeof status.status === 'string')
    return {
      type: 'STREAM_STATUS',
      stream: descriptor.name,
      namespace: descriptor.namespace,
      status: status.status,
    };
  return { type: 'OTHER' };
}
