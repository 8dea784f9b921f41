import type { JsonObject } from '@cio-connectors/kit/json';
import { jsonSyntaxPosition } from '@cio-connectors/kit/json';
import { ConfigError } from './errors.js';

/** Holds the per-stream state passed in with --state (Airbyte's list of STREAM state messages). */
export class StateManager {
  readonly #states = new Map<string, JsonObject>();
  /** The entry indexes naming each stream, in file order, and the one whose state is used. */
  readonly #entries = new Map<string, number[]>();
  readonly #used = new Map<string, number>();

  /**
   * The state as Airbyte passes it (a list of STREAM states), or as this connector prints it: one STATE
   * message, the JSON lines of a read's output (its STATE lines; the last of each stream wins), or a list of
   * STATE messages. Anything else is refused with an example of what is accepted.
   */
  static parse(text: string | undefined): StateManager {
    const manager = new StateManager();
    if (text === undefined || text.trim() === '') return manager;
    const { entries, fromOutput } = stateEntries(text);
    for (const [index, entry] of entries.entries()) manager.#add(entry, index);
    manager.#fromOutput = fromOutput;
    return manager;
  }

  /** A read's output names each stream many times, the last one meant: no warning then. */
  #fromOutput = false;

  #add(message: unknown, index: number): void {
    const entry = message as {
      type?: unknown;
      stream?: { stream_descriptor?: { name?: unknown }; stream_state?: unknown };
    };
    const name = entry?.stream?.stream_descriptor?.name;
    if (entry?.type !== 'STREAM' || typeof name !== 'string') {
      throw new ConfigError(
        `State entry ${index} is not a STREAM state message with stream.stream_descriptor.name: ${ACCEPTED}`,
      );
    }
    this.#entries.set(name, [...(this.#entries.get(name) ?? []), index]);
    const streamState = entry.stream?.stream_state;
    if (streamState === null || streamState === undefined) return;
    if (typeof streamState !== 'object' || Array.isArray(streamState)) {
      throw new ConfigError(`State of stream "${name}" must be an object: reset this stream's state.`);
    }
    this.#states.set(name, streamState as JsonObject);
    this.#used.set(name, index);
  }

  /** One line per stream the state names more than once, saying which entry is used (the last with a state). */
  duplicateWarnings(): string[] {
    if (this.#fromOutput) return [];
    return [...this.#entries].flatMap(([name, indexes]) => {
      if (indexes.length < 2) return [];
      const used = this.#used.get(name);
      const choice =
        used === undefined ? 'none has a state, so the stream starts over' : `using entry ${used}`;
      return [
        `The state has ${indexes.length} entries for stream "${name}" (entries ${indexes.join(', ')}): ${choice}.`,
      ];
    });
  }

  get(streamName: string): JsonObject | undefined {
    return this.#states.get(streamName);
  }
}

const EXAMPLE =
  '[{"type":"STREAM","stream":{"stream_descriptor":{"name":"campaigns"},"stream_state":{"updated":1700000000}}}]';
const ACCEPTED = `pass the state Airbyte saved (a list of STREAM states, e.g. ${EXAMPLE}), the STATE lines a read printed, or no state to start over.`;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A STATE message's `state`, or the entry as it is. */
const unwrap = (entry: unknown): unknown =>
  isObject(entry) && entry.type === 'STATE' && isObject(entry.state) ? entry.state : entry;

/** The STREAM state entries of a state file, in order; `fromOutput` when it was a read's output (JSON lines). */
function stateEntries(text: string): { entries: unknown[]; fromOutput: boolean } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { entries: outputStates(text), fromOutput: true };
  }
  if (isObject(raw) && Object.keys(raw).length === 0) return { entries: [], fromOutput: false };
  if (Array.isArray(raw)) return { entries: raw.map(unwrap), fromOutput: false };
  if (isObject(raw) && (raw.type === 'STATE' || raw.type === 'STREAM'))
    return { entries: [unwrap(raw)], fromOutput: false };
  throw new ConfigError(
    `The state is in a format this connector does not read (a legacy single object?): ${ACCEPTED}`,
  );
}

/** The STATE lines of a read's output (other messages are passed over); a line that is not JSON is named. */
function outputStates(text: string): unknown[] {
  const lines = text.split('\n');
  const states: unknown[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      const where = lines.length > 1 ? `line ${index + 1}` : (jsonSyntaxPosition(text) ?? 'somewhere');
      throw new ConfigError(`The state file is not valid JSON (at ${where}): ${ACCEPTED}`);
    }
    if (isObject(message) && message.type === 'STATE') states.push(unwrap(message));
  }
  if (states.length === 0) throw new ConfigError(`The state file holds no STATE message: ${ACCEPTED}`);
  return states;
}
