import type { JsonObject } from '@cio-connectors/kit/protocol';
import { ConfigError } from './errors.js';

/** Holds the per-stream state passed in with --state (Airbyte's list of STREAM state messages). */
export class StateManager {
  readonly #states = new Map<string, JsonObject>();
  /** The entry indexes naming each stream, in file order, and the one whose state is used. */
  readonly #entries = new Map<string, number[]>();
  readonly #used = new Map<string, number>();

  static parse(text: string | undefined): StateManager {
    const manager = new StateManager();
    if (text === undefined || text.trim() === '') return manager;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ConfigError(
        'The state file is not valid JSON: pass the state Airbyte saved, or no state to start over.',
      );
    }
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && Object.keys(raw).length === 0)
      return manager;
    if (!Array.isArray(raw)) {
      throw new ConfigError(
        'The state is in the legacy single-object format, which this connector does not read: reset the connection state, or pass a list of STREAM state messages.',
      );
    }
    for (const [index, message] of raw.entries()) manager.#add(message, index);
    return manager;
  }

  #add(message: unknown, index: number): void {
    const entry = message as {
      type?: unknown;
      stream?: { stream_descriptor?: { name?: unknown }; stream_state?: unknown };
    };
    const name = entry?.stream?.stream_descriptor?.name;
    if (entry?.type !== 'STREAM' || typeof name !== 'string') {
      throw new ConfigError(
        `State entry ${index} is not a STREAM state message with stream.stream_descriptor.name: reset the connection state, or fix the state file.`,
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
