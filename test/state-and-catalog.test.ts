import { describe, expect, test } from 'vitest';
import { resolveCatalog } from '../src/catalog.js';
import { ConfigError } from '../src/errors.js';
import { StateManager } from '../src/state.js';
import { allStreams } from '../src/streams/index.js';

describe('StateManager.parse', () => {
  test('accepts no state, an empty file, [] and {}', () => {
    for (const text of [undefined, '', '  \n', '[]', '{}']) {
      expect(StateManager.parse(text).get('campaigns')).toBeUndefined();
    }
  });

  test('reads Airbyte STREAM state messages, including streams no longer in the catalog', () => {
    const state = StateManager.parse(
      JSON.stringify([
        {
          type: 'STREAM',
          stream: { stream_descriptor: { name: 'campaigns' }, stream_state: { updated: 5 } },
        },
        { type: 'STREAM', stream: { stream_descriptor: { name: 'gone_stream' }, stream_state: { x: 1 } } },
        { type: 'STREAM', stream: { stream_descriptor: { name: 'segments' }, stream_state: null } },
      ]),
    );
    expect(state.get('campaigns')).toEqual({ updated: 5 });
    expect(state.get('gone_stream')).toEqual({ x: 1 });
    expect(state.get('segments')).toBeUndefined();
  });

  const streamState = (name: string, state: object) => ({
    type: 'STREAM',
    stream: { stream_descriptor: { name }, stream_state: state },
  });
  const stateLine = (name: string, state: object) =>
    JSON.stringify({ type: 'STATE', state: streamState(name, state) });

  test('takes what a read prints: one STATE line, its whole output (the last state of each stream), a list of STATE messages', () => {
    expect(StateManager.parse(stateLine('campaigns', { updated: 7 })).get('campaigns')).toEqual({
      updated: 7,
    });
    const output = [
      '{"type":"LOG","log":{"level":"INFO","message":"hi"}}',
      stateLine('campaigns', { updated: 1 }),
      '{"type":"RECORD","record":{"stream":"campaigns","data":{"id":1},"emitted_at":1}}',
      stateLine('segments', { s: 1 }),
      stateLine('campaigns', { updated: 2 }),
      '',
    ].join('\n');
    const fromOutput = StateManager.parse(output);
    expect(fromOutput.get('campaigns')).toEqual({ updated: 2 });
    expect(fromOutput.get('segments')).toEqual({ s: 1 });
    expect(fromOutput.duplicateWarnings()).toEqual([]);
    const list = JSON.stringify([
      JSON.parse(stateLine('campaigns', { updated: 3 })),
      streamState('segments', { s: 2 }),
    ]);
    expect(StateManager.parse(list).get('campaigns')).toEqual({ updated: 3 });
    expect(StateManager.parse(list).get('segments')).toEqual({ s: 2 });
  });

  test('a shape it does not read is refused with an example of one it does', () => {
    expect(() => StateManager.parse('{"campaigns":{"updated":1}}')).toThrow(
      /pass the state Airbyte saved \(a list of STREAM states, e\.g\. \[\{"type":"STREAM"/,
    );
    expect(() => StateManager.parse('{"type":"LOG"}\n{"type":"RECORD"}')).toThrow(/holds no STATE message/);
    expect(() => StateManager.parse(`${stateLine('a', {})}\n{oops`)).toThrow(/not valid JSON \(at line 2\)/);
  });

  test.each([
    ['{not json', /not valid JSON \(at line 1, column 2\)/],
    ['{"campaigns":{"updated":1}}', /legacy/],
    ['[{"type":"LEGACY","data":{}}]', /not a STREAM state message/],
    [
      '[{"type":"STREAM","stream":{"stream_descriptor":{"name":"campaigns"},"stream_state":[1]}}]',
      /must be an object/,
    ],
  ])('refuses %s with a config error', (text, message) => {
    expect(() => StateManager.parse(text)).toThrow(message);
    expect(() => StateManager.parse(text)).toThrow(ConfigError);
  });
});

describe('resolveCatalog', () => {
  const streams = allStreams();
  const entry = (name: string, syncMode = 'full_refresh') => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
    sync_mode: syncMode,
    destination_sync_mode: 'overwrite',
  });

  test('keeps the catalog order and the sync modes', () => {
    const resolved = resolveCatalog({ streams: [entry('segments'), entry('campaigns')] }, streams);
    expect(resolved.map((configured) => [configured.stream.name, configured.syncMode])).toEqual([
      ['segments', 'full_refresh'],
      ['campaigns', 'full_refresh'],
    ]);
  });

  test("accepts and ignores the fields today's platform adds, and append_dedup on every stream", () => {
    const catalog = {
      streams: streams.map((stream) => ({
        stream: { name: stream.name, json_schema: {}, supported_sync_modes: stream.supportedSyncModes },
        sync_mode: 'full_refresh',
        destination_sync_mode: 'append_dedup',
        generation_id: 7,
        minimum_generation_id: 7,
        sync_id: 12345,
        include_files: false,
        destination_object_name: `raw_${stream.name}`,
      })),
    };
    const resolved = resolveCatalog(catalog, streams);
    expect(resolved.map((configured) => configured.stream.name)).toEqual(
      streams.map((stream) => stream.name),
    );
    expect(new Set(resolved.map((configured) => configured.syncMode))).toEqual(new Set(['full_refresh']));
  });

  test('an invalid sync_mode is a config error naming the stream and the value', () => {
    expect(() => resolveCatalog({ streams: [entry('campaigns', 'INVALID')] }, streams)).toThrow(ConfigError);
  });

  test.each([
    [{}, /"streams" list/],
    [{ streams: [entry('__AIRBYTE__stream_that_does_not_exist')] }, /does not have/],
    [
      { streams: [entry('campaigns', 'INVALID')] },
      /stream "campaigns" the sync_mode "INVALID", which is not a sync mode/,
    ],
    [{ streams: [{ stream: { name: 'campaigns' } }] }, /stream "campaigns" the sync_mode null/],
    [
      { streams: [entry('segment_membership', 'incremental')] },
      /sync mode "incremental" on stream "segment_membership"/,
    ],
    [{ streams: [entry('campaigns'), entry('campaigns')] }, /twice/],
    [{ streams: [{}] }, /streams\[0\] has no stream.name/],
  ])('refuses %j', (catalog, message) => {
    expect(() => resolveCatalog(catalog, streams)).toThrow(message);
  });
});
